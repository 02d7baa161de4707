#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo-fuzz) of what users hand the plugin: model
# files, saved project state and .mid files. Each target runs for SECONDS (default 30); the
# script fails if any target finds a crash, and prints how many inputs each ran.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
# cargo-fuzz needs nightly flags; the one toolchain here is stable, which allows them this way.
export RUSTC_BOOTSTRAP=1
targets=$(cd fuzz && cargo fuzz list)
for target in $targets; do
  mkdir -p "fuzz/corpus/$target"
  # Seeds: real examples of each input.
  case "$target" in
    model_file) cp models/*.json "fuzz/corpus/$target/" ;;
    midi_file) cp fuzz/seeds/*.mid "fuzz/corpus/$target/" 2>/dev/null || true ;;
  esac
  log="target/fuzz-$target.log"
  mkdir -p target
  (cd fuzz && cargo fuzz run --sanitizer none -O "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>&1) >"$log" || {
    tail -40 "$log"
    echo "fuzz target $target FAILED (log: $log, crash input under fuzz/artifacts/$target/)"
    exit 1
  }
  runs=$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+')
  echo "fuzz $target: ${runs:-?} inputs in ${seconds} s, no crash"
done
