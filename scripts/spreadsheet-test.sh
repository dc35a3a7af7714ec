#!/usr/bin/env bash
# The spreadsheet round trip a person would do: export the sample directory,
# open it in LibreOffice Calc (headless), save it as .xlsx, save that back as
# "CSV UTF-8", and import it: every row must come back unchanged. Also checks
# that each template opens cleanly. Needs libreoffice-calc-nogui.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
command -v soffice >/dev/null || { echo "spreadsheet-test: soffice is not installed" >&2; exit 1; }
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target roster >/dev/null
roster="$build/roster"
work=$(mktemp -d -t roster-sheet-XXXXXX)
trap 'rm -rf "$work"' EXIT
db="$work/roster.db"
office() { soffice -env:UserInstallation="file://$work/profile" --headless "$@" >/dev/null 2>&1; }

"$roster" --db "$db" -q init --admin alice --email alice@northwind-retail.com
for kind in sources sales-channels roles; do
  "$roster" --db "$db" -q "$kind" import "samples/$kind.csv" --as alice --report-dir "$work"
done
"$roster" --db "$db" -q import samples/users-onboarding.csv --as alice --report-dir "$work"
"$roster" --db "$db" export --as alice --out "$work/directory.csv"

# CSV (comma, double quote, UTF-8, first line 1) -> xlsx -> CSV, as a user would.
mkdir -p "$work/xlsx" "$work/back"
office --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$work/xlsx" "$work/directory.csv"
office --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir "$work/back" \
  "$work/xlsx/directory.xlsx"
test -s "$work/back/directory.csv" || { echo "spreadsheet-test: no CSV came back" >&2; exit 1; }

"$roster" --db "$db" import "$work/back/directory.csv" --as alice --report-dir "$work"
python3 - "$work/directory.summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
rows = s["rows"]
assert s["exit_code"] == 0, s
assert rows["unchanged"] == rows["read"] == 239, rows
print(f"spreadsheet round trip: {rows['read']} rows read, all unchanged")
PY

for t in users roles sources sales-channels; do
  office --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$work/xlsx" "templates/$t.csv"
  test -s "$work/xlsx/$t.xlsx" || { echo "spreadsheet-test: templates/$t.csv did not open" >&2; exit 1; }
done
echo "spreadsheet-test: templates open cleanly"
