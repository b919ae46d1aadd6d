#!/usr/bin/env bash
# Starts (or stops) a scratch PostgreSQL cluster sized for the machine, for bench/segments at a
# million customers: the machine's own server keeps Debian's defaults (shared_buffers 128 MB), far
# below what a deployment of that size is given, and this leaves that server alone.
#
#   bash bench/segments/scratch-postgres.sh start [--port 5433] [--dir /tmp/kizuna-bench-pg]
#   bash bench/segments/scratch-postgres.sh stop  [--dir /tmp/kizuna-bench-pg]
#   node bench/segments/bench.ts --url postgres://postgres@127.0.0.1:5433/postgres ...
#
# The settings are the usual starting point for a dedicated database machine (shared_buffers a
# quarter of the memory, effective_cache_size three quarters, SSD page costs), as the README's
# "Scaling" section recommends.
set -euo pipefail
action="${1:-start}"
shift || true
port=5433
dir=/tmp/kizuna-bench-pg
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "scratch-postgres: unknown option $1" >&2; exit 2 ;;
  esac
done
bin="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -n | tail -n 1)/bin"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "$action" = stop ]; then
  as_postgres "$bin/pg_ctl" -D "$dir" -m fast stop
  exit 0
fi

mem_mb=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024))
if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_postgres "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$dir/postgresql.conf" <<EOF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_buffers = $((mem_mb / 4))MB
effective_cache_size = $((mem_mb * 3 / 4))MB
maintenance_work_mem = 1GB
work_mem = 32MB
max_wal_size = 8GB
checkpoint_completion_target = 0.9
random_page_cost = 1.1
effective_io_concurrency = 200
EOF
fi
as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null
echo "scratch PostgreSQL on 127.0.0.1:$port (shared_buffers $((mem_mb / 4)) MB), data in $dir"
