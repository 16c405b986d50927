#!/usr/bin/env bash
# Installs the SCIM test peer's npm packages (SCIMMY, its Express routers,
# Express; exact versions pinned by package-lock.json beside this file) into
# a cache directory outside the repository, and prints that directory.
# Nothing is vendored: the directory is keyed by the lock file's sha256, so a
# version bump installs afresh and an unchanged one is reused offline.
#
#   dir=$(tests/tools/scim_server/install.sh)   # then: node "$dir/server.mjs"
#
# DAOCTL_TEST_CACHE overrides the cache root (default ~/.cache/daoctl-test).
# Exits non-zero, saying why, when node or npm is missing or the install
# fails: the e2e test that needs the peer fails with it, never skips.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${DAOCTL_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/daoctl-test}
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "scim_server/install.sh: $tool not found (scripts/install-deps.sh installs nodejs and npm)" >&2; exit 1; }
done
key=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -c1-16)
dir="$root/scim-server-$key"
if [ ! -f "$dir/.installed" ]; then
  mkdir -p "$root"
  tmp=$(mktemp -d "$root/.install.XXXXXX")
  cp "$here/package.json" "$here/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && npm ci --no-audit --no-fund --loglevel=error --cache "$root/npm-cache" >&2); then
    rm -rf "$tmp"
    echo "scim_server/install.sh: npm ci failed (is the npm registry reachable?)" >&2
    exit 1
  fi
  touch "$tmp/.installed"
  rm -rf "$dir"
  mv "$tmp" "$dir"
fi
# The server itself is ours and lives in the repository; a copy sits beside
# the modules, since ES modules resolve imports from the file's real path.
cp "$here/server.mjs" "$dir/server.mjs"
echo "$dir"
