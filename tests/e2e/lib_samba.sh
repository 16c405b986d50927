# Throwaway Samba 4 Active Directory domain controller for e2e tests.
# Source it BEFORE lib.sh, then:
#
#   samba_enter_netns "$@"   re-executes the calling script inside a private
#                            network namespace (`unshare -n`) with loopback up,
#                            because a DC's LDAP ports (389/636) are fixed and
#                            only one DC fits per namespace. Every command of the
#                            test (daoctl, daoctl-sim, ldapsearch) then runs in
#                            that namespace and reaches the DC on 127.0.0.1.
#                            Exits 1 with a message when unshare is not allowed.
#   start_samba DIR [LDIF]   provisions a new domain EXAMPLE.TEST into DIR
#                            (`samba-tool domain provision`, ~7 s), restricts it
#                            to ldap/cldap/kdc, allows simple binds over plain
#                            LDAP, bulk-loads LDIF offline with `ldbadd` into
#                            DIR/private/sam.ldb (the samldb modules still run:
#                            objectGUID, objectSid, memberOf backlinks are real;
#                            3,062 entries in 16.5 s, ~185/s, vs ~100/s over LDAP), starts
#                            `samba -i` and waits until LDAP answers.
#                            Exports SAMBA_URL, SAMBA_BIND_DN, SAMBA_BIND_PASSWORD,
#                            SAMBA_BASE_DN, SAMBA_PID.
#   stop_samba               TERMs the samba master and its worker processes by
#                            PID and waits; also run when the script exits.
#
# Returns non-zero with a message on stderr when samba is missing, provisioning
# or the LDIF load fails, or the DC does not answer within 60 s.

SAMBA_BIN=${SAMBA_BIN:-/usr/sbin/samba}
SAMBA_TOOL_BIN=${SAMBA_TOOL_BIN:-/usr/bin/samba-tool}
LDBADD_BIN=${LDBADD_BIN:-/usr/bin/ldbadd}
SAMBA_REALM=EXAMPLE.TEST
SAMBA_BASE_DN="DC=example,DC=test"
SAMBA_BIND_DN="Administrator@$SAMBA_REALM"
# Throwaway domain in a private namespace; it must satisfy AD complexity rules.
SAMBA_BIND_PASSWORD='Passw0rd!x'
SAMBA_URL="ldap://127.0.0.1"
SAMBA_PID=""
SAMBA_WORKER_PIDS=()

samba_enter_netns() {
  if [ -n "${DAOCTL_SAMBA_NETNS:-}" ]; then
    ip link set lo up || { echo "samba_enter_netns: cannot bring loopback up" >&2; exit 1; }
    return 0
  fi
  if ! unshare -n true 2>/dev/null; then
    echo "samba_enter_netns: 'unshare -n' is not permitted here (needs root or CAP_SYS_ADMIN)" >&2
    exit 1
  fi
  exec unshare -n env DAOCTL_SAMBA_NETNS=1 bash "$0" "$@"
}

# Every process of the samba tree below PID (prefork workers fork again).
samba_descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do
    echo "$child"
    samba_descendants "$child"
  done
}

stop_samba() {
  [ -n "${SAMBA_PID:-}" ] || return 0
  local pid
  SAMBA_WORKER_PIDS=($(samba_descendants "$SAMBA_PID"))
  kill "$SAMBA_PID" 2>/dev/null
  wait "$SAMBA_PID" 2>/dev/null
  for pid in "${SAMBA_WORKER_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  SAMBA_PID=""
}

start_samba() {
  local dir=$1 ldif=${2:-}
  local bin
  for bin in "$SAMBA_BIN" "$SAMBA_TOOL_BIN" "$LDBADD_BIN"; do
    if [ ! -x "$bin" ]; then
      echo "start_samba: $bin not found: install the Debian packages samba and ldb-tools" >&2
      return 1
    fi
  done
  if [ -z "${DAOCTL_SAMBA_NETNS:-}" ]; then
    echo "start_samba: call samba_enter_netns first (ports 389/636 are fixed)" >&2
    return 1
  fi
  mkdir -p "$dir"
  if ! "$SAMBA_TOOL_BIN" domain provision --targetdir="$dir" --realm="$SAMBA_REALM" --domain=EXAMPLE \
      --server-role=dc --dns-backend=NONE --adminpass="$SAMBA_BIND_PASSWORD" --host-name=dc1 \
      --option="interfaces=lo" --option="bind interfaces only=yes" >"$dir/provision.log" 2>&1; then
    echo "start_samba: samba-tool domain provision failed:" >&2; tail -n 5 "$dir/provision.log" >&2; return 1
  fi
  # Only the services the tests talk to; simple binds over plain LDAP; every
  # runtime path inside DIR so that parallel tests never share /run/samba.
  mkdir -p "$dir/run" "$dir/ncalrpc"
  sed -i -e "s|^\([[:space:]]*\)server services = .*|\1server services = ldap, cldap, kdc\n\1ldap server require strong auth = no\n\1pid directory = $dir/run\n\1ncalrpc dir = $dir/ncalrpc|" \
    -e "s|^\([[:space:]]*\)log file = .*|\1log file = $dir/samba.log|" "$dir/etc/smb.conf"
  if ! grep -q "ldap server require strong auth = no" "$dir/etc/smb.conf"; then
    echo "start_samba: $dir/etc/smb.conf has no 'server services' line to adjust" >&2; return 1
  fi
  if [ -n "$ldif" ]; then
    if [ ! -r "$ldif" ]; then echo "start_samba: cannot read LDIF $ldif" >&2; return 1; fi
    if ! "$LDBADD_BIN" -H "$dir/private/sam.ldb" "$ldif" >"$dir/ldbadd.log" 2>&1; then
      echo "start_samba: ldbadd refused $ldif:" >&2; tail -n 5 "$dir/ldbadd.log" >&2; return 1
    fi
  fi
  "$SAMBA_BIN" -i -s "$dir/etc/smb.conf" >"$dir/samba.out" 2>&1 &
  SAMBA_PID=$!
  export SAMBA_URL SAMBA_BIND_DN SAMBA_BIND_PASSWORD SAMBA_BASE_DN SAMBA_PID
  if declare -p E2E_PIDS >/dev/null 2>&1; then
    # lib.sh kills E2E_PIDS on exit; the workers need stop_samba too.
    trap 'stop_samba; e2e_cleanup' EXIT
  else
    trap stop_samba EXIT
  fi
  local i
  for ((i = 0; i < 300; i++)); do
    if ldapsearch -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" -b "" -s base \
        -LLL defaultNamingContext >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SAMBA_PID" 2>/dev/null; then
      echo "start_samba: samba exited at start:" >&2; tail -n 5 "$dir/samba.out" >&2; SAMBA_PID=""; return 1
    fi
    sleep 0.2
  done
  echo "start_samba: the DC on $SAMBA_URL did not answer within 60 s" >&2
  stop_samba
  return 1
}
