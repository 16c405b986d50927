# Shared harness for end-to-end tests: sourced by every tests/e2e/*.sh.
#
# Runs the real binaries ($DAOCTL_BIN, $DAOCTL_SIM_BIN, set by CTest) against
# real peers on loopback. Every peer is started on a free port in a private
# temporary directory and killed by PID when the script exits, whatever happens.
#
#   start_sim [daoctl-sim flags...]  start daoctl-sim (data in $E2E_DIR/sim unless --data given);
#                                    exports SIM_URL, SIM_PID, DAOCTL_URL, DAOCTL_TOKEN
#   stop_sim                         SIGTERM and wait (graceful shutdown)
#   start_http_peer VAR NAME ARGS... start tests/tools/http_peer/server.py ARGS (serve, silent,
#                                    proxy...); sets VAR to its URL and PEER_PID; logs in
#                                    $E2E_DIR/NAME.log and NAME.err; a peer that does not
#                                    start fails the test and ends it
#   check NAME CMD...                run CMD; a non-zero status fails NAME
#   expect_exit CODE NAME CMD...     CMD must exit with CODE; stdout -> $OUT, stderr -> $ERR
#   expect_eq NAME ACTUAL EXPECTED
#   expect_match NAME TEXT REGEX
#   finish                           prints "N passed, M failed" and exits non-zero on failure
set -u
: "${DAOCTL_BIN:?DAOCTL_BIN must point at the daoctl binary}"
: "${DAOCTL_SIM_BIN:?DAOCTL_SIM_BIN must point at the daoctl-sim binary}"
: "${DAOCTL_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${DAOCTL_SHARED_DIR:=$DAOCTL_SOURCE_DIR/../shared}"
mkdir -p "${DAOCTL_TEST_TMP:-/tmp}"
E2E_DIR=$(mktemp -d "${DAOCTL_TEST_TMP:-/tmp}/e2e.XXXXXX")
export E2E_DIR
E2E_PASSED=0
E2E_FAILED=0
E2E_PIDS=()
OUT=""
ERR=""
# A config-free environment: no user config leaks into tests.
export XDG_CONFIG_HOME="$E2E_DIR/xdg"
export HOME="$E2E_DIR/home"
mkdir -p "$XDG_CONFIG_HOME" "$HOME"
unset DAOCTL_CONTEXT DAOCTL_CONFIG NO_COLOR CLICOLOR_FORCE
export DAOCTL_SIM_TOKEN="e2e-token-$RANDOM$RANDOM"
# daoctl-sim checks every response against schemas/openapi.yaml; a violation
# is a 500 plus a "contract violation" line in its stderr, which finish fails on.
export DAOCTL_SIM_CHECK_RESPONSES=1

e2e_cleanup() {
  local pid
  for pid in "${E2E_PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  if [ "$E2E_FAILED" -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then rm -rf "$E2E_DIR"; else
    echo "e2e: kept $E2E_DIR for inspection" >&2; fi
}
trap e2e_cleanup EXIT

# Waits for a line matching REGEX in FILE for up to SECONDS; prints the match.
wait_for_line() {
  local file=$1 regex=$2 seconds=${3:-20} i
  for ((i = 0; i < seconds * 20; i++)); do
    if grep -Eo "$regex" "$file" 2>/dev/null | head -n1 | grep .; then return 0; fi
    sleep 0.05
  done
  return 1
}

# wait_for DESCRIPTION SECONDS CMD...: a check that CMD succeeds within
# SECONDS (polled every 0.2 s; its output is dropped). It passes with the
# time it took, or fails with the end of $E2E_WAIT_LOG (default
# $E2E_DIR/watch.err: what the long-running daoctl under test said).
wait_for() {
  local what=$1 limit=$2 start=$SECONDS
  shift 2
  while ((SECONDS - start < limit)); do
    if "$@" >/dev/null 2>&1; then pass "$what ($((SECONDS - start)) s)"; return 0; fi
    sleep 0.2
  done
  failed "$what (not within $limit s)" "$(tail -5 "${E2E_WAIT_LOG:-$E2E_DIR/watch.err}" 2>/dev/null)"
}

# Not to be called as $(start_http_peer ...): in a command substitution the
# pid would go into a subshell's E2E_PIDS and the peer outlive the test
# (which is why it sets VAR instead of printing the URL).
start_http_peer() {
  local var=$1 name=$2 url
  shift 2
  python3 "$DAOCTL_SOURCE_DIR/tests/tools/http_peer/server.py" "$@" >"$E2E_DIR/$name.log" 2>"$E2E_DIR/$name.err" &
  PEER_PID=$!
  E2E_PIDS+=("$PEER_PID")
  url=$(wait_for_line "$E2E_DIR/$name.log" 'https?://127\.0\.0\.1:[0-9]+' 20) || {
    failed "the $name peer starts" "$(cat "$E2E_DIR/$name.err")"; finish; exit 1; }
  printf -v "$var" '%s' "$url"
}

start_sim() {
  local data="$E2E_DIR/sim" args=("$@") a
  for a in "${args[@]}"; do [ "$a" = "--data" ] && data=""; done
  local log="$E2E_DIR/sim.$RANDOM.log"
  if [ -n "$data" ]; then args=(--data "$data" "${args[@]}"); fi
  "$DAOCTL_SIM_BIN" --listen 127.0.0.1:0 "${args[@]}" >"$log" 2>"$log.err" &
  SIM_PID=$!
  E2E_PIDS+=("$SIM_PID")
  SIM_URL=$(wait_for_line "$log" 'https?://127\.0\.0\.1:[0-9]+' 30) || {
    echo "e2e: daoctl-sim did not become ready; its stderr:" >&2
    cat "$log.err" >&2
    exit 1
  }
  export SIM_URL SIM_PID DAOCTL_URL="$SIM_URL" DAOCTL_TOKEN="$DAOCTL_SIM_TOKEN"
}

stop_sim() {
  kill -TERM "$SIM_PID" 2>/dev/null
  wait "$SIM_PID" 2>/dev/null
}

# The simulator's API for setting up a test (after start_sim):
# api_post PATH BODY [CONTENT-TYPE] prints the answer (fails on an HTTP error);
# mkuser USERNAME [EMAIL] [DISPLAYNAME] creates a SCIM user and prints its id
# (EMAIL defaults to USERNAME@corp.example).
api_post() {
  curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" -H "Content-Type: ${3:-application/scim+json}" \
    -d "$2" "$SIM_URL$1"
}
mkuser() {
  local body
  body=$(jq -nc --arg name "$1" --arg email "${2:-$1@corp.example}" --arg display "${3:-}" \
    '{schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: $name,
      emails: [{value: $email, primary: true}]} + (if $display == "" then {} else {displayName: $display} end)')
  api_post /scim/v2/Users "$body" | jq -r .id
}

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok   - $1"; }
failed() {
  E2E_FAILED=$((E2E_FAILED + 1))
  echo "FAIL - $1" >&2
  shift
  [ $# -gt 0 ] && printf '       %s\n' "$@" >&2
  return 0
}

# Runs CMD capturing stdout/stderr into $OUT/$ERR and the status into $STATUS.
run() {
  local o="$E2E_DIR/out.$$" e="$E2E_DIR/err.$$"
  "$@" >"$o" 2>"$e"
  STATUS=$?
  OUT=$(cat "$o")
  ERR=$(cat "$e")
}

check() {
  local name=$1
  shift
  run "$@"
  if [ "$STATUS" -eq 0 ]; then pass "$name"; else
    failed "$name" "command: $*" "exit: $STATUS" "stderr: ${ERR:0:2000}"; fi
}

expect_exit() {
  local code=$1 name=$2
  shift 2
  run "$@"
  if [ "$STATUS" -eq "$code" ]; then pass "$name"; else
    failed "$name" "command: $*" "expected exit $code, got $STATUS" "stderr: ${ERR:0:2000}"; fi
}

expect_eq() {
  if [ "$2" == "$3" ]; then pass "$1"; else
    failed "$1" "expected: ${3:0:2000}" "actual:   ${2:0:2000}"; fi
}

expect_match() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else
    failed "$1" "expected to match: $3" "text: ${2:0:2000}"; fi
}

expect_no_match() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then
    failed "$1" "expected NOT to match: $3" "text: ${2:0:2000}"; else pass "$1"; fi
}

finish() {
  local violations
  violations=$(cat "$E2E_DIR"/sim.*.log.err 2>/dev/null | grep -F 'contract violation' | head -n 20)
  if [ -n "$violations" ]; then
    failed "daoctl-sim answered within its contract (schemas/openapi.yaml)" "$violations"
  else
    pass "daoctl-sim answered within its contract"
  fi
  echo "$E2E_PASSED passed, $E2E_FAILED failed"
  [ "$E2E_FAILED" -eq 0 ] && [ "$E2E_PASSED" -gt 0 ]
}
