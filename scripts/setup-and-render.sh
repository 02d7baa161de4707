#!/usr/bin/env bash
# The main job on a fresh Debian/Ubuntu machine with Rust (rustup, 1.95+): install the few system
# packages the build and the tests need, bundle the plugin (CLAP + VST3), and render a blues
# chorus with the embedded model to target/blues-chorus.mid (and a piano-roll picture of it).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
# The General MIDI SoundFont `blues-lstm render --wav` plays through (and tests/wav.rs needs).
[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || need+=(fluid-soundfont-gm)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
command -v cargo >/dev/null 2>&1 || { echo "Rust is needed: https://rustup.rs (then run this again)" >&2; exit 1; }

cargo xtask bundle blues_lstm --release
cargo run --release --quiet --bin blues-lstm -- render --choruses 1 --tempo 120 --seed 1 \
  --out target/blues-chorus.mid --png target/blues-chorus.png
echo
echo "Bundles:  target/bundled/Blues LSTM.clap  and  target/bundled/Blues LSTM.vst3"
echo "Rendered: target/blues-chorus.mid (picture: target/blues-chorus.png), improvised by the embedded model"
