#!/usr/bin/env bash
# Sets up roster and runs its main job on the bundled sample retailer: creates a
# directory with a first administrator, imports the reference data (sources,
# sales channels, roles) and 238 people, then shows how a file full of common
# mistakes is reported, adds the store app with four new hires, hands their
# invitations over, and exports the directory.
# Usage: scripts/demo.sh [DB_PATH]        a SQLite file (default: in a temporary folder)
#        scripts/demo.sh --db ADDRESS     a file, or an empty PostgreSQL database
#                                         (postgresql://user@host/dbname)
#        scripts/demo.sh --postgres       the same on a throwaway PostgreSQL server
#                                         that the script starts and stops
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

db=""
postgres=0
case "${1:-}" in
  --db) db=${2:?--db takes a file path or a postgresql:// URI} ;;
  --postgres) postgres=1 ;;
  -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
  "") ;;
  *) db=$1 ;;
esac

scripts/install-deps.sh
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target roster
roster="$build/roster"

work=$(mktemp -d -t roster-demo-XXXXXX)
if [ "$postgres" = 1 ]; then
  pg_dir=$(mktemp -d /tmp/roster-demo-pg.XXXXXX)  # reachable by the postgres user
  trap 'scripts/pg-server.sh stop "$pg_dir"' EXIT
  server=$(scripts/pg-server.sh start "$pg_dir")
  psql -q "$server" -c "CREATE DATABASE roster_demo"
  db=${server/\/postgres\?//roster_demo?}
  echo "# A throwaway PostgreSQL server: $db"
fi
db=${db:-$work/roster.db}
case "$db" in
  postgresql://*|postgres://*) ;;  # roster init refuses a database that is not empty
  *) rm -f "$db" "$db-wal" "$db-shm" ;;
esac
export ROSTER_DB=$db
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step "$roster" init --admin alice --email alice@northwind-retail.com
step "$roster" sources import samples/sources.csv --as alice --report-dir "$work"
step "$roster" sales-channels import samples/sales-channels.csv --as alice --report-dir "$work"
step "$roster" roles import samples/roles.csv --as alice --report-dir "$work"
step "$roster" import samples/users-onboarding.csv --as alice --report-dir "$work"

echo
echo "# The East retail director imports a file with the usual mistakes."
echo "# First a dry run (validate): everything is checked, nothing is committed."
set +e
step "$roster" -q validate samples/users-mistakes.csv --as d.chen --report-dir "$work"
echo "(exit code $?; $(($(wc -l < "$work/users-mistakes.rejected.csv") - 1)) rows would be rejected)"
step "$roster" import samples/users-mistakes.csv --as d.chen --report-dir "$work"
echo "(exit code $?: some rows rejected, the valid ones committed)"
set -e
show "head -4 $work/users-mistakes.rejected.csv"
head -4 "$work/users-mistakes.rejected.csv"
show "grep -v ',unchanged,' $work/users-mistakes.changes.csv | head -8"
grep -v ',unchanged,' "$work/users-mistakes.changes.csv" | head -8

echo
echo "# The store app comes in: its roles, then new hires with a role there."
echo "# kim.nguyen and omar.haddad use only the store app and have no e-mail;"
echo "# rita.patel is a regional manager in both the back office and the store app."
step "$roster" applications import samples/applications.csv --as alice --report-dir "$work"
step "$roster" roles import samples/roles-store-app.csv --as alice --report-dir "$work"
step "$roster" import samples/users-new-hires.csv --as alice --report-dir "$work"
step "$roster" export --as alice --role "Store App Associate" --out "$work/store-app-associates.csv"
show "cat $work/store-app-associates.csv"
cat "$work/store-app-associates.csv"

echo
echo "# Starting a file from scratch: the example template has every column, the"
echo "# optional ones too, and two rows that import into this directory."
step "$roster" template users --example --out "$work/new-hires-example.csv"
show "cat $work/new-hires-example.csv"
cat "$work/new-hires-example.csv"
step "$roster" validate "$work/new-hires-example.csv" --as alice --report-dir "$work"
echo
echo "# Every code in a report is explained, with what to do about it:"
step "$roster" explain SOURCE_NOT_GRANTABLE

echo
echo "# Every new hire with an e-mail waits in the invitations outbox for an activation"
echo "# mail, one per application; rita.patel and sam.ortiz get two each."
show "roster invitations list --pending | tail -5"
"$roster" invitations list --pending | tail -5
step "$roster" invitations export --out "$work/invitations.csv"
show "head -4 $work/invitations.csv"
head -4 "$work/invitations.csv"
step "$roster" invitations mark-sent --file "$work/invitations.csv"

echo
echo "# The director exports the team of one store, as it would for an audit."
step "$roster" export --as d.chen --source EAST-003 --out "$work/east-003-team.csv"
show "cat $work/east-003-team.csv"
cat "$work/east-003-team.csv"
echo
echo "# Round trip: export, edit two cells as in a spreadsheet, check the plan, apply."
step "$roster" export --as alice --out "$work/directory.csv"
sed -e 's/^tom\.reilly,tom\.reilly@northwind-retail\.com,1,/tom.reilly,tom.reilly@northwind-retail.com,0,/' \
    -e 's/^lucy\.park,\(.*\),America\/Los_Angeles,/lucy.park,\1,America\/Phoenix,/' \
    "$work/directory.csv" > "$work/directory-edited.csv"
step "$roster" -q validate "$work/directory-edited.csv" --as alice
show "grep -v ',unchanged,' $work/directory-edited.changes.csv"
grep -v ',unchanged,' "$work/directory-edited.changes.csv"
step "$roster" import "$work/directory-edited.csv" --as alice
step "$roster" import "$work/directory-edited.csv" --as alice
step "$roster" audit --user tom.reilly

echo
echo "# Undo: the round trip's job, reversed into an ordinary file that puts both users back."
job=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["job_id"])' \
      "$work/directory-edited.summary.json")
step "$roster" audit --job "$job" --reverse --out "$work/undo.csv" --as alice
step "$roster" -q validate "$work/undo.csv" --as alice
show "grep -v ',unchanged,' $work/undo.changes.csv"
grep -v ',unchanged,' "$work/undo.changes.csv"
step "$roster" import "$work/undo.csv" --as alice

echo
echo "# The nightly HR snapshot (feed hr-workday): the whole store workforce, every night."
echo "# The first run claims the associates it lists; the next night two are missing"
echo "# (fatima.thompson, elizabeth.taylor) and are disabled; the night after,"
echo "# fatima.thompson is back and is enabled again and invited."
hr() { step "$roster" import "samples/hr-workday-$1.csv" --as alice --feed hr-workday --sync --upsert \
         --report-dir "$work"; }
hr 2026-12-06
hr 2026-12-07
show "grep disabled-missing $work/hr-workday-2026-12-07.changes.csv"
grep disabled-missing "$work/hr-workday-2026-12-07.changes.csv"
hr 2026-12-08
show "roster invitations list --pending | grep fatima.thompson"
"$roster" invitations list --pending | grep fatima.thompson
step "$roster" feeds
step "$roster" audit --user fatima.thompson

echo
echo "# The holiday wave: twelve seasonal associates imported weeks ahead, each with"
echo "# a first day (Start date) and 2027-01-04 as the first day without access, in"
echo "# their store's time zone. Those not started yet are in the directory but may not"
echo "# log in, and get their invitation on their first day. 'roster lifecycle run',"
echo "# daily from cron, lets each one in on that day and out on the last (a missed day"
echo "# is caught up by the next run)."
step "$roster" import samples/users-holiday-wave.csv --as alice --report-dir "$work"
show "roster export --as alice --active 0 | grep 2027-01-04   # not started yet, or over"
"$roster" export --as alice --active 0 | grep 2027-01-04 || echo "(none: every one has started)"
step "$roster" lifecycle run --as alice --report-dir "$work"
step "$roster" jobs --limit 10
echo
echo "Directory: $db   Reports and exports: $work"
if [ "$postgres" = 1 ]; then echo "(the throwaway server stops, and its folder goes, as the demo ends)"; fi
