#!/usr/bin/env bash
# Benchmarks roster against the sqlite3 shell's raw CSV import and export, in the
# same run, on generated files (scripts/bench-gen.py: seeded, deterministic);
# then the same operations on PostgreSQL against psql's raw \copy of the same
# file into and out of a bare table, on a throwaway server (fsync on) that the
# script starts and stops.
# Usage: scripts/bench.sh [--rows N[,N...]] [--runs K] [--keep] [--no-postgres]
#   default: --rows 100000,1000000 --runs 3   (10000000 on request)
# Prints, per size and backend, the median wall time of each operation, rows
# per second, peak resident memory (of roster, or of sqlite3 / psql) and each
# roster figure's ratio to the raw one. The operations: new users into a
# directory holding only the reference data, and as many again into the
# directory they made; that directory's own export re-imported (all unchanged);
# the same export as a feed's --sync snapshot of a directory whose users the
# feed manages (the missing-user step on top of an unchanged re-import);
# every user updated; the export; and `roster lifecycle run` with nothing due
# and with 10,000 End dates come.
# Timing never decides whether CI passes; test.sh runs a tiny size only to keep
# this script working.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

sizes=100000,1000000
runs=3
keep=0
postgres=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-postgres) postgres=0; shift ;;
    *) echo "usage: scripts/bench.sh [--rows N[,N...]] [--runs K] [--keep] [--no-postgres]" >&2
       exit 2 ;;
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

if [ "$postgres" = 1 ]; then
  pg_dir=$(mktemp -d /tmp/roster-bench-pg.XXXXXX)
  trap 'scripts/pg-server.sh stop "$pg_dir"' EXIT
  pg_server=$(PG_SERVER_FSYNC=on scripts/pg-server.sh start "$pg_dir")
  export PGOPTIONS="-c client_min_messages=warning"  # no NOTICE for IF EXISTS
fi
# The URI of database $1 on the benchmark's server.
pg_db() { echo "${pg_server/\/postgres\?//$1?}"; }
pg_sql() { psql -qAt "$pg_server" -c "$1" >/dev/null; }
# A fresh database `work` cloned from database $1.
pg_fresh() { pg_sql "DROP DATABASE IF EXISTS work"; pg_sql "CREATE DATABASE work TEMPLATE $1"; }

# Checks that the runs did what they claim, so that a fast figure is never a broken one.
check_runs() {
  jq_count() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rows'][sys.argv[2]])" "$@"; }
  [ "$(jq_count "$work/users.summary.json" created)" = "$rows" ] || { echo "bench: import_new did not create every row ($1)"; exit 1; }
  [ "$(jq_count "$work/export.summary.json" unchanged)" = "$((rows + 1))" ] || { echo "bench: import_unchanged was not all unchanged ($1)"; exit 1; }
  [ "$(jq_count "$work/users-update.summary.json" updated)" = "$rows" ] || { echo "bench: import_update_all did not update every row ($1)"; exit 1; }
  [ "$(jq_count "$work/users-more.summary.json" created)" = "$rows" ] || { echo "bench: import_new_into_full did not create every row ($1)"; exit 1; }
  [ "$(jq_count "$work/export-sync.summary.json" unchanged)" = "$((rows + 1))" ] || { echo "bench: import_unchanged_sync was not all unchanged ($1)"; exit 1; }
  [ "$(python3 -c "import json,sys; s = json.load(open(sys.argv[1])); print(s['sync'], s['disabled_missing'])" "$work/export-sync.summary.json")" = "True 0" ] || { echo "bench: import_unchanged_sync did not sync ($1)"; exit 1; }
}

# sync_cost PREFIX TITLE: the --sync snapshot next to the plain unchanged
# re-import of the same file into the same directory (feed.db: setting the
# feed rewrote every row, so its pages are not full.db's).
sync_cost() {
  awk -v p="$1" -v title="$2" '
    { t[$1] = $2; m[$1] = $3 }
    END {
      a = t[p "feed_dir_unchanged"]; b = t[p "import_unchanged_sync"]
      printf "%s: --feed --sync snapshot %.2f s (%d MiB) vs the same file without --feed --sync %.2f s (%d MiB): %.2fx\n",
             title, b, m[p "import_unchanged_sync"], a, m[p "feed_dir_unchanged"], b / (a > 0 ? a : 0.01)
    }' "$work/results"
}

# table PREFIX TITLE RAW: prints the rows of $work/results named PREFIX*.
table() {
  awk -v rows="$rows" -v runs="$runs" -v p="$1" -v title="$2" -v raw="$3" '
    { t[$1] = $2; m[$1] = $3 }
    END {
      printf "\n%s: %d rows, median of %d runs\n", title, rows, runs
      printf "%-20s %10s %12s %10s %12s\n", "operation", "seconds", "rows/s", "peak MiB", "vs " raw
      n = split("raw_import raw_export import_new import_new_into_full import_unchanged " \
                "import_unchanged_sync import_update_all export", order, " ")
      ref["import_new"] = "raw_import"; ref["import_new_into_full"] = "raw_import"
      ref["import_unchanged"] = "raw_import"; ref["import_unchanged_sync"] = "raw_import"
      ref["import_update_all"] = "raw_import"; ref["export"] = "raw_export"
      for (i = 1; i <= n; i++) {
        op = order[i]; k = p op
        ratio = "-"  # (reading ref[op] first would create the key)
        if (op in ref) { r = p ref[op]; ratio = sprintf("%.2fx", t[k] / (t[r] > 0 ? t[r] : 0.01)) }
        printf "%-20s %10.2f %12.0f %10d %12s\n", op, t[k], rows / (t[k] > 0 ? t[k] : 0.01), m[k], ratio
      }
    }' "$work/results"
}

# lifecycle_runs PREFIX (SQLite, first shape): `roster lifecycle run` on the
# full directory with nothing due, next to opening it for `roster jobs`; and
# with N users whose End date came (N = 10,000, or a tenth of a smaller
# directory; set directly, as an import of dates already past would leave
# them) next to importing N updates of the same users.
lifecycle_runs() {
  local p=$1 n=$((rows / 10 < 10000 ? rows / 10 : 10000))
  measure "${p}open_only" ":" "$roster -q --db $work/full.db jobs --limit 1 > /dev/null"
  measure "${p}lifecycle_idle" "fresh_db $work/full.db; mkdir -p $work/lc-idle" \
    "$R lifecycle run --as bench --report-dir $work/lc-idle"
  cp "$work/full.db" "$work/ending.db"
  sqlite3 "$work/ending.db" "UPDATE users SET end_date = '2000-01-01', next_change = '2000-01-01T00:00:00Z' WHERE id IN (SELECT id FROM users WHERE username != 'bench' ORDER BY id LIMIT $n)"
  measure "${p}lifecycle_expire" "fresh_db $work/ending.db; rm -rf $work/lc; mkdir -p $work/lc" \
    "$R lifecycle run --as bench --max-disable 100 --report-dir $work/lc"
  head -$((n + 1)) "$in/users-update.csv" > "$work/update-n.csv"
  measure "${p}import_update_n" "fresh_db $work/full.db" \
    "$R import $work/update-n.csv --as bench --report-dir $work"
  local expired
  expired=$(python3 -c "import glob, json; print(json.load(open(glob.glob('$work/lc/lifecycle-*.summary.json')[0]))['rows']['expired'])")
  [ "$expired" = "$n" ] || { echo "bench: lifecycle expired $expired, not $n"; exit 1; }
  awk -v p="$p" -v n="$n" '
    { t[$1] = $2; m[$1] = $3 }
    END {
      printf "\nSQLite, lifecycle run: nothing due %.2f s (opening for roster jobs: %.2f s); %d expiries %.2f s vs importing %d updates %.2f s: %.2fx\n",
             t[p "lifecycle_idle"], t[p "open_only"], n, t[p "lifecycle_expire"], n,
             t[p "import_update_n"], t[p "lifecycle_expire"] / (t[p "import_update_n"] > 0 ? t[p "import_update_n"] : 0.01)
    }' "$work/results" >> "$work/lifecycle.txt"
}

# run_shape SHAPE PREFIX: generates the SHAPE workload (scripts/bench-gen.py
# --shape) and measures every operation on it, as PREFIX* (SQLite) and
# PREFIX"pg_"* (PostgreSQL) in $work/results.
run_shape() {
  local shape=$1 p=$2
  local in="$work/$shape"
  python3 scripts/bench-gen.py "$rows" "$in" --shape "$shape"
  local base="$work/base.db"
  rm -f "$base"
  "$roster" --db "$base" -q init --admin bench --email bench@bench.example.com
  for kind in sources sales-channels roles; do
    "$roster" --db "$base" -q "$kind" import "$in/$kind.csv" --as bench --report-dir "$work"
  done
  R="$roster -q --db $work/work.db"

  measure "${p}raw_import" "rm -f $work/raw.db" "sqlite3 $work/raw.db '.import --csv $in/users.csv bare'"
  measure "${p}raw_export" ":" "sqlite3 -csv $work/raw.db 'SELECT * FROM bare' > $work/raw-export.csv"
  measure "${p}import_new" "fresh_db $base" "$R import $in/users.csv --as bench --report-dir $work"
  cp "$work/work.db" "$work/full.db"
  measure "${p}export" ":" "$roster -q --db $work/full.db export --as bench --out $work/export.csv"
  cp "$work/export.csv" "$work/export-sqlite.csv"
  measure "${p}import_unchanged" "fresh_db $work/full.db" \
    "$R import $work/export.csv --as bench --report-dir $work"
  # The same directory with every user managed by feed hr, as a first feed run
  # would leave it (set directly: a claim audits every user, which is a
  # one-off cost and not the nightly one measured here).
  cp "$work/full.db" "$work/feed.db"
  sqlite3 "$work/feed.db" "UPDATE users SET feed = 'hr'"
  cp "$work/export.csv" "$work/export-sync.csv"
  measure "${p}import_unchanged_sync" "fresh_db $work/feed.db" \
    "$R import $work/export-sync.csv --as bench --feed hr --sync --report-dir $work"
  measure "${p}feed_dir_unchanged" "fresh_db $work/feed.db" \
    "$R import $work/export.csv --as bench --report-dir $work"
  measure "${p}import_update_all" "fresh_db $work/full.db" \
    "$R import $in/users-update.csv --as bench --report-dir $work"
  measure "${p}import_new_into_full" "fresh_db $work/full.db" \
    "$R import $in/users-more.csv --as bench --report-dir $work"

  check_runs "$shape, sqlite"
  [ "$shape" = first ] && lifecycle_runs "$p"

  if [ "$postgres" = 1 ]; then
    pg_sql "DROP DATABASE IF EXISTS base"; pg_sql "CREATE DATABASE base"
    "$roster" --db "$(pg_db base)" -q init --admin bench --email bench@bench.example.com
    for kind in sources sales-channels roles; do
      "$roster" --db "$(pg_db base)" -q "$kind" import "$in/$kind.csv" --as bench --report-dir "$work"
    done
    # The raw reference: psql's \copy of the same file into a bare table of
    # text columns, and out of it again.
    cols=$(head -1 "$in/users.csv" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
    pg_sql "DROP DATABASE IF EXISTS raw"; pg_sql "CREATE DATABASE raw"
    P="psql -qAt '$(pg_db raw)'"
    measure "${p}pg_raw_import" "$P -c 'DROP TABLE IF EXISTS bare' -c 'CREATE TABLE bare ($cols)'" \
      "$P -c \"\\copy bare FROM '$in/users.csv' WITH (FORMAT csv, HEADER)\""
    measure "${p}pg_raw_export" ":" "$P -c \"\\copy bare TO '$work/raw-export-pg.csv' WITH (FORMAT csv)\""
    W="$roster -q --db '$(pg_db work)'"
    measure "${p}pg_import_new" "pg_fresh base" "$W import $in/users.csv --as bench --report-dir $work"
    pg_sql "DROP DATABASE IF EXISTS full_dir"; pg_sql "CREATE DATABASE full_dir TEMPLATE work"
    measure "${p}pg_export" ":" "$roster -q --db '$(pg_db full_dir)' export --as bench --out $work/export.csv"
    cmp -s "$work/export.csv" "$work/export-sqlite.csv" || { echo "bench: the PostgreSQL export differs from SQLite's ($shape)"; exit 1; }
    measure "${p}pg_import_unchanged" "pg_fresh full_dir" \
      "$W import $work/export.csv --as bench --report-dir $work"
    pg_sql "DROP DATABASE IF EXISTS feed_dir"; pg_sql "CREATE DATABASE feed_dir TEMPLATE full_dir"
    psql -qAt "$(pg_db feed_dir)" -c "UPDATE users SET feed = 'hr'" >/dev/null
    measure "${p}pg_import_unchanged_sync" "pg_fresh feed_dir" \
      "$W import $work/export-sync.csv --as bench --feed hr --sync --report-dir $work"
    measure "${p}pg_feed_dir_unchanged" "pg_fresh feed_dir" \
      "$W import $work/export.csv --as bench --report-dir $work"
    measure "${p}pg_import_update_all" "pg_fresh full_dir" \
      "$W import $in/users-update.csv --as bench --report-dir $work"
    measure "${p}pg_import_new_into_full" "pg_fresh full_dir" \
      "$W import $in/users-more.csv --as bench --report-dir $work"
    check_runs "$shape, postgresql"
  fi
}

# compare PREFIX TITLE: each roster operation of the second shape (s2_PREFIX*)
# next to the first's (PREFIX*), and their ratio.
compare() {
  awk -v rows="$rows" -v p="$1" -v title="$2" '
    { t[$1] = $2 }
    END {
      printf "\n%s: all-scope shape vs the first, %d rows\n", title, rows
      printf "%-20s %10s %10s %12s\n", "operation", "first s", "second s", "second/first"
      n = split("import_new import_new_into_full import_unchanged import_update_all export",
                order, " ")
      for (i = 1; i <= n; i++) {
        a = t[p order[i]]; b = t["s2_" p order[i]]
        printf "%-20s %10.2f %10.2f %11.2fx\n", order[i], a, b, b / (a > 0 ? a : 0.01)
      }
    }' "$work/results"
}

for rows in ${sizes//,/ }; do
  work=$(mktemp -d -t roster-bench-XXXXXX)
  echo "== $rows rows (work folder $work)"
  : > "$work/results"
  run_shape first ""
  run_shape all-scope s2_

  table "" "SQLite, first shape" sqlite3
  table s2_ "SQLite, all-scope shape" sqlite3
  compare "" "SQLite"
  echo
  sync_cost "" "SQLite, first shape"
  sync_cost s2_ "SQLite, all-scope shape"
  cat "$work/lifecycle.txt"
  if [ "$postgres" = 1 ]; then
    table pg_ "PostgreSQL, first shape" "psql \\copy"
    table s2_pg_ "PostgreSQL, all-scope shape" "psql \\copy"
    compare pg_ "PostgreSQL"
    echo
    sync_cost pg_ "PostgreSQL, first shape"
    sync_cost s2_pg_ "PostgreSQL, all-scope shape"
  fi
  [ "$keep" = 1 ] || rm -rf "$work"
done
