#!/usr/bin/env bash
# Installs (if missing) and starts Debian's PostgreSQL on 127.0.0.1, creates a test role and
# database, and prints the SQLAlchemy URL for COUNTY_TEST_PG_URL on stdout.
# Run as root (CI) or with sudo rights. Idempotent.
set -euo pipefail
PG_USER=county_test
PG_DB=county_test
PG_PASS=county_test
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "安装 PostgreSQL……" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >&2
fi

# the newest installed major version, its first cluster (create one if there is none)
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
cluster=$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1==v {print $2; exit}')
if [ -z "$cluster" ]; then
  cluster=main
  $sudo pg_createcluster "$version" "$cluster" >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')
status=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}')
if [ "$status" != "online" ]; then
  $sudo pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 1 30); do
  if $sudo -u postgres psql -p "$port" -qtAc "select 1" >/dev/null 2>&1 \
     || runuser -u postgres -- psql -p "$port" -qtAc "select 1" >/dev/null 2>&1; then
    break
  fi
  sleep 1
done

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_pg psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'" | grep -q 1 \
  || as_pg psql -p "$port" -qc "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASS'" >&2
as_pg psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='$PG_DB'" | grep -q 1 \
  || as_pg psql -p "$port" -qc "CREATE DATABASE $PG_DB OWNER $PG_USER" >&2
echo "postgresql+psycopg://$PG_USER:$PG_PASS@127.0.0.1:$port/$PG_DB"
