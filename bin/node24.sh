# Sourced, not run: makes `node` and `npm` on PATH Node 24. The system's when it is 24; else a
# Node 24 from the npm registry, installed once into .local/node24 (git-ignored) with whatever
# npm the machine has. Used by bin/activity and .ci/run, so a newcomer and CI take the same path.

activity_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true; }

activity_use_node24() {
  local root prefix
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  prefix="${ACTIVITY_NODE_PREFIX:-$root/.local/node24}"
  if [ "$(activity_node_major node)" = "24" ]; then return 0; fi
  if [ "$(activity_node_major "$prefix/bin/node")" != "24" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "activity: Node 24 is needed and there is no npm to fetch it with; install Node.js 24 (https://nodejs.org) and run this again" >&2
      return 1
    fi
    echo "activity: the system Node is $(node -v 2>/dev/null || echo 'missing'); installing Node 24 from the npm registry into .local/node24 (once)" >&2
    npm install --global --prefix "$prefix" --no-audit --no-fund --loglevel=error node@24 >&2 || return 1
  fi
  export PATH="$prefix/bin:$PATH"
}
