#!/usr/bin/env bash
# Contract test: daoctl-sim's answers, endpoint by endpoint, against
# schemas/openapi.yaml (tests/contract/contract_probe does the walking).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

probe="${DAOCTL_BUILD_DIR:+$DAOCTL_BUILD_DIR/tests/contract/contract_probe}"
: "${probe:=$(dirname "$DAOCTL_BIN")/../tests/contract/contract_probe}"
if [ ! -x "$probe" ]; then
  failed "contract probe is built" "not found or not executable: $probe"
  finish
  exit 1
fi

start_sim
run "$probe" --url "$SIM_URL"
printf '%s\n' "$OUT"
if [ "$STATUS" -eq 0 ]; then
  pass "daoctl-sim answers as schemas/openapi.yaml documents ($(printf '%s' "$OUT" | tail -n1))"
else
  failed "daoctl-sim answers as schemas/openapi.yaml documents" "exit: $STATUS" \
    "$(printf '%s\n' "$OUT" | grep -A3 '^FAIL' | head -n 60)" "stderr: ${ERR:0:2000}"
fi

# The same walk against a fresh sim must pass twice (objects carry per-run names).
run "$probe" --url "$SIM_URL"
expect_eq "a second probe run against the same sim passes too" "$STATUS" "0"
finish
