#!/usr/bin/env bash
# Sets up everything a fresh clone needs, idempotently and quickly when already done:
# Node >= 22, the locked npm dependencies, and the compiled workspace in dist/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
cd "$FAULTLINE_ROOT"

stamp=node_modules/.faultline-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "faultline: installing the locked dependencies" >&2
  # Not `npm ci`: the registry here lacks some other platforms' optional binaries (e.g.
  # @swc/core-darwin-arm64@1.16.22), so the lockfile cannot list them and `npm ci` refuses it.
  # `npm install --no-save` installs exactly the locked tree and leaves the lockfile alone.
  npm install --no-save --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi
node scripts/build.mjs >&2
