# Sourced by the other scripts: puts a Node >= 22 first on PATH.
# The machines ship Node 20; the project brings Node 24 from the npm registry into
# .toolchain/ (git-ignored) when the machine's Node is older than 22. A current Node skips it.
FAULTLINE_ROOT="${FAULTLINE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
FAULTLINE_NODE_VERSION=24.21.0

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$FAULTLINE_ROOT/.toolchain/node_modules/node/bin/node" ]; then
  export PATH="$FAULTLINE_ROOT/.toolchain/node_modules/node/bin:$PATH"
elif [ "$(node_major)" -lt 22 ]; then
  echo "faultline: Node $(node -v 2>/dev/null || echo none) is older than 22; installing node@$FAULTLINE_NODE_VERSION into .toolchain/" >&2
  mkdir -p "$FAULTLINE_ROOT/.toolchain"
  npm install --prefix "$FAULTLINE_ROOT/.toolchain" --no-save --no-package-lock --no-audit --no-fund \
    "node@$FAULTLINE_NODE_VERSION" >&2
  export PATH="$FAULTLINE_ROOT/.toolchain/node_modules/node/bin:$PATH"
fi
export PATH="$FAULTLINE_ROOT/node_modules/.bin:$PATH"
