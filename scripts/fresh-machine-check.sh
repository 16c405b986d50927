#!/usr/bin/env bash
# The fresh-machine check: runs the README's two commands the way a new user
# would, on a Debian 12 that has never seen this project, and reports their
# wall times and the test summary.
#
#   sudo scripts/fresh-machine-check.sh [--setup-only] [--keep] [--root DIR]
#
# It builds a minimal Debian 12 root with debootstrap (from the Debian mirror
# this machine's apt uses), clones the committed HEAD of this checkout into it
# (uncommitted changes are not part of the check, as they are not part of a
# submission), copies ../shared beside the clone as CI does, and runs
# ./scripts/setup.sh and then ./scripts/test.sh inside it with chroot.
# Nothing installed on this machine by hand is visible there: a package the
# scripts forget to install fails here instead of hiding (as samba-ad-provision,
# samba-dsdb-modules and samba-vfs-modules once did).
#
# The base system is cached as a tarball in /var/cache/daoctl-fresh (a second
# run skips the download). The root is removed afterwards unless --keep.
# Too slow for every CI run (a cold build, every test, the ASan build): run it
# before resolving an issue that changes dependencies or the two commands.
# --setup-only stops after the set-up command (the install list and the demo).
#
# Exit status: 0 when every command run inside passed, else the first failure's.
set -euo pipefail

setup_only=0
keep=0
root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --setup-only) setup_only=1 ;;
    --keep) keep=1 ;;
    --root) root=$2; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "fresh-machine-check: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-machine-check: must run as root (debootstrap, chroot, mounts)" >&2
  exit 2
fi

here="$(cd "$(dirname "$0")/.." && pwd)"
shared="$here/../shared"
cache=/var/cache/daoctl-fresh
mkdir -p "$cache"
[ -n "$root" ] || root="$(mktemp -d /var/tmp/daoctl-fresh.XXXXXX)"
log="$root.log"

if ! command -v debootstrap >/dev/null; then
  echo "fresh-machine-check: installing debootstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
# The mirror apt already uses here (deb822 or one-line sources).
mirror=$(grep -hoE '^URIs: *http[^ ]*/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | sed 's/^URIs: *//')
[ -n "$mirror" ] || mirror=$(grep -hoE '^deb +http[^ ]*/debian ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  if [ "$keep" = 0 ] && [ -d "$root" ]; then rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT

t0=$(date +%s)
tarball="$cache/bookworm-minbase.tgz"
if [ ! -s "$tarball" ]; then
  echo "fresh-machine-check: debootstrap bookworm from $mirror (cached in $tarball)"
  debootstrap --variant=minbase --make-tarball="$tarball.tmp" bookworm "$root.tarball-work" "$mirror" >"$log" 2>&1 ||
    { tail -20 "$log" >&2; echo "fresh-machine-check: debootstrap --make-tarball failed" >&2; exit 1; }
  rm -rf "$root.tarball-work"
  mv "$tarball.tmp" "$tarball"
fi
debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$mirror" >>"$log" 2>&1 ||
  { tail -20 "$log" >&2; echo "fresh-machine-check: debootstrap failed (log: $log)" >&2; exit 1; }
t1=$(date +%s)
echo "fresh-machine-check: minimal Debian 12 root in $root ($((t1 - t0)) s)"

# The same apt sources as this machine (bookworm, -updates, -security).
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/sources.list"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The network this machine reaches the registries through may re-sign TLS
# with its own CA (a sandbox's egress proxy, a corporate proxy): the new root
# trusts what this machine adds to Debian's bundle, and gets its proxy
# settings, as a machine on the same network would be set up. Without it
# npm fails with "self-signed certificate in certificate chain" — a fact of
# the network, not a missing install step.
extra_ca=()
for c in /usr/local/share/ca-certificates/*.crt; do [ -f "$c" ] && extra_ca+=("$c"); done
net_env=()
if [ ${#extra_ca[@]} -gt 0 ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp "${extra_ca[@]}" "$root/usr/local/share/ca-certificates/"
  cat "${extra_ca[@]}" >"$root/etc/fresh-check-extra-ca.pem"
  net_env+=(NODE_EXTRA_CA_CERTS=/etc/fresh-check-extra-ca.pem)
fi
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!v:-}" ] && net_env+=("$v=${!v}")
done
for m in proc sys dev dev/pts; do
  mkdir -p "$root/$m"
  case $m in
    proc) mount -t proc proc "$root/proc" ;;
    sys) mount -t sysfs sys "$root/sys" ;;
    *) mount --bind "/$m" "$root/$m" ;;
  esac
  mounted+=("$root/$m")
done
mkdir -p "$root/tmp" && chmod 1777 "$root/tmp"

# A clean clone of what is committed, and shared/ beside it, read-only as CI has it.
mkdir -p "$root/work"
git clone -q "$here" "$root/work/main"
if [ -d "$shared" ]; then
  cp -a "$shared" "$root/work/shared"
  chmod -R a-w "$root/work/shared"
fi
echo "fresh-machine-check: cloned $(git -C "$here" rev-parse --short HEAD) into $root/work/main"

inside() {  # inside NAME COMMAND: runs COMMAND in the new root, timed
  local name=$1 cmd=$2 start rc=0
  start=$(date +%s)
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CI=true "${net_env[@]}" bash -c "cd /work/main && $cmd" >"$root.$name.log" 2>&1 || rc=$?
  echo "fresh-machine-check: $name: exit $rc in $(( $(date +%s) - start )) s (log: $root.$name.log)"
  return $rc
}

status=0
# debootstrap's minbase has no git or sudo; the README assumes a checkout, so
# the check gives it one, but nothing else.
inside setup ./scripts/setup.sh || status=$?
tail -5 "$root.setup.log" | sed 's/^/  setup| /'
if [ "$status" = 0 ] && [ "$setup_only" = 0 ]; then
  inside test ./scripts/test.sh || status=$?
  grep -E 'tests passed|== |exit [0-9]|failed:' "$root.test.log" | tail -15 | sed 's/^/  test| /'
fi
echo "fresh-machine-check: total $(( $(date +%s) - t0 )) s, exit $status"
exit "$status"
