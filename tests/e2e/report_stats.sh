#!/usr/bin/env bash
# stats report against a seeded daoctl-sim: every figure of the page equals
# what `stats export` gives for the same period (read back from the page's
# tables with python3's html.parser, from the exports with python3's csv),
# department names full of markup, quotes, `&`, `</svg>`, right-to-left and
# Cyrillic text come out as text, and the file is self-contained. Badges
# awarded equal `stats export awards` of the period and of the one before,
# with hostile badge names, a badge deleted after its awards, and awards
# exactly at from (counted) and at to (not counted).
source "$(dirname "$0")/lib.sh"

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 300 --departments 15 --activity-days 60 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed with activity" "$(cat "$E2E_DIR/seed.err")"
start_sim
D=$DAOCTL_BIN
RANGE=(--from 2025-01-01 --to 2025-03-02)  # the 60 seeded days

# Department names an HR file could hold (a name has no '/', so the closing
# tag is made across two levels: Legal becomes "... <" and its child
# Analytics "svg><b ...>", making the path "Company/... </svg><b ...>").
NAMES=('<script>alert(1)' '"><img src=x onerror=alert(2)>' 'שלום עולם' 'Отдел продаж' "it's \"quoted\""
  'R&D &amp; Co <' "svg><b onmouseover='alert(4)'>")
IDS=(2 3 4 5 6 7 14)
for i in "${!NAMES[@]}"; do
  check "rename department ${IDS[$i]}" "$D" api PATCH "/api/v1/departments/${IDS[$i]}" \
    -d "$(jq -cn --arg n "${NAMES[$i]}" '{name: $n}')"
done
for name in '</svg><script>alert(5)</script>' 'קהילה & <b>' 'Сообщество "Ё"'; do
  check "community $name" "$D" api POST /api/v1/communities -d "$(jq -cn --arg n "$name" '{name: $n}')"
done
# Badges an admin could name, awarded through the API on top of the seeded ones.
award() {  # award BADGE_ID USER_ID AWARDED_AT
  check "award badge $1 at $3" "$D" api POST "/api/v1/users/$2/awards" -d "$(jq -cn --arg b "$1" --arg t "$3" '{badge_id: $b, awarded_at: $t}')"
}
BADGE_IDS=()
for name in '<script>alert(6)</script>' "Mentor's \"gold\" & <b>" 'מצטיין החודש' 'Retired badge'; do
  check "badge $name" "$D" api POST /api/v1/badges -d "$(jq -cn --arg n "$name" '{name: $n}')"
  BADGE_IDS+=("$(printf '%s' "$OUT" | jq -r .id)")
done
award "${BADGE_IDS[0]}" 5 2025-01-01T00:00:00Z         # exactly at from: counted
award "${BADGE_IDS[0]}" 6 2025-03-01T23:59:59Z         # the last second: counted
award "${BADGE_IDS[1]}" 7 2025-03-02T00:00:00Z         # exactly at to: next period
award "${BADGE_IDS[1]}" 7 2025-02-10T12:00:00+02:00    # an offset, in range
award "${BADGE_IDS[2]}" 8 2025-01-15T09:00:00Z
award "${BADGE_IDS[3]}" 9 2025-02-03T10:00:00Z         # this badge is deleted below
award "${BADGE_IDS[3]}" 10 2025-02-04T10:00:00Z
award "${BADGE_IDS[3]}" 10 2024-12-20T10:00:00Z        # the previous period
award "${BADGE_IDS[2]}" 11 2024-12-31T23:59:59Z        # the previous period's last second
check "delete the retired badge" "$D" api DELETE "/api/v1/badges/${BADGE_IDS[3]}"
check "awards at from and at to" "$D" api GET "/api/v1/stats/awards?from=2025-01-01&to=2025-03-02&limit=1000"
expect_eq "an award exactly at from is counted, one exactly at to is not" \
  "$(printf '%s' "$OUT" | jq -c --arg a "${BADGE_IDS[0]}" --arg b "${BADGE_IDS[1]}" '[([.items[] | select(.badge_id == $a) | .awarded] | add), ([.items[] | select(.badge_id == $b) | .awarded] | add)]')" "[2,1]"
expect_eq "a deleted badge keeps its awards, without a name" \
  "$(printf '%s' "$OUT" | jq -c --arg d "${BADGE_IDS[3]}" '[.items[] | select(.badge_id == $d)] | [(map(.awarded) | add), (map(.badge_name) | unique)]')" "[2,[null]]"
check "departments after renaming" "$D" api GET '/api/v1/departments?limit=1000'
printf '%s' "$OUT" >"$E2E_DIR/departments.json"

check "stats report" "$D" stats report "${RANGE[@]}" --group-by department -O "$E2E_DIR/report.html"
expect_match "says what it wrote" "$ERR" 'wrote the report of 2025-01-01T00:00:00Z \.\. 2025-03-02T00:00:00Z'
for spec in "day none" "week none" "month none" "week department"; do
  set -- $spec
  check "export $1/$2" "$D" stats export activity "${RANGE[@]}" --granularity "$1" --group-by "$2" -O "$E2E_DIR/$1-$2.csv"
done
check "export events" "$D" stats export events "${RANGE[@]}" -O "$E2E_DIR/events.csv"
check "export awards" "$D" stats export awards "${RANGE[@]}" --granularity week -O "$E2E_DIR/awards.csv"
check "export awards of the period before" "$D" stats export awards --from 2024-11-02 --to 2025-01-01 -O "$E2E_DIR/awards-before.csv"
check "export communities" "$D" api GET '/api/v1/communities?limit=1000'
printf '%s' "$OUT" >"$E2E_DIR/communities.json"

COMPARE=$(python3 - "$E2E_DIR" <<'EOF'
import csv, json, sys
from html.parser import HTMLParser
d = sys.argv[1]

class Tables(HTMLParser):
    """Every <table id=...> as a list of rows of cell texts."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.current, self.row, self.cell = {}, None, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'table' and 'id' in a:
            self.current = self.tables.setdefault(a['id'], [])
        elif tag == 'tr' and self.current is not None:
            self.row = []
        elif tag in ('td', 'th') and self.row is not None:
            self.cell = ''
    def handle_endtag(self, tag):
        if tag in ('td', 'th') and self.cell is not None:
            self.row.append(self.cell); self.cell = None
        elif tag == 'tr' and self.row is not None:
            self.current.append(self.row); self.row = None
        elif tag == 'table':
            self.current = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

page = open(f'{d}/report.html', encoding='utf-8').read()
p = Tables(); p.feed(page)
t = p.tables
def rows(name):
    with open(f'{d}/{name}.csv', newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))
def num(text):
    return int(text.replace(',', '')) if text else None
def unguard(text):  # stats export's CSV formula guard
    return text[1:] if text[:1] == "'" and text[1:2] in ('=', '+', '-', '@', '\t', '\r') else text
problems = []
def same(what, got, want):
    if got != want:
        problems.append(f'{what}: page {got!r}, export {want!r}')

# Activity per week: every row and column.
counters = ['active_users', 'logins', 'posts', 'comments', 'reactions', 'views']
week = rows('week-none')
same('activity table', [[r[0]] + [num(c) for c in r[1:]] for r in t['activity-table'][1:]],
     [[r['period']] + [int(r[k]) for k in counters] for r in week])

# Headline figures: sums of the day rows, averages over 60 days, 9 weeks, 3 months.
day, month = rows('day-none'), rows('month-none')
head = {r[0]: r[1] for r in t['headline'][1:]}
for label, key in [('Posts', 'posts'), ('Comments', 'comments'), ('Reactions', 'reactions'), ('Views', 'views'), ('Logins', 'logins')]:
    same(label, num(head[label]), sum(int(r[key]) for r in day))
for label, data, n in [('Daily active users (average)', day, 60), ('Weekly active users (average)', week, 9),
                       ('Monthly active users (average)', month, 3)]:
    same(label, head[label], f"{round(sum(int(r['active_users']) for r in data) / n + 1e-9, 1):.1f}")

# Department x week: every cell.
deps = {x['id']: x for x in json.load(open(f'{d}/departments.json'))['items']}
grid = t['department-heat-map']
periods = grid[0][1:]
page_cells = {(r[0], periods[i]): num(c) for r in grid[1:] for i, c in enumerate(r[1:]) if c}
export_cells = {}
for r in rows('week-department'):
    name = unguard(r['department']) if r['department'] else ('(no department)' if not r['department_id'] else f"(deleted department {r['department_id']})")
    export_cells[(name, r['period'])] = export_cells.get((name, r['period']), 0) + int(r['active_users'])
same('heat map cells', page_cells, export_cells)
# Shares: average active users over the periods / members now.
for r in t['department-share'][1:]:
    name, members, average = r[0], r[1], r[2]
    want = sum(v for (n, _), v in export_cells.items() if n == name) / len(periods)
    same(f'average of {name}', average, f'{want:.1f}')
    dep = [x for x in deps.values() if x['path'] == name]
    if dep:
        same(f'members of {name}', num(members), dep[0]['member_count'])

# Events funnel: sums of the events export.
events = rows('events')
funnel = {r[0]: num(r[1]) for r in t['events-funnel'][1:]}
for k in ['invited', 'going', 'maybe', 'declined', 'pending']:
    same(f'events {k}', funnel[k], sum(int(r[k]) for r in events))

# Communities: the top by members.
comms = sorted(json.load(open(f'{d}/communities.json'))['items'], key=lambda c: (-c['member_count'], c['name']))[:10]
same('top communities', [[r[0], num(r[1])] for r in t.get('top-communities', [[]])[1:]],
     [[c['name'], c['member_count']] for c in comms])

# Badges awarded: per badge and in all, this period and the one before.
awards, before = rows('awards'), rows('awards-before')
per_badge = {}
for r in awards:
    name = unguard(r['badge_name']) if r['badge_name'] else f"(deleted badge {r['badge_id']})"
    per_badge[name] = per_badge.get(name, 0) + int(r['awarded'])
same('badges awarded table', sorted((r[0], num(r[1])) for r in t.get('badges-awarded', [[]])[1:]), sorted(per_badge.items()))
same('Badges awarded', num(head.get('Badges awarded')), sum(int(r['awarded']) for r in awards))
same('Badges awarded before', num({r[0]: r[2] for r in t['headline'][1:]}.get('Badges awarded')),
     sum(int(r['awarded']) for r in before))
if not before or not awards or not any(not r['badge_name'] for r in awards):
    problems.append('the exports lack the awards this test made (previous period, deleted badge)')

print('; '.join(problems) if problems else 'same')
EOF
)
expect_eq "the page's figures equal stats export of the same period" "$COMPARE" "same"

PAGE=$(cat "$E2E_DIR/report.html")
expect_match "CSP forbids every request" "$PAGE" "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
expect_no_match "no script element" "$PAGE" '<script'
expect_no_match "no element from a name" "$PAGE" '<img'
expect_no_match "no element from a name (b)" "$PAGE" '<b[ >]'
expect_match "markup in a name is text" "$PAGE" '<bdi>Company/&lt;script&gt;alert\(1\)</bdi>'
expect_match "a closing svg across two names is text" "$PAGE" 'Company/R&amp;D &amp;amp; Co &lt;/svg&gt;&lt;b onmouseover=&#39;alert\(4\)&#39;&gt;</bdi>'
expect_match "a closing svg in a community name is text" "$PAGE" '<bdi>&lt;/svg&gt;&lt;script&gt;alert\(5\)&lt;/script&gt;</bdi>'
expect_match "RTL name isolated" "$PAGE" '<bdi>Company/שלום עולם</bdi>'
expect_match "Cyrillic name kept" "$PAGE" 'Отдел продаж'
expect_match "markup in a badge name is text" "$PAGE" '<bdi>&lt;script&gt;alert\(6\)&lt;/script&gt;</bdi>'
expect_match "quotes in a badge name are text" "$PAGE" '<bdi>Mentor&#39;s &quot;gold&quot; &amp; &lt;b&gt;</bdi>'
expect_match "an RTL badge name is isolated" "$PAGE" '<bdi>מצטיין החודש</bdi>'
expect_match "a deleted badge is named as such" "$PAGE" '<bdi>\(deleted badge [0-9]+\)</bdi>'
expect_no_match "no URL of any kind is loaded" "$PAGE" '<[^>]*[[:space:]](src|href|srcset)=|url\(|@import'
expect_match "period and generation time in UTC" "$PAGE" 'Generated \(UTC\)</dt><dd>20[0-9-]{8}T[0-9:]{8}Z'
expect_match "the platform URL" "$PAGE" "Platform</dt><dd>$SIM_URL"

# Usage errors: day granularity, group by user, a page to a terminal is refused elsewhere (tty test).
expect_exit 2 "granularity day is refused" "$D" stats report --since 30d --granularity day -O "$E2E_DIR/x.html"
expect_exit 2 "group by user is refused" "$D" stats report --since 30d --group-by user -O "$E2E_DIR/x.html"
finish
