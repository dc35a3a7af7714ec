#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, the demo and the benchmark.
#   scripts/pg-server.sh start DIR   initdb into DIR, start the server on a Unix
#                                    socket in DIR (no TCP), print its base URI
#   scripts/pg-server.sh stop DIR    stop it and remove DIR
# The server runs as the postgres user when this runs as root (PostgreSQL
# refuses to run as root); its superuser is "roster", trusted on the socket
# only; the user roster_pw alone must give its password (scram-sha-256), for
# the tests of wrong credentials. fsync is off (the tests kill roster, never
# the server or the machine) unless PG_SERVER_FSYNC=on, as the benchmark sets
# it, so that its commits are as durable as SQLite's.
set -euo pipefail
cmd=${1:?usage: pg-server.sh start|stop DIR}
dir=${2:?usage: pg-server.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ]; then
  echo "pg-server: PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case $cmd in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "pg-server: the postgres user cannot reach $dir; use a folder directly under /tmp" >&2
        exit 1
      fi
    fi
    as_owner "$bindir/initdb" -D "$dir/data" -U roster --auth=trust --encoding=UTF8 \
      --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    hba="$dir/data/pg_hba.conf"
    { echo "local all roster_pw scram-sha-256"; cat "$hba"; } >"$hba.new" && mv "$hba.new" "$hba"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$hba"; fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -c fsync=${PG_SERVER_FSYNC:-off} \
          -c full_page_writes=${PG_SERVER_FSYNC:-off} \
          -c max_connections=200 -c shared_buffers=128MB" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgresql://roster@/postgres?host=$dir"
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-server.sh start|stop DIR" >&2
    exit 2
    ;;
esac
