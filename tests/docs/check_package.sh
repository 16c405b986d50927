#!/usr/bin/env bash
# The Debian package builds, unpacks into a temporary root and its daoctl runs
# from there with its man page and completions in the expected places.
# Usage: check_package.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1" >&2; [ $# -gt 1 ] && printf '%s\n' "$2" | tail -20 >&2; }
if out=$(cd "$build" && cpack -G DEB -B "$tmp/pkg" 2>&1); then ok "cpack builds a .deb"; else bad "cpack failed" "$out"; fi
deb=$(ls "$tmp"/pkg/*.deb 2>/dev/null | head -n1)
if [ -n "$deb" ] && dpkg-deb -x "$deb" "$tmp/root"; then ok "dpkg -x unpacks $(basename "$deb")"; else bad "no .deb to unpack"; fi
if v=$("$tmp/root/usr/bin/daoctl" version 2>&1); then ok "the packaged daoctl runs: ${v%%$'\n'*}"; else bad "packaged daoctl version failed" "$v"; fi
for f in usr/bin/daoctl-sim usr/share/man/man1/daoctl.1 usr/share/man/man5/daoctl-sync.yaml.5 \
         usr/share/bash-completion/completions/daoctl usr/share/zsh/vendor-completions/_daoctl \
         usr/share/fish/vendor_completions.d/daoctl.fish usr/share/daoctl/schemas/openapi.yaml \
         usr/share/doc/daoctl/examples/sync.yaml usr/share/doc/daoctl/MAPPING.md; do
  if [ -e "$tmp/root/$f" ]; then ok "package has /$f"; else bad "package lacks /$f"; fi
done
if deps=$(dpkg-deb -f "$deb" Depends 2>&1) && [[ $deps == *libcurl* ]]; then ok "Depends computed: libcurl among them"; else bad "Depends missing libcurl" "$deps"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
