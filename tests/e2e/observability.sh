#!/usr/bin/env bash
# Every job command writes the same run report: a JSON summary
# (--summary-file) {command, started, finished, duration_seconds, status,
# exit_code, counts, errors} and Prometheus textfile metrics (--metrics-file)
# daoctl_<job>_last_run_success / _last_success_timestamp_seconds /
# _duration_seconds / _items, replaced atomically, also when the run fails
# (the previous last-success time is kept); a run that finds the job locked
# leaves the holder's files alone; --log-format json gives one JSON object per
# stderr line with level, time and message.
source "$(dirname "$0")/lib.sh"
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 50 --departments 5 --activity-days 3 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed" "$(cat "$E2E_DIR/seed.err")"
start_sim
D=$DAOCTL_BIN
R=$E2E_DIR/reports
mkdir -p "$R"
cp "$DAOCTL_SOURCE_DIR"/examples/demo/sync.yaml "$DAOCTL_SOURCE_DIR"/examples/demo/employees.csv "$E2E_DIR/"
STATE=$E2E_DIR/state

# shape FILE COMMAND STATUS EXIT: the shared summary shape
shape() {
  expect_eq "$2: summary has the shared keys" \
    "$(jq -c '[has("command","started","finished","duration_seconds","status","exit_code","counts","errors")] | all' "$1")" "true"
  expect_eq "$2: summary names the command" "$(jq -r .command "$1")" "daoctl $2"
  expect_eq "$2: summary status" "$(jq -r .status "$1")" "$3"
  expect_eq "$2: summary exit code" "$(jq -r .exit_code "$1")" "$4"
  expect_match "$2: started is RFC 3339 UTC" "$(jq -r .started "$1")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
}
# promcheck FILE: every sample line belongs to a family with HELP and TYPE, no family twice
promcheck() {
  python3 - "$1" <<'PY'
import re, sys
seen_type, families, order = {}, set(), []
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        name = line.split()[2]
        assert name not in seen_type, f"TYPE twice for {name}"
        seen_type[name] = True
    elif line.startswith("#") or not line:
        continue
    else:
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+]+)$', line)
        assert m, f"bad sample line: {line}"
        assert m.group(1) in seen_type, f"sample before its TYPE: {line}"
PY
}

# --- sync apply: success
check "sync apply with a report" "$D" sync apply -f "$E2E_DIR/sync.yaml" --state-dir "$STATE" \
  --summary-file "$R/sync.json" --metrics-file "$R/sync.prom"
shape "$R/sync.json" "sync apply" ok 0
expect_eq "sync: counts say what was created" "$(jq .counts.users_create "$R/sync.json")" "40"
expect_eq "sync: counts say what succeeded" "$(jq '.counts.succeeded > 0' "$R/sync.json")" "true"
expect_eq "sync: the sync's own fields stay (result, plan hash)" "$(jq -r '.result + " " + (.plan.hash | length > 10 | tostring)' "$R/sync.json")" "ok true"
M=$(cat "$R/sync.prom")
expect_match "sync metrics: last run success" "$M" 'daoctl_sync_last_run_success\{job="demo-employees"\} 1'
expect_match "sync metrics: last success time" "$M" 'daoctl_sync_last_success_timestamp_seconds\{job="demo-employees"\} [0-9]{10}'
expect_match "sync metrics: duration" "$M" 'daoctl_sync_duration_seconds\{job="demo-employees"\} [0-9.]+'
expect_match "sync metrics: counts" "$M" 'daoctl_sync_items\{job="demo-employees",kind="users_create"\} 40'
expect_match "sync metrics: the older gauge names remain" "$M" 'daoctl_sync_success\{job="demo-employees"\} 1'
check "sync metrics are a valid textfile (HELP/TYPE, no family twice)" promcheck "$R/sync.prom"
LAST_OK=$(grep -Eo 'daoctl_sync_last_success_timestamp_seconds\{job="demo-employees"\} [0-9]+' "$R/sync.prom" | cut -d' ' -f2)

# --- sync apply: a failed source read still writes both, keeping the last success
mv "$E2E_DIR/employees.csv" "$E2E_DIR/employees.csv.away"
sleep 1
expect_exit 5 "sync apply with a missing source stops (exit 5)" "$D" sync apply -f "$E2E_DIR/sync.yaml" \
  --state-dir "$STATE" --summary-file "$R/sync.json" --metrics-file "$R/sync.prom"
shape "$R/sync.json" "sync apply" safety_stop 5
expect_match "failed sync: the summary holds the error" "$(jq -r '.errors[-1].message' "$R/sync.json")" 'employees\.csv|source hr'
M=$(cat "$R/sync.prom")
expect_match "failed sync: last run success 0" "$M" 'daoctl_sync_last_run_success\{job="demo-employees"\} 0'
expect_match "failed sync: the previous last success time is kept" "$M" \
  "daoctl_sync_last_success_timestamp_seconds\\{job=\"demo-employees\"\\} $LAST_OK"
expect_match "failed sync: exit code gauge" "$M" 'daoctl_sync_last_run_exit_code\{job="demo-employees"\} 5'
mv "$E2E_DIR/employees.csv.away" "$E2E_DIR/employees.csv"

# --- a locked run leaves the holder's report alone
before=$(cat "$R/sync.json")
# flock -o: the lock is held by flock itself (not by sleep), so it is gone when flock exits.
flock -o "$STATE/demo-employees.lock" sleep 2 &
HOLDER=$!
E2E_PIDS+=("$HOLDER")
sleep 0.5
expect_exit 6 "sync apply while another run holds the lock exits 6" "$D" sync apply -f "$E2E_DIR/sync.yaml" \
  --state-dir "$STATE" --summary-file "$R/sync.json" --metrics-file "$R/sync.prom"
expect_eq "locked: the summary is untouched" "$(cat "$R/sync.json")" "$before"
wait "$HOLDER" 2>/dev/null

# --- --log-format json: every stderr line is an object with level, time, message
run "$D" --log-format json sync apply -f "$E2E_DIR/sync.yaml" --state-dir "$STATE"
expect_eq "json logs: sync apply succeeds" "$STATUS" "0"
expect_eq "json logs: every line is an object with level, time and message" \
  "$(printf '%s\n' "$ERR" | jq -s 'length > 0 and all(has("level") and has("time") and has("message"))')" "true"
expect_eq "json logs: the finished event carries fields" \
  "$(printf '%s\n' "$ERR" | jq -rs '[.[] | select(.message == "daoctl sync apply finished")][0].fields.status')" "ok"
run "$D" --log-format json users get nobody-at-all
expect_eq "json logs: an error is one object" "$(printf '%s\n' "$ERR" | jq -r 'select(.level == "error") | .kind')" "not_found"

# --- deprovision apply
{ cat "$E2E_DIR/sync.yaml"; printf 'deprovision:\n  dismissed_when: [missing_from_sources]\n  now: [block]\n'; } >"$E2E_DIR/deprov.yaml"
check "deprovision apply with a report" "$D" deprovision apply -f "$E2E_DIR/deprov.yaml" --state-dir "$STATE" \
  --summary-file "$R/deprov.json" --metrics-file "$R/deprov.prom"
shape "$R/deprov.json" "deprovision apply" ok 0
expect_eq "deprovision: counts blocked" "$(jq .counts.blocked "$R/deprov.json")" "0"
expect_match "deprovision metrics" "$(cat "$R/deprov.prom")" 'daoctl_deprovision_last_run_success\{job="demo-employees"\} 1'

# --- import apply (a partial failure is exit 3 and status partial)
MM="$DAOCTL_SHARED_DIR/realdata/zulip/zerver/tests/fixtures/mattermost_fixtures/export.json"
ADMIN=$("$D" users list -o json | jq -r '.[0].userName')
run "$D" import apply "$MM" --fallback-author "$ADMIN" --summary-file "$R/import.json" --metrics-file "$R/import.prom"
expect_match "import apply ends ok or partial" "$STATUS" '^(0|3)$'
shape "$R/import.json" "import apply" "$([ "$STATUS" = 0 ] && echo ok || echo partial)" "$STATUS"
expect_eq "import: counts created" "$(jq '.counts.created > 0' "$R/import.json")" "true"
expect_match "import metrics" "$(cat "$R/import.prom")" 'daoctl_import_items\{kind="created"\} [1-9]'
check "import metrics are a valid textfile" promcheck "$R/import.prom"

# --- stats export
check "stats export with a report" "$D" stats export activity --since 30d -O "$E2E_DIR/a.csv" \
  --summary-file "$R/stats.json" --metrics-file "$R/stats.prom"
shape "$R/stats.json" "stats export" ok 0
expect_eq "stats: counts rows" "$(jq .counts.rows_activity "$R/stats.json")" "$(($(wc -l <"$E2E_DIR/a.csv") - 1))"
expect_match "stats metrics" "$(cat "$R/stats.prom")" 'daoctl_stats_export_last_run_success 1'

# --- env apply
cat >"$E2E_DIR/env.yaml" <<'YAML'
version: 1
branding:
  primary_color: "#0B5FFF"
  background_color: "#FFFFFF"
YAML
check "apply with a report" "$D" apply -f "$E2E_DIR/env.yaml" --summary-file "$R/env.json" --metrics-file "$R/env.prom"
shape "$R/env.json" "apply" ok 0
expect_eq "env: counts applied" "$(jq '.counts.applied >= 1' "$R/env.json")" "true"
expect_match "env metrics" "$(cat "$R/env.prom")" 'daoctl_env_apply_last_run_success 1'

# --- backup create, download, prune, run (new -file spellings; run keeps --summary/--metrics)
check "backup create with a report" "$D" backup create --wait -o json --summary-file "$R/bc.json" --metrics-file "$R/bc.prom"
shape "$R/bc.json" "backup create" ok 0
ID=$(jq -r .backup_id "$R/bc.json")
check "backup download with a report" "$D" backup download "$ID" --dir "$E2E_DIR/bk" --summary-file "$R/bd.json" --metrics-file "$R/bd.prom"
shape "$R/bd.json" "backup download" ok 0
expect_eq "backup download: counts bytes" "$(jq .counts.bytes "$R/bd.json")" "$(stat -c %s "$E2E_DIR"/bk/daoctl-backup-*.tar.zst)"
expect_match "backup download metrics" "$(cat "$R/bd.prom")" "daoctl_backup_download_items\\{backup=\"$ID\",kind=\"bytes\"\\} [1-9]"
expect_exit 7 "backup download of an unknown id fails" "$D" backup download no-such-backup --dir "$E2E_DIR/bk" \
  --summary-file "$R/bd.json" --metrics-file "$R/bd2.prom"
shape "$R/bd.json" "backup download" not_found 7
check "backup prune with a report" "$D" backup prune --dir "$E2E_DIR/bk" --keep-last 1 --summary-file "$R/bp.json" --metrics-file "$R/bp.prom"
shape "$R/bp.json" "backup prune" ok 0
expect_eq "backup prune: counts kept" "$(jq .counts.kept "$R/bp.json")" "1"
check "backup run with --summary-file/--metrics-file" "$D" -o json backup run --dir "$E2E_DIR/bk" --keep-last 2 \
  --summary-file "$R/br.json" --metrics-file "$R/br.prom"
shape "$R/br.json" "backup run" ok 0
expect_eq "backup run -o json: the summary goes to stdout" "$(jq -r .status <<<"$OUT")" "ok"
expect_eq "backup run: its own fields stay" "$(jq -r '.success' "$R/br.json")" "true"
M=$(cat "$R/br.prom")
expect_match "backup run metrics: last run success" "$M" '^daoctl_backup_last_run_success 1$'
expect_match "backup run metrics: the older gauge names remain" "$M" 'daoctl_backup_last_size_bytes [0-9]+'
check "backup run metrics are a valid textfile" promcheck "$R/br.prom"

finish
