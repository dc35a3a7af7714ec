#!/usr/bin/env bash
# Runs two roster binaries over the same generated files (scripts/bench-gen.py,
# both shapes) and checks that every product byte agrees: the import reports
# (rejected, plan, summary with times and paths masked), the exports, the audit
# and the jobs. For a change that must not change behaviour (a refactoring, a
# faster path).
# Usage: scripts/compare-builds.sh OLD_ROSTER NEW_ROSTER [ROWS]   (default 1000000)
set -euo pipefail
old=$1 new=$2 rows=${3:-1000000}
work=$(mktemp -d /tmp/roster-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$(dirname "$0")/.."

# run BINARY OUT SHAPE_DIR: the bench's operations, each product kept in OUT.
run() {
  local bin=$1 out=$2 in=$3 db=$2/roster.db
  mkdir -p "$out"
  "$bin" --db "$db" -q init --admin bench --email bench@bench.example.com
  for kind in sources sales-channels roles; do
    "$bin" --db "$db" -q "$kind" import "$in/$kind.csv" --as bench --report-dir "$out"
  done
  "$bin" --db "$db" -q import "$in/users.csv" --as bench --report-dir "$out" || true
  "$bin" --db "$db" -q export --as bench --out "$out/export.csv"
  cp "$out/export.csv" "$out/reimport.csv"
  "$bin" --db "$db" -q import "$out/reimport.csv" --as bench --report-dir "$out" || true
  "$bin" --db "$db" -q import "$in/users-update.csv" --as bench --report-dir "$out" || true
  "$bin" --db "$db" -q export --as bench --out "$out/export-after.csv"
  "$bin" --db "$db" -q roles export --out "$out/roles-export.csv"
  "$bin" --db "$db" -q audit --out "$out/audit.csv"
  "$bin" --db "$db" -q jobs --limit 100 > "$out/jobs.txt"
  # Times and the folder differ by design; everything else must not.
  sed -i -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/TIME/g; s#'"$out"'#OUT#g' \
    "$out"/*.json "$out"/*.csv "$out/jobs.txt"
  rm -f "$out"/roster.db*
}

status=0
for shape in first all-scope; do
  python3 scripts/bench-gen.py "$rows" "$work/$shape" --shape "$shape" >/dev/null
  run "$old" "$work/old-$shape" "$work/$shape"
  run "$new" "$work/new-$shape" "$work/$shape"
  if diff -r "$work/old-$shape" "$work/new-$shape" > "$work/diff.txt"; then
    echo "$shape: $(ls "$work/new-$shape" | wc -l) files, $rows rows: identical"
  else
    echo "$shape: DIFFERENT"; head -20 "$work/diff.txt"; status=1
  fi
done
exit $status
