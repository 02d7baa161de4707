#!/usr/bin/env bash
# Opens the editor in a real X window under Xvfb (the plugin running stand-alone, its transport
# playing on a dummy audio backend), waits for the music to move, and takes a screenshot:
#   bash scripts/screenshot-editor.sh [OUT.png]     (default target/editor.png)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/editor.png}"
need=()
for pkg in xvfb imagemagick libasound2-dev libjack-jackd2-dev libgl1-mesa-dri libglx-mesa0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
cargo build --release --features standalone --bin blues-lstm-standalone
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x720x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
sleep 2
DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 ./target/release/blues-lstm-standalone --backend dummy --tempo 140 >target/standalone.log 2>&1 &
app=$!
sleep "${SCREENSHOT_WAIT:-40}"
DISPLAY="$display" import -window root "$out"
echo "screenshot: $out"
