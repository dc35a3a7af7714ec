#!/usr/bin/env bash
# Sets up and runs every test: installs what is missing, checks formatting,
# starts a throwaway PostgreSQL server, builds with warnings as errors and runs
# the whole suite through ctest (the end-to-end tests once on SQLite and once
# on PostgreSQL), then does it again under AddressSanitizer +
# UndefinedBehaviorSanitizer, and stops the server.
# Environment: JOBS (parallel build jobs, default: all cores), BUILD_ROOT
# (default: build/), SKIP_SANITIZE=1 to skip the sanitizer pass, SKIP_FUZZ=1 to
# skip the short fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh
jobs=${JOBS:-$(nproc)}
build_root=${BUILD_ROOT:-$root/build}

if command -v clang-format >/dev/null 2>&1; then
  echo "== format check"
  scripts/format.sh --check
else
  echo "== format check skipped: clang-format is not installed"
fi

# A PostgreSQL server of its own, in a temporary folder, for the "pg:" tests;
# stopped and removed however this script ends.
pg_dir=$(mktemp -d /tmp/roster-test-pg.XXXXXX)
trap 'scripts/pg-server.sh stop "$pg_dir"' EXIT
echo "== PostgreSQL: starting a throwaway server in $pg_dir"
ROSTER_TEST_PG=$(scripts/pg-server.sh start "$pg_dir")
export ROSTER_TEST_PG

run_suite() {
  local name=$1; shift
  local dir="$build_root/$name"
  echo "== $name: configure and build"
  cmake -S "$root" -B "$dir" -G Ninja -DROSTER_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== $name: ctest"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

run_suite release -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  # detect_leaks stays on; halt_on_error makes any finding fail the test.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
  run_suite sanitize -DCMAKE_BUILD_TYPE=Debug -DROSTER_SANITIZE=ON
fi
# A short, seeded fuzz run of the reader and of the import pipeline (clang,
# libFuzzer, ASan + UBSan); scripts/fuzz.sh runs them as long as you like.
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzz: short bounded run"
  scripts/fuzz.sh 15 -seed=1
fi
# The packages: cmake --install and the .deb, each run from a fresh prefix.
if command -v cpack >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
  echo "== package test"
  PACKAGE_BUILD_DIR="$build_root/release" scripts/package-test.sh
fi
# The spreadsheet round trip, when LibreOffice is installed.
if command -v soffice >/dev/null 2>&1; then
  echo "== spreadsheet round trip (LibreOffice)"
  scripts/spreadsheet-test.sh
fi
# Keep the benchmark script working; its figures never decide anything here.
echo "== benchmark smoke run (5,000 rows)"
scripts/bench.sh --rows 5000 --runs 1
echo "== all tests passed"
