#!/usr/bin/env bash
# The README's audio examples, docs/audio/*.mp3: the takes its piano rolls show, played through
# Debian's General MIDI SoundFont (`blues-lstm render --wav`, `eval --wav-dir`), then made small
# enough to keep in the repository with LAME (mono, about 55 kbit/s). Installs fluid-soundfont-gm and lame if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || need+=(fluid-soundfont-gm)
command -v lame >/dev/null 2>&1 || need+=(lame)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

wav=target/audio-examples
mkdir -p "$wav" docs/audio
run() { cargo run --release --quiet --bin blues-lstm -- "$@"; }

# The default band and the corpus it learned: two choruses at 120 BPM, as the README pictures them.
run render --choruses 2 --seed 3 --wav "$wav/band.wav"
run render --mode audition --choruses 2 --seed 3 --wav "$wav/corpus.wav"
# The paper's Exp 2 network, and the plain RNN beside it where it loses the form (choruses 6-7).
run render --model builtin:paper-exp2 --choruses 2 --seed 3 --wav "$wav/exp2.wav"
run eval --model builtin:paper-exp2 --temperature 1 --compare --choruses 50 --wav-dir "$wav/eval" --png-from 6 >/dev/null
cp "$wav/eval/rnn.wav" "$wav/rnn.wav"

for take in band corpus exp2 rnn; do
  lame --quiet -m m -V 7 "$wav/$take.wav" "docs/audio/$take.mp3"
  echo "wrote docs/audio/$take.mp3"
done
