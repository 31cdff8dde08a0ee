#!/usr/bin/env bash
# Runs every test of the project: codec unit tests, server integration tests against a real
# redis-server, and the Pax Exam tests in a real Karaf. Installs redis-server if it is missing.
# Extra arguments go to Maven (e.g. ./test.sh -pl bundle -am).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/ensure-redis-server.sh
ensure_redis_server
command -v mvn >/dev/null 2>&1 || { echo "Maven (mvn) is required: apt-get install maven" >&2; exit 1; }
exec mvn -B -ntp verify "$@"
