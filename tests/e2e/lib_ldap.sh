# Throwaway OpenLDAP server for e2e tests and benchmarks. Source it, then:
#
#   start_slapd DIR LDIF [extra slapd.conf lines...]
#
# builds DIR/slapd.conf (mdb; core, cosine, inetorgperson, nis and the 389-ds
# compat schema from tests/fixtures/ldap), bulk-loads LDIF with `slapadd -q`
# (suffix = the first entry's DN), adds a service account
# cn=daoctl-reader,<suffix> (an ordinary user: the rootdn would bypass size
# limits), starts `slapd -d 0` on a free loopback port and waits until it
# answers. Exports LDAP_URL, LDAP_BIND_DN, LDAP_BIND_PASSWORD (the reader),
# LDAP_ROOT_DN, LDAP_ROOT_PASSWORD, LDAP_BASE_DN, SLAPD_PID.
# Extra lines go to the end of the database section, e.g. a size limit:
#   start_slapd "$dir" users.ldif "sizelimit size.soft=1000 size.hard=1000 size.pr=1000 size.prtotal=unlimited"
# Lines starting with "global:" go to the global section instead
# (e.g. "global:moduleload ppolicy"); "schema-check:off" loads with slapadd -s.
#
# RFC 4533 content sync (sync apply --incremental, sync watch): pass the
# lines of LDAP_SYNCPROV, e.g. start_slapd "$dir" users.ldif "${LDAP_SYNCPROV[@]}";
# LDAP_PPOLICY adds the ppolicy overlay (pwdAccountLockedTime).
#
#   stop_slapd        kills SLAPD_PID and waits for it; also run on EXIT.
#
# Returns non-zero with a message on stderr when slapd is missing, the config
# or the LDIF is refused, or the server does not answer within 20 s.

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
# shellcheck disable=SC2034  # used by the scripts that source this file
LDAP_SYNCPROV=("global:moduleload syncprov" "index entryCSN,entryUUID eq" "overlay syncprov"
  "syncprov-checkpoint 100 10" "syncprov-sessionlog 1000")
# shellcheck disable=SC2034
LDAP_PPOLICY=("global:moduleload ppolicy" "overlay ppolicy")
SLAPADD_BIN=${SLAPADD_BIN:-/usr/sbin/slapadd}
LIB_LDAP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LDAP_SCHEMA_DIR=${LDAP_SCHEMA_DIR:-/etc/ldap/schema}

# A free loopback TCP port (the kernel picks one; the small race before slapd
# binds it is acceptable for tests).
ldap_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# The DN of the first entry in an LDIF, decoding "dn:: base64".
ldap_first_dn() {
  awk '/^dn::[ ]*/ { sub(/^dn::[ ]*/, ""); print | "base64 -d"; exit }
       /^dn:[ ]*/  { sub(/^dn:[ ]*/, ""); print; exit }' "$1"
}

stop_slapd() {
  if [ -n "${SLAPD_PID:-}" ]; then
    kill "$SLAPD_PID" 2>/dev/null && wait "$SLAPD_PID" 2>/dev/null
    SLAPD_PID=""
  fi
}

start_slapd() {
  local dir=$1 ldif=$2
  shift 2
  local line db_extra="" global_extra="" slapadd_flags=(-q)
  for line in "$@"; do
    case $line in
      global:*) global_extra+="${line#global:}"$'\n' ;;
      schema-check:off) slapadd_flags+=(-s) ;;
      *) db_extra+="$line"$'\n' ;;
    esac
  done
  for bin in "$SLAPD_BIN" "$SLAPADD_BIN"; do
    if [ ! -x "$bin" ]; then
      echo "start_slapd: $bin not found: install the Debian packages slapd and ldap-utils" >&2
      return 1
    fi
  done
  if [ ! -r "$ldif" ]; then echo "start_slapd: cannot read LDIF $ldif" >&2; return 1; fi
  local suffix
  suffix=$(ldap_first_dn "$ldif")
  if [ -z "$suffix" ]; then echo "start_slapd: $ldif: no 'dn:' line" >&2; return 1; fi
  mkdir -p "$dir/db"
  LDAP_ROOT_DN="cn=admin,$suffix"
  LDAP_ROOT_PASSWORD="root-$RANDOM$RANDOM"
  LDAP_BIND_DN="cn=daoctl-reader,$suffix"
  LDAP_BIND_PASSWORD="reader-$RANDOM$RANDOM"
  LDAP_BASE_DN=$suffix
  cat >"$dir/slapd.conf" <<CONF
include $LDAP_SCHEMA_DIR/core.schema
include $LDAP_SCHEMA_DIR/cosine.schema
include $LDAP_SCHEMA_DIR/inetorgperson.schema
include $LDAP_SCHEMA_DIR/nis.schema
include $LIB_LDAP_DIR/../fixtures/ldap/389ds-compat.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
$global_extra
database mdb
maxsize 4294967296
suffix "$suffix"
rootdn "$LDAP_ROOT_DN"
rootpw $LDAP_ROOT_PASSWORD
directory $dir/db
index objectClass eq
index uid,mail,employeeNumber,cn eq
access to attrs=userPassword by anonymous auth by self read by * none
access to * by * read
# slapd's default is 500 entries for non-root binds; tests add their own limit.
sizelimit unlimited
$db_extra
CONF
  cat >"$dir/reader.ldif" <<READER
dn: $LDAP_BIND_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: daoctl-reader
userPassword: $LDAP_BIND_PASSWORD
READER
  # Base64 DNs (dn::) are left to slapadd; a UTF-8 suffix is written raw above,
  # which slapd.conf accepts.
  if ! "$SLAPADD_BIN" "${slapadd_flags[@]}" -f "$dir/slapd.conf" -l "$ldif" >"$dir/slapadd.log" 2>&1; then
    echo "start_slapd: slapadd refused $ldif:" >&2; tail -n 5 "$dir/slapadd.log" >&2; return 1
  fi
  if ! "$SLAPADD_BIN" -q -f "$dir/slapd.conf" -l "$dir/reader.ldif" >>"$dir/slapadd.log" 2>&1; then
    echo "start_slapd: slapadd refused the reader entry:" >&2; tail -n 5 "$dir/slapadd.log" >&2; return 1
  fi
  local port
  port=$(ldap_free_port)
  LDAP_URL="ldap://127.0.0.1:$port"
  "$SLAPD_BIN" -d 0 -f "$dir/slapd.conf" -h "$LDAP_URL/" >"$dir/slapd.log" 2>&1 &
  SLAPD_PID=$!
  export LDAP_URL LDAP_BIND_DN LDAP_BIND_PASSWORD LDAP_ROOT_DN LDAP_ROOT_PASSWORD LDAP_BASE_DN SLAPD_PID
  if declare -p E2E_PIDS >/dev/null 2>&1; then E2E_PIDS+=("$SLAPD_PID"); else trap stop_slapd EXIT; fi
  local i
  for ((i = 0; i < 200; i++)); do
    if ldapsearch -x -H "$LDAP_URL" -b "" -s base -LLL namingContexts >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SLAPD_PID" 2>/dev/null; then
      echo "start_slapd: slapd exited at start:" >&2; tail -n 5 "$dir/slapd.log" >&2; SLAPD_PID=""; return 1
    fi
    sleep 0.1
  done
  echo "start_slapd: slapd on $LDAP_URL did not answer within 20 s" >&2
  stop_slapd
  return 1
}

# ldap_source [LINE...]: prints the job's `sources:` entry "ldap" for the
# slapd start_slapd runs (people under ou=People, bound as the reader), with
# each LINE (e.g. "page_size: 100") added to it, and writes the reader's
# password to $E2E_DIR/ldap.pass (0600) for its bind_password_file. Meant for
# a job's heredoc: "sources:" then "$(ldap_source)" on the next line.
ldap_source() {
  printf '%s' "$LDAP_BIND_PASSWORD" >"$E2E_DIR/ldap.pass"
  chmod 600 "$E2E_DIR/ldap.pass"
  printf '  ldap:\n    type: ldap\n    url: %s\n    bind_dn: "%s"\n    bind_password_file: ldap.pass\n    base_dn: "ou=People,%s"\n' \
    "$LDAP_URL" "$LDAP_BIND_DN" "$LDAP_BASE_DN"
  local line
  for line in "$@"; do printf '    %s\n' "$line"; done
}
