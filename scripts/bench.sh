#!/usr/bin/env bash
# Benchmarks roster against the sqlite3 shell's raw CSV import and export, in the
# same run, on generated files (scripts/bench-gen.py: seeded, deterministic).
# Usage: scripts/bench.sh [--rows N[,N...]] [--runs K] [--keep]
#   default: --rows 100000,1000000 --runs 3   (10000000 on request)
# Prints, per size, the median wall time of each operation, rows per second,
# peak resident memory and each roster figure's ratio to the raw sqlite3 one.
# Timing never decides whether CI passes; test.sh runs a tiny size only to keep
# this script working.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

sizes=100000,1000000
runs=3
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: scripts/bench.sh [--rows N[,N...]] [--runs K] [--keep]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target roster >/dev/null
roster="$build/roster"
timer=/usr/bin/time
[ -x "$timer" ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# measure NAME PREPARE COMMAND: runs PREPARE (untimed) then COMMAND, $runs times;
# records the median seconds and the largest peak RSS (MiB) in $work/results.
measure() {
  local name=$1 prepare=$2 command=$3 i
  : > "$work/$name.times"
  : > "$work/$name.rss"
  for ((i = 0; i < runs; i++)); do
    eval "$prepare"
    sync
    "$timer" -f "%e %M" -o "$work/time.out" bash -c "$command" || {
      echo "bench: '$name' failed:"; cat "$work/time.out"; exit 1; }
    read -r secs kb < <(tail -1 "$work/time.out")
    echo "$secs" >> "$work/$name.times"
    echo "$kb" >> "$work/$name.rss"
  done
  local med rss
  med=$(median < "$work/$name.times")
  rss=$(sort -g "$work/$name.rss" | tail -1)
  echo "$name $med $((rss / 1024))" >> "$work/results"
}

fresh_db() { rm -f "$work/work.db" "$work/work.db-wal" "$work/work.db-shm"; cp "$1" "$work/work.db"; }

for rows in ${sizes//,/ }; do
  work=$(mktemp -d -t roster-bench-XXXXXX)
  echo "== $rows rows (work folder $work)"
  python3 scripts/bench-gen.py "$rows" "$work/in"
  base="$work/base.db"
  "$roster" --db "$base" -q init --admin bench --email bench@bench.example.com
  for kind in sources sales-channels roles; do
    "$roster" --db "$base" -q "$kind" import "$work/in/$kind.csv" --as bench --report-dir "$work"
  done
  : > "$work/results"
  R="$roster -q --db $work/work.db"

  measure raw_import "rm -f $work/raw.db" "sqlite3 $work/raw.db '.import --csv $work/in/users.csv bare'"
  measure raw_export ":" "sqlite3 -csv $work/raw.db 'SELECT * FROM bare' > $work/raw-export.csv"
  measure import_new "fresh_db $base" "$R import $work/in/users.csv --as bench --report-dir $work"
  cp "$work/work.db" "$work/full.db"
  measure export ":" "$roster -q --db $work/full.db export --as bench --out $work/export.csv"
  measure import_unchanged "fresh_db $work/full.db" \
    "$R import $work/export.csv --as bench --report-dir $work"
  measure import_update_all "fresh_db $work/full.db" \
    "$R import $work/in/users-update.csv --as bench --report-dir $work"

  # Check the runs did what they claim, so that a fast figure is never a broken one.
  jq_count() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rows'][sys.argv[2]])" "$@"; }
  [ "$(jq_count "$work/users.summary.json" created)" = "$rows" ] || { echo "bench: import_new did not create every row"; exit 1; }
  [ "$(jq_count "$work/export.summary.json" unchanged)" = "$((rows + 1))" ] || { echo "bench: import_unchanged was not all unchanged"; exit 1; }
  [ "$(jq_count "$work/users-update.summary.json" updated)" = "$rows" ] || { echo "bench: import_update_all did not update every row"; exit 1; }

  awk -v rows="$rows" -v runs="$runs" '
    { t[$1] = $2; m[$1] = $3 }
    END {
      printf "\n%d rows, median of %d runs\n", rows, runs
      printf "%-20s %10s %12s %10s %12s\n", "operation", "seconds", "rows/s", "peak MiB", "vs sqlite3"
      split("raw_import raw_export import_new import_unchanged import_update_all export", order, " ")
      ref["import_new"] = "raw_import"; ref["import_unchanged"] = "raw_import"
      ref["import_update_all"] = "raw_import"; ref["export"] = "raw_export"
      for (i = 1; i <= 6; i++) {
        op = order[i]
        ratio = (op in ref) ? sprintf("%.2fx", t[op] / (t[ref[op]] > 0 ? t[ref[op]] : 0.01)) : "-"
        printf "%-20s %10.2f %12.0f %10d %12s\n", op, t[op], rows / (t[op] > 0 ? t[op] : 0.01), m[op], ratio
      }
    }' "$work/results"
  [ "$keep" = 1 ] || rm -rf "$work"
done
