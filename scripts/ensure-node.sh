#!/usr/bin/env bash
# Prints the path of a Node >= 22 binary, installing one from the npm registry's `node@22`
# package into .tools/node22 when the system Node is older. Kizuna targets Node 22 LTS: the
# server runs TypeScript directly through Node 22's type stripping, which Node 20 lacks.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want=22
if command -v node >/dev/null 2>&1; then
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -ge "$want" ]; then command -v node; exit 0; fi
fi
local_node="$root/.tools/node22/node_modules/node/bin/node"
if [ ! -x "$local_node" ]; then
  echo "kizuna: system Node is older than $want; installing node@$want from the npm registry into .tools/node22" >&2
  mkdir -p "$root/.tools/node22"
  (cd "$root/.tools/node22" && [ -f package.json ] || echo '{"name":"kizuna-node22","private":true}' > package.json)
  npm install --prefix "$root/.tools/node22" --no-audit --no-fund --loglevel=error "node@$want" >&2
fi
echo "$local_node"
