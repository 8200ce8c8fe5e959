#!/usr/bin/env bash
# Make sure the local PostgreSQL server the store contract tests use is running on 127.0.0.1:5432.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -V | tail -n1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
    sleep 0.2
  done
fi
echo "PostgreSQL is not running on 127.0.0.1:5432 and could not be started;" \
     "set LATERAL_TEST_POSTGRES_DSN to a server the tests may create databases on." >&2
exit 1
