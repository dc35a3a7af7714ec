#!/usr/bin/env bash
# Builds the Debian package and the `cmake --install` tree, and checks that each
# works where nothing else of roster is: the binary runs from a fresh prefix,
# finds its templates and imports the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# PACKAGE_BUILD_DIR: an existing release build to package (scripts/test.sh
# passes its own, so CI compiles roster once); by default a build of its own.
if [ -n "${PACKAGE_BUILD_DIR:-}" ]; then
  build=$PACKAGE_BUILD_DIR
else
  build="$root/build/package"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROSTER_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target roster >/dev/null
work=$(mktemp -d -t roster-package-XXXXXX)
trap 'rm -rf "$work"' EXIT

check_tree() {  # PREFIX: a tree with bin/roster and share/...
  local prefix=$1 db="$work/check.db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$prefix/bin/roster" --version
  test -s "$prefix/share/man/man1/roster.1"
  test -s "$prefix/share/roster/templates/users.csv"
  local samples="$prefix/share/doc/roster/examples/samples"
  "$prefix/bin/roster" --db "$db" -q init --admin alice --email alice@northwind-retail.com
  for kind in sources sales-channels roles; do
    "$prefix/bin/roster" --db "$db" -q "$kind" import "$samples/$kind.csv" --as alice --report-dir "$work"
  done
  "$prefix/bin/roster" --db "$db" -q import "$samples/users-onboarding.csv" --as alice --report-dir "$work"
  test "$("$prefix/bin/roster" --db "$db" export --as alice | wc -l)" = 240
}

echo "== cmake --install into a fresh prefix"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
check_tree "$work/prefix"

echo "== cpack -G DEB, unpacked into a fresh root"
rm -f "$build"/roster_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/roster_*.deb)
dpkg-deb --info "$deb" | grep -E "Package|Version|Depends"
dpkg-deb -x "$deb" "$work/root"
check_tree "$work/root/usr"
echo "== package ok: $(basename "$deb")"
