#!/usr/bin/env bash
# Plays the Blues LSTM VST3 in a real Ardour session, headless, and writes the MIDI it sent.
#
#   bash scripts/ardour-session.sh "/abs/path/Blues LSTM.vst3" OUT_DIR
#
# Needs Debian's ardour package (ardour7-lua, Ardour's session engine on its Dummy backend):
#   DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ardour
# Writes OUT_DIR/ardour-events.txt (format: tests/ardour/blues_lstm_session.lua) and
# OUT_DIR/ardour.log, and prints a short summary. tests/ardour_session.rs checks the events.
# Runs in a throw-away HOME/XDG_* so the machine's Ardour config and plugin cache are untouched.
#
# The session sets the plugin's "Comping" to 0 % (pads: the chords struck at every bar line and
# chord change) and records what the plugin says it played with (param/state header lines).
# Settings (environment): BLUES_BPM (120), BLUES_CHORUSES (8), BLUES_LOOP_PASSES (4),
# BLUES_RATE (48000), BLUES_SPEED (Dummy backend driver, "20x Speed"), ARDOUR_TIMEOUT (600 s),
# KEEP_ARDOUR_WORKDIR=1 keeps the temporary session.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 \"/abs/path/Blues LSTM.vst3\" OUT_DIR" >&2
	exit 64
fi
bundle=$1
out_dir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lua_dir=$here/tests/ardour
ardour_lib=/usr/lib/ardour7
scanner=$ardour_lib/ardour-vst3-scanner

[ -d "$bundle" ] || { echo "no VST3 bundle at $bundle" >&2; exit 66; }
command -v ardour7-lua >/dev/null || { echo "ardour7-lua not found: apt-get install --no-install-recommends ardour" >&2; exit 69; }
[ -x "$scanner" ] || { echo "$scanner not found" >&2; exit 69; }
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/blues-ardour.XXXXXX")
cleanup() { if [ "${KEEP_ARDOUR_WORKDIR:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache XDG_DATA_HOME=$work/data
mkdir -p "$HOME" "$XDG_CONFIG_HOME/ardour7/scripts" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$work/vst3"

# The plugin, on a VST3 path of its own. Ardour's session engine only reads its plugin cache,
# and a cache entry counts only if the plugin is strictly older than it (whole seconds): copy the
# bundle, date the copy two minutes back, then let Ardour's scanner write the cache.
name=$(basename "$bundle")
cp -r "$bundle" "$work/vst3/$name"
find "$work/vst3/$name" -exec touch -h -d '-2 min' {} +
export VST3_PATH=$work/vst3
scan=$(LD_LIBRARY_PATH=$ardour_lib "$scanner" -f "$work/vst3/$name" 2>&1) || true
echo "$scan" >"$out_dir/ardour.log"
if ! grep -q "Found Plugin: Blues LSTM" <<<"$scan"; then
	echo "Ardour's VST3 scanner did not find Blues LSTM in $bundle:" >&2
	echo "$scan" >&2
	exit 1
fi

cp "$lua_dir/blues_lstm_capture.lua" "$XDG_CONFIG_HOME/ardour7/scripts/"
events=$out_dir/ardour-events.txt
rm -f "$events"
export BLUES_SESSION_DIR=$work/session BLUES_EVENTS=$events
start=$(date +%s)
status=0
timeout "${ARDOUR_TIMEOUT:-600}" ardour7-lua "$lua_dir/blues_lstm_session.lua" >>"$out_dir/ardour.log" 2>&1 || status=$?
took=$(( $(date +%s) - start ))
grep -E '^(backend:|set |song:|loop:|wrote |note:)' "$out_dir/ardour.log" || true
if [ ! -s "$events" ] || ! tail -n 1 "$events" | grep -q '^end '; then
	echo "Ardour run failed (exit $status after ${took}s); last lines of $out_dir/ardour.log:" >&2
	tail -n 30 "$out_dir/ardour.log" >&2
	exit 1
fi
if [ "$status" -ne 0 ]; then
	echo "note: ardour7-lua exited with $status after writing the events (see $out_dir/ardour.log)" >&2
fi

awk -v took="$took" '
	$1 == "phase" { phase = $2 }
	$1 == "E" {
		kind = int($3 / 16); ch = $3 % 16 + 1
		if (kind == 9 && $5 > 0) { on[phase, ch]++ }
		else if (kind == 8 || kind == 9) { off[phase]++; if ($5 == 64) host[phase]++ }
	}
	$1 == "R" { rolls[phase]++ }
	$1 == "S" { stop[phase] = $2 }
	$1 == "end" { dropped = $3 }
	$1 == "param" { label = $6; for (i = 7; i <= NF; i++) label = label " " $i; params = params sprintf("%s = %s (range %s..%s), ", label, $5, $3, $4) }
	$1 == "state" { state = state sprintf("%s %s, ", $2, $3) }
	END {
		printf "summary (%d s): ", took
		printf "plugin set: %splugin state: %s", params, state
		printf "song: %d chord + %d melody + %d bass NoteOns, %d NoteOffs (%d of them Ardour'"'"'s at the stop, sample %d); ",
			on["song", 1], on["song", 2], on["song", 3], off["song"], host["song"], stop["song"]
		printf "loop: %d passes begun, %d chord + %d melody + %d bass NoteOns, %d NoteOffs (%d Ardour'"'"'s at the stop, sample %d); ",
			rolls["loop"], on["loop", 1], on["loop", 2], on["loop", 3], off["loop"], host["loop"], stop["loop"]
		printf "%d events dropped\n", dropped
	}' "$events"
echo "events: $events"
