#!/usr/bin/env bash
# A three-node Citus cluster on this machine: a coordinator and two workers, each its own PostgreSQL 15
# with trust authentication on loopback. Needs Citus installed (tools/citus/build.sh).
#   tools/citus/cluster.sh start [DIR]   # default DIR /tmp/attent-citus; ports 9700 (coordinator), 9701, 9702
#   tools/citus/cluster.sh stop [DIR]
# Then: ATTENT_TEST_CITUS_URL=postgresql://postgres@127.0.0.1:9700/postgres make test-citus
set -euo pipefail
action="${1:?usage: cluster.sh start|stop [DIR]}"
dir="${2:-/tmp/attent-citus}"
bin="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
[ -x "$bin/initdb" ] || bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
ports=(9700 9701 9702)

if [ "$action" = stop ]; then
  for port in "${ports[@]}"; do as_pg "$bin/pg_ctl" -D "$dir/$port" -m fast stop >/dev/null 2>&1 || true; done
  exit 0
fi

mkdir -p "$dir" && chown postgres "$dir" 2>/dev/null || true
for port in "${ports[@]}"; do
  data="$dir/$port"
  if [ ! -f "$data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust >/dev/null
    cat >> "$data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
max_connections = 300
max_prepared_transactions = 200
fsync = off
synchronous_commit = off
CONF
  fi
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/log" -w status >/dev/null 2>&1 || as_pg "$bin/pg_ctl" -D "$data" -l "$data/log" -w start >/dev/null
done
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
for port in "${ports[@]}"; do psql -p "$port" -d postgres -c "CREATE EXTENSION IF NOT EXISTS citus"; done
psql -p 9700 -d postgres -c "SELECT citus_set_coordinator_host('127.0.0.1', 9700)" >/dev/null
for port in 9701 9702; do
  psql -p 9700 -d postgres -c "SELECT 1 FROM citus_add_node('127.0.0.1', $port)" >/dev/null
done
echo "citus cluster up: coordinator 127.0.0.1:9700, workers 9701 9702 ($(psql -p 9700 -d postgres -c 'SELECT count(*) FROM citus_get_active_worker_nodes()') active)"
