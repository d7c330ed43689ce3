#!/usr/bin/env bash
# pg_test_server.sh - a throw-away PostgreSQL 15 + PostGIS 3 server for the tests.
#
#   tools/pg_test_server.sh start DIR   create a cluster in DIR/data (initdb), start it on a
#                                       free port of 127.0.0.1, create the test database and
#                                       roles; writes DIR/env (KEY=VALUE lines, below)
#   tools/pg_test_server.sh stop DIR    stop it (fast shutdown) and remove DIR/data, DIR/env
#   tools/pg_test_server.sh env DIR     print DIR/env
#
# Nothing is installed here: the Debian packages postgresql-15 and postgresql-15-postgis-3
# come from tools/install-deps.sh test.  The server runs as an unprivileged user (the
# `postgres` user the Debian package creates when this runs as root, else the caller),
# listens on 127.0.0.1 only (and a Unix socket in DIR/data), and its files stay in DIR.
# Connections over TCP need a password (scram-sha-256); the socket trusts the superuser,
# which is how the set-up below runs.
#
# DIR/env holds:
#   PGHOST PGPORT PGDATABASE   where the test database is (dcsite_test, with PostGIS)
#   DCS_PG_SOCKET_DIR          the socket directory (superuser `postgres`, no password)
#   DCS_PG_OWNER DCS_PG_OWNER_PASSWORD
#                              a role owning the schemas `gis` (for inputs) and `results`
#   DCS_PG_READER DCS_PG_READER_PASSWORD
#                              a role that may only read: SELECT on the tables of `gis`
#                              (now and later ones made by the owner), no CREATE anywhere
# The passwords are random for each start.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || { echo "usage: $0 start|stop|env DIR" >&2; exit 2; }
data=$dir/data

# run_as_server CMD...: run as the server's user.
run_as_server() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

random_password() {
  od -An -N12 -tx1 /dev/urandom | tr -d ' \n'
}

# A loopback port nobody listens on (a refused connection), from a random start.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "pg_test_server: no free port found" >&2
  return 1
}

psql_super() {
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$data" -p "$port" -U postgres "$@"
}

start() {
  [[ -x $PGBIN/initdb ]] || { echo "pg_test_server: $PGBIN/initdb missing (install postgresql-15: tools/install-deps.sh test)" >&2; exit 1; }
  [[ -f /usr/share/postgresql/15/extension/postgis.control ]] || { echo "pg_test_server: PostGIS missing (install postgresql-15-postgis-3)" >&2; exit 1; }
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "pg_test_server: running as root but there is no 'postgres' user to run the server" >&2
    exit 1
  fi
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chmod a+x "$dir"   # the server's user must reach DIR/data
    runuser -u postgres -- test -x "$dir" ||
      { echo "pg_test_server: user postgres cannot reach $dir: make its parent directories searchable (chmod a+x)" >&2; exit 1; }
  fi
  mkdir "$data"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$data"
  chmod 700 "$data"
  run_as_server "$PGBIN/initdb" -D "$data" -U postgres -E UTF8 --locale=C --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  local tries=0
  while :; do
    port=$(free_port)
    if run_as_server "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
         -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c shared_buffers=16MB -c max_connections=30 \
             -c client_connection_check_interval=200ms" start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [[ $tries -ge 3 ]]; then
      cat "$data/server.log" >&2
      exit 1
    fi
  done
  # a failure from here on stops the server again
  trap 'run_as_server "$PGBIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true' ERR
  local owner_pw reader_pw
  owner_pw=$(random_password)
  reader_pw=$(random_password)
  psql_super -d postgres <<SQL
CREATE ROLE dcs_owner LOGIN PASSWORD '$owner_pw';
CREATE ROLE dcs_reader LOGIN PASSWORD '$reader_pw';
CREATE DATABASE dcsite_test OWNER dcs_owner;
SQL
  psql_super -d dcsite_test <<SQL
CREATE EXTENSION postgis;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA gis AUTHORIZATION dcs_owner;
CREATE SCHEMA results AUTHORIZATION dcs_owner;
GRANT USAGE ON SCHEMA gis, results TO dcs_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE dcs_owner IN SCHEMA gis, results GRANT SELECT ON TABLES TO dcs_reader;
SQL
  umask 077
  cat >"$dir/env" <<ENV
PGHOST=127.0.0.1
PGPORT=$port
PGDATABASE=dcsite_test
DCS_PG_SOCKET_DIR=$data
DCS_PG_OWNER=dcs_owner
DCS_PG_OWNER_PASSWORD=$owner_pw
DCS_PG_READER=dcs_reader
DCS_PG_READER_PASSWORD=$reader_pw
ENV
}

stop() {
  if [[ -f $data/postmaster.pid ]]; then
    run_as_server "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null ||
      { echo "pg_test_server: could not stop the server in $data" >&2; exit 1; }
  fi
  rm -rf "$data" "$dir/env" "$dir/initdb.log"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  env) cat "$dir/env" ;;
  *) echo "usage: $0 start|stop|env DIR" >&2; exit 2 ;;
esac
