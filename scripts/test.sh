#!/usr/bin/env bash
# The whole test suite, from a fresh clone: setup, typecheck, lint, then unit, integration
# and end-to-end tests under Node's test runner. Kafka comes from KAFKA_BROKERS, a Docker
# engine (testcontainers) or the local broker script; ClickHouse from CLICKHOUSE_URL or chDB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
source scripts/node-env.sh

echo "== typecheck"; tsc -p tsconfig.json --noEmit
echo "== lint"
# The module-boundary rule reads Nx's project graph and silently skips itself without one.
NX_DAEMON=false nx show projects >/dev/null
eslint --max-warnings 0 .
echo "== tests"
# Test files run one process each (chDB allows one data directory per process).
exec node --enable-source-maps --test --test-reporter=spec \
  --test-global-setup=scripts/test-global-setup.mjs \
  --test-timeout=180000 \
  ${FAULTLINE_TEST_FILES:-"dist/libs/**/*.spec.js" "dist/apps/**/*.spec.js" "dist/libs/**/*.int.test.js" "dist/tests/**/*.e2e.test.js"}
