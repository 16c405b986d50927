# A fault-injecting HTTP proxy (Debian haproxy 2.6) in front of daoctl-sim
# for e2e tests. Source it after lib.sh, then:
#
#   start_haproxy BACKEND_URL [RULE...]
#
# writes $E2E_DIR/haproxy.N.cfg with one frontend on a free loopback port and
# one backend pointing at BACKEND_URL (http://127.0.0.1:PORT), starts
# `haproxy -db` in the foreground and waits until the port answers. Every
# request increments a shared counter (a one-entry stick table) that rules
# can use for deterministic faults: the request's number is in the
# transaction variable txn.n (1, 2, 3, ...). Each RULE is one config line,
# prefixed by where it goes:
#
#   "fe:http-request return status 429 hdr Retry-After 1 if { var(txn.n),mod(50) lt 3 }"
#   "fe:http-request deny deny_status 503 if { var(txn.n),mod(17) eq 5 }"
#   "fe:http-request reject if { var(txn.n),mod(23) eq 7 }"        (connection closed, no answer)
#   "fe:http-request tarpit if { var(txn.n),mod(37) eq 13 }"       (stall `timeout tarpit`, then 500)
#   "be:http-response silent-drop if { var(txn.n),mod(41) eq 11 }" (server did the work, answer lost)
#   "defaults:timeout tarpit 1s"
#
# Exports PROXY_URL and HAPROXY_PID; the process is killed on EXIT with the
# other peers (E2E_PIDS). haproxy's log goes to $E2E_DIR/haproxy.N.log.
#
#   stop_haproxy      kills HAPROXY_PID and waits for it.
#
# A missing haproxy fails the test (exit 1) instead of skipping it.

HAPROXY_BIN=${HAPROXY_BIN:-/usr/sbin/haproxy}

haproxy_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

stop_haproxy() {
  if [ -n "${HAPROXY_PID:-}" ]; then
    kill "$HAPROXY_PID" 2>/dev/null && wait "$HAPROXY_PID" 2>/dev/null
    HAPROXY_PID=""
  fi
}

start_haproxy() {
  local backend=$1
  shift
  if [ ! -x "$HAPROXY_BIN" ]; then
    echo "start_haproxy: $HAPROXY_BIN not found: install the Debian package haproxy" >&2
    exit 1
  fi
  local hostport=${backend#*://}
  hostport=${hostport%%/*}
  local fe="" be="" defaults="" rule
  for rule in "$@"; do
    case $rule in
      fe:*) fe+="  ${rule#fe:}"$'\n' ;;
      be:*) be+="  ${rule#be:}"$'\n' ;;
      defaults:*) defaults+="  ${rule#defaults:}"$'\n' ;;
      *)
        echo "start_haproxy: rule needs a fe:/be:/defaults: prefix: $rule" >&2
        exit 1
        ;;
    esac
  done
  local n=$RANDOM port i
  local cfg="$E2E_DIR/haproxy.$n.cfg" log="$E2E_DIR/haproxy.$n.log"
  for i in 1 2 3 4 5; do
    port=$(haproxy_free_port)
    cat >"$cfg" <<EOF
global
  maxconn 512
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout tarpit 1s
$defaults
backend platform
  stick-table type integer size 1 store gpc0,gpc1
  server sim $hostport
$be
frontend faults
  bind 127.0.0.1:$port
  http-request track-sc0 int(1) table platform
  http-request sc-inc-gpc0(0)
  http-request set-var(txn.n) sc_get_gpc0(0)
$fe
  default_backend platform
EOF
    if ! "$HAPROXY_BIN" -c -f "$cfg" >"$log" 2>&1; then
      echo "start_haproxy: haproxy refused $cfg:" >&2
      cat "$log" >&2
      exit 1
    fi
    "$HAPROXY_BIN" -db -f "$cfg" >>"$log" 2>&1 &
    HAPROXY_PID=$!
    E2E_PIDS+=("$HAPROXY_PID")
    # Ready when the port accepts a connection; a lost race for the port
    # makes haproxy exit, and we try another one.
    local j
    for ((j = 0; j < 100; j++)); do
      if ! kill -0 "$HAPROXY_PID" 2>/dev/null; then break; fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        PROXY_URL="http://127.0.0.1:$port"
        export PROXY_URL HAPROXY_PID
        return 0
      fi
      sleep 0.05
    done
    stop_haproxy
  done
  echo "start_haproxy: haproxy did not start; its log:" >&2
  cat "$log" >&2
  exit 1
}
