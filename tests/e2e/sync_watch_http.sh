#!/usr/bin/env bash
# daoctl sync watch of a job whose source is an HR HTTP API (issue 20): each
# poll asks every page of the last applied read with If-None-Match /
# If-Modified-Since. The HR peer (tests/tools/http_peer, --etag honour) pages
# by number and answers 304 to a matching validator; the platform is
# daoctl-sim behind a proxy that can fail every write.
#  (a) unchanged API: every page 304 and not one request to the platform;
#  (b) an employee dropped from page 1: the next poll reads fully and blocks
#      them through the normal plan and guards; a change on page 2 only:
#      page 1's 304 is not reused, the read starts over unconditionally;
#  (d) the platform failing mid-apply: the validators are not kept, so the
#      polls that follow read the API whole (although it would answer 304 to
#      the last validators) and re-apply until the platform is back;
#  (e) a batch held by a guard (two dismissals, max_deprovisions: 1): the
#      same, no validators kept, every poll reads whole until it is resolved;
#  (c) an API that ignores validators (ETag sent, always 200) still works.
source "$(dirname "$0")/lib.sh"
start_sim --log-requests
SIM_LOG_ERR=$(ls "$E2E_DIR"/sim.*.log.err)
export DAOCTL_STATE_DIR="$E2E_DIR/state"
start_http_peer PLAT plat proxy --upstream "$SIM_URL" --fail-writes-while "$E2E_DIR/platform-down" \
  --record "$E2E_DIR/plat.rec"
mkdir -p "$E2E_DIR/hr"
touch "$E2E_DIR/hr.rec"
routes() {  # routes 'PAGE1 IDS' 'PAGE2 IDS': pages of {id, login, name}, then an empty page 3
  python3 - "$E2E_DIR/routes.json" "$@" <<'PY'
import json, os, sys
people = {"1001": ("ivanov", "Иванов Иван"), "1002": ("petrova", "Петрова Анна"),
          "1003": ("sidorov", "Сидоров Пётр"), "1005": ("orlova", "Орлова Мария")}
def page(ids):
    return {"items": [{"id": i, "login": people[i][0], "name": people[i][1],
                       "email": people[i][0] + "@corp.test"} for i in ids.split()]}
routes = {f"/staff?page={n}": {"body": page(ids)} for n, ids in enumerate(sys.argv[2:] + [""], 1)}
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(routes, f, ensure_ascii=False)
os.replace(tmp, sys.argv[1])
PY
}
routes "1001 1002" "1003"
start_http_peer HR hr serve --routes "$E2E_DIR/routes.json" --record "$E2E_DIR/hr.rec" --etag honour
HR_PEER=$PEER_PID
HR_PORT=${HR##*:}
cat >"$E2E_DIR/hr/watch.yaml" <<YAML
version: 1
name: httpwatch
platform:
  url: $PLAT
sources:
  hr:
    type: http_json
    url: $HR/staff
    records: /items
    key: id
    paging: {style: page_number, param: page}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  displayName: "{hr.name}"
  email: "{hr.email}"
deprovision:
  dismissed_when: [missing_from_sources]
safety:
  max_deprovisions: 1
  max_deprovisions_percent: 100
apply: {retries: {attempts: 1, max_wait: 1}}
YAML

unset DAOCTL_URL
"$DAOCTL_BIN" sync watch -f "$E2E_DIR/hr/watch.yaml" --interval 1 >"$E2E_DIR/watch.out" 2>"$E2E_DIR/watch.err" &
WATCH=$!
E2E_PIDS+=("$WATCH")
# Checks go to the sim directly; they show in its request log, so none runs
# while that log is being counted.
users() { DAOCTL_URL=$SIM_URL "$DAOCTL_BIN" users "$@"; }
count_is() { [ "$(users list -o json | jq length)" = "$1" ]; }
active_of() { [ "$(users get "$1" -o json | jq -r .active)" = "$2" ]; }
sim_requests() { grep -c '^daoctl-sim: ' "$SIM_LOG_ERR"; }
unchanged_lines() { grep -c 'unchanged since the last applied run (HTTP 304)' "$E2E_DIR/watch.err"; }
hr_lines() { wc -l <"$E2E_DIR/hr.rec"; }
# The HR requests after line $1 of the record: "page status conditional?".
hr_since() {
  tail -n +"$(($1 + 1))" "$E2E_DIR/hr.rec" |
    jq -r 'select(.headers["x-probe"] == null) | "\(.path | sub(".*page=";"")) \(.status) \(if .headers["if-none-match"] then "cond" else "full" end)"'
}
# Returns just after the watcher logs an unchanged poll: a change made then
# lands a whole --interval before the next poll, never in the middle of one.
after_poll() {
  local n start=$SECONDS
  n=$(unchanged_lines)
  while [ "$(unchanged_lines)" -le "$n" ]; do
    if ((SECONDS - start > 10)); then failed "an unchanged poll before: $1" "$(tail -3 "$E2E_DIR/watch.err")"; return; fi
    sleep 0.05
  done
}
# The test's own requests to the HR API carry X-Probe and are left out of hr_since.
etag_of_page1() { curl -s -H 'X-Probe: 1' -D - -o /dev/null "$HR/staff?page=1" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p'; }

wait_for "the first batch reads the API and creates the employees" 30 count_is 3
wait_for "the next poll finds the API unchanged (HTTP 304)" 10 grep -q 'hr unchanged since the last applied run (HTTP 304)' "$E2E_DIR/watch.err"
VALIDATORS="$DAOCTL_STATE_DIR/httpwatch.hr.http-validators.json"
expect_eq "the validators are saved 0600, one per page of the last read" \
  "$(stat -c %a "$VALIDATORS") $(jq '.pages | length' "$VALIDATORS")" "600 3"

# (a) Idle: 4.5 s of polls at 1 s, every page 304, no platform request.
sleep 0.5
n_sim=$(sim_requests) n_hr=$(hr_lines) n_unch=$(unchanged_lines) n_plat=$(wc -l <"$E2E_DIR/plat.rec")
sleep 4.5
idle=$(hr_since "$n_hr")
expect_eq "(a) an unchanged API costs the platform nothing: no request to daoctl-sim" "$(sim_requests)" "$n_sim"
expect_match "(a) ...while the watcher polled the API (at least two polls of three pages)" \
  "$(echo "$idle" | wc -l)" '^([6-9]|[1-9][0-9]+)$'
expect_eq "(a) ...and every request was conditional and answered 304" \
  "$(echo "$idle" | awk '$2 != 304 || $3 != "cond"' | wc -l)" "0"
expect_match "(a) ...one log line per idle poll" "$(($(unchanged_lines) - n_unch))" '^[2-9]$'
expect_eq "(a) ...nor to the proxy in front of it" "$(wc -l <"$E2E_DIR/plat.rec")" "$n_plat"

# (b) petrova leaves (page 1 changes): a full read, the normal plan, a block.
after_poll "(b)"
n_hr=$(hr_lines)
routes "1001 1003"
wait_for "(b) an employee dropped by the API is blocked at the next poll" 10 active_of petrova false
expect_match "(b) ...page 1 answered 200 to the conditional request and the read went on from it" \
  "$(hr_since "$n_hr" | tr '\n' ',')" '1 200 cond,2 200 full,'
wait_for "(b) ...and the polls after it are 304 again" 10 \
  bash -c "[ \$(grep -c 'unchanged since the last applied run' '$E2E_DIR/watch.err') -gt $(unchanged_lines) ]"
expect_eq "(b) ...with the new read's two pages saved" "$(jq '.pages | length' "$VALIDATORS")" "2"

# (b) A change on page 2 only: page 1's 304 is dropped, the read starts over.
after_poll "(b) page 2"
n_hr=$(hr_lines)
routes "1001 1003" "1005"
wait_for "(b) a new employee on page 2 only is created" 10 count_is 4
expect_match "(b) ...page 1 304, page 2 200, then pages 1, 2, 3 read unconditionally: never a mix" \
  "$(hr_since "$n_hr" | tr '\n' ',')" '1 304 cond,2 200 cond,1 200 full,2 200 full,3 200 full,'

# (d) The platform fails every write; sidorov leaves meanwhile.
wait_for "(d) settled: the API is unchanged again" 10 \
  bash -c "[ \$(grep -c 'unchanged since the last applied run' '$E2E_DIR/watch.err') -gt $(unchanged_lines) ]"
after_poll "(d)"
touch "$E2E_DIR/platform-down"
n_hr=$(hr_lines)
routes "1001" "1005"
wait_for "(d) the block fails on the platform (a partial run)" 10 grep -q '"failed": true' "$E2E_DIR/plat.rec"
wait_for "(d) ...reported by the watcher" 10 grep -q 'changes failed' "$E2E_DIR/watch.err"
expect_eq "(d) ...and no validators are kept after it" "$(test -e "$VALIDATORS" && echo kept || echo gone)" "gone"
n_after=$(hr_lines) n_unch=$(unchanged_lines)
full_polls() { [ "$(hr_since "$n_after" | grep -c '^1 200 full$')" -ge "$1" ]; }
wait_for "(d) the watcher keeps polling while writes fail (two more polls)" 15 full_polls 2
expect_eq "(d) the API would answer 304 to the validator of what it serves now" \
  "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Probe: 1' -H "If-None-Match: $(etag_of_page1)" "$HR/staff?page=1")" "304"
expect_eq "(d) ...yet each poll after the failure read the API whole (no validator sent, 200)" \
  "$(hr_since "$n_after" | awk '$2 != 200 || $3 != "full"' | wc -l)" "0"
expect_eq "(d) ...never logged as unchanged" "$(unchanged_lines)" "$n_unch"
active_of sidorov true && pass "(d) ...and sidorov is still active while the platform refuses writes" ||
  failed "(d) sidorov blocked while writes fail"
rm "$E2E_DIR/platform-down"
wait_for "(d) once the platform is back the next poll re-applies: sidorov is blocked" 10 active_of sidorov false
wait_for "(d) ...and the validators are saved again" 10 test -e "$VALIDATORS"

# (e) A batch the guards hold (exit 5): no validators either.
routes "1001 1002" "1005"  # petrova rehired
wait_for "(e) a rehire reactivates the account" 10 active_of petrova true
wait_for "(e) ...and its validators are saved" 10 test -e "$VALIDATORS"
after_poll "(e)"
n_hr=$(hr_lines)
routes "1002" ""  # ivanov and orlova gone at once: more than max_deprovisions
wait_for "(e) two dismissals at once are held by safety.max_deprovisions" 10 \
  grep -q 'deactivates 2 accounts, more than safety.max_deprovisions (1)' "$E2E_DIR/watch.err"
expect_eq "(e) ...no validators are kept after the held batch" "$(test -e "$VALIDATORS" && echo kept || echo gone)" "gone"
n_after=$(hr_lines) n_unch=$(unchanged_lines)
wait_for "(e) ...and the polls that follow read whole (two more polls)" 15 full_polls 2
expect_eq "(e) ...none of them sent a validator or got a 304" \
  "$(hr_since "$n_after" | awk '$2 != 200 || $3 != "full"' | wc -l)" "0"
expect_eq "(e) ...nor was logged as unchanged" "$(unchanged_lines)" "$n_unch"
active_of ivanov true && pass "(e) ...and nobody was blocked" || failed "(e) ivanov blocked past the guard"
routes "1001 1002" "1005"  # the export is repaired
wait_for "(e) once the source is back the batch applies (nothing to do) and 304s resume" 10 \
  bash -c "[ \$(grep -c 'unchanged since the last applied run' '$E2E_DIR/watch.err') -gt $n_unch ]"

# (c) The same API, restarted on its port, now ignores validators: ETag sent, always 200.
kill "$HR_PEER"
wait "$HR_PEER" 2>/dev/null
start_http_peer HR2 hr2 serve --listen "127.0.0.1:$HR_PORT" --routes "$E2E_DIR/routes.json" \
  --record "$E2E_DIR/hr.rec" --etag ignore
n_hr=$(hr_lines) n_unch=$(unchanged_lines)
routes "1001 1002 1003" "1005"  # sidorov rehired
wait_for "(c) with an API that ignores validators a rehire still reactivates the account" 10 active_of sidorov true
sleep 1.5
ignored=$(hr_since "$n_hr")
expect_match "(c) ...the watcher sent its validators and got 200s" "$(echo "$ignored" | tr '\n' ',')" '1 200 cond,'
expect_eq "(c) ...and never took a 200 for unchanged" "$(unchanged_lines)" "$n_unch"
expect_eq "(c) ...no 304 from that API" "$(echo "$ignored" | awk '$2 == 304' | wc -l)" "0"

kill -TERM "$WATCH"
code=0
wait "$WATCH" || code=$?
expect_eq "SIGTERM ends the watcher with exit 0" "$code" "0"
expect_eq "one account per employee" "$(users list -o json | jq length)" "4"
DAOCTL_URL=$SIM_URL expect_exit 0 "a full plan agrees with what the watcher applied" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/hr/watch.yaml" --detailed-exitcode
finish
