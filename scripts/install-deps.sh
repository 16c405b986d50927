#!/usr/bin/env bash
# Installs every Debian 12 package daoctl needs to build, test and benchmark.
# Idempotent; run as root (or with sudo). Keeps Debian from starting the
# system daemons of test peers (slapd, samba, haproxy) during install:
# the test harness starts its own throwaway instances on loopback.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(
  build-essential cmake ninja-build pkg-config git ccache mold
  libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libyaml-cpp-dev
  libldap-dev libfmt-dev libsqlite3-dev libssl-dev libarchive-dev
  libcpp-httplib-dev libxlsxwriter-dev libvalijson-dev libsimdjson-dev catch2
  slapd ldap-utils curl jq haproxy python3 python3-yaml hyperfine time bc
  clang-format clang-tidy zsh fish bash-completion groff-base man-db
  libexpat1-dev
  unzip zip
  openssl
  # Found missing by scripts/fresh-machine-check.sh (present on this machine
  # by hand): `ip` brings loopback up in e2e sync_ad's network namespace,
  # CPack's DEB generator needs `file`, e2e scripts seed the sim with sqlite3.
  iproute2 file sqlite3
  chromium   # HTML reports opened in a real browser (e2e: report_browser)
  libsodium-dev minisign age
  systemd
  samba samba-ad-provision samba-dsdb-modules samba-vfs-modules ldb-tools
  clang-16 libclang-rt-16-dev
)
# Node.js and npm run the third-party SCIM 2.0 test peer (SCIMMY, from npm:
# tests/tools/scim_server). A node that is already there (any vendor) is kept.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then PKGS+=(nodejs npm); fi
# The SCIM peer's npm packages go into a cache outside the repository
# (pinned by its package-lock.json); e2e: scim_third_party installs them
# too when they are missing, and fails when it cannot.
install_scim_peer() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  "$here/tests/tools/scim_server/install.sh" >/dev/null
}
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  install_scim_peer
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
  created_policy=1
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
if [ "$created_policy" = 1 ]; then $SUDO rm -f "$policy"; fi
install_scim_peer
