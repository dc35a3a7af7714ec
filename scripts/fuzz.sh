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
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# fast-cpp-csv-parser allocates a fixed 48 MiB buffer per file; with heap
# poisoning, ASan spends ~99% of each run preparing it (about 150 runs/s). So
# each target runs a fast pass without heap poisoning (every other check on,
# ~10,000 runs/s for the reader) and then a shorter pass with full ASan.
run() {
  local target=$1 asan=$2; shift 2
  ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:$asan" "$build/$target" "$corpus" \
    -max_len=4096 -timeout=10 -artifact_prefix="$build/crashes/$target-" \
    -print_final_stats=1 "$@" 2>&1 |
    grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|Test unit written' || true
}
for target in csv_input_fuzz import_fuzz; do
  limit=(); [ "$seconds" != 0 ] && limit=(-max_total_time="$seconds")
  echo "== $target, fast pass (no heap poisoning)"
  run "$target" poison_heap=0 "${limit[@]}" "$@"
  echo "== $target, full ASan pass"
  full=$(( seconds > 0 && seconds < 60 ? seconds / 2 : 30 ))
  run "$target" poison_heap=1 -max_total_time="$full"
  if ls "$build/crashes/$target-"* >/dev/null 2>&1; then
    echo "fuzz: $target found a failure; see $build/crashes" >&2
    exit 1
  fi
done
