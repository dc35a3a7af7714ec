#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs them, seeded
# from every CSV in tests/data and samples/. Crashes land in build/fuzz/crashes.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [extra libFuzzer flags...]
#   scripts/fuzz.sh 30                  # a short bounded run (test.sh does this)
#   scripts/fuzz.sh 0 -runs=10000000    # a long run: 10 million executions each
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
shift || true

scripts/install-deps.sh
if ! command -v clang++ >/dev/null 2>&1 || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi
build="$root/build/fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DROSTER_FUZZ=ON -DROSTER_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target csv_input_fuzz import_fuzz

corpus="$build/corpus"
mkdir -p "$corpus" "$build/crashes"
find tests/data samples -name '*.csv' -type f -size -1M -exec cp {} "$corpus/" \;
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
for target in csv_input_fuzz import_fuzz; do
  echo "== $target"
  limit=(); [ "$seconds" != 0 ] && limit=(-max_total_time="$seconds")
  "$build/$target" "$corpus" "${limit[@]}" -max_len=4096 -timeout=10 \
    -artifact_prefix="$build/crashes/$target-" -print_final_stats=1 "$@" 2>&1 |
    grep -E 'stat::number_of_executed_units|Done|ERROR|SUMMARY|crash-|BINGO' || true
  if ls "$build/crashes/$target-"* >/dev/null 2>&1; then
    echo "fuzz: $target found a failure; see $build/crashes" >&2
    exit 1
  fi
done
