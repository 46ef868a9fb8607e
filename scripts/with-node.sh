#!/usr/bin/env bash
# Runs a command with Node >= 22 on PATH (see node-env.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
exec "$@"
