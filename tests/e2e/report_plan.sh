#!/usr/bin/env bash
# Plan review pages: `sync plan --html` and `deprovision plan --html` on an
# HR export whose names and departments hold markup, quotes, `&`, `</svg>`,
# right-to-left and Cyrillic text. The page holds the same data as --out
# plan.json (every user action and every field: old -> new, read back with
# python3's html.parser), deactivations come first and are marked, the guard
# result and the exact apply command with --allow-deprovision are there, and
# that command, run as written, applies the plan. Pages open in headless
# chromium with the network off without a console message.
source "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
cd "$E2E_DIR" || exit 1
write_hr() {  # write_hr LAST_ROW: rows 0..LAST_ROW
  python3 - "$1" >hr.csv <<'EOF'
import csv, sys
w = csv.writer(sys.stdout)
w.writerow(['tab', 'login', 'name', 'dept', 'title'])
depts = ['Company/IT', 'Company/<script>alert(1)', 'Company/Отдел "продаж" & Co', 'Company/שלום </svg>']
names = ['Иван <b>Иванов</b>', 'שרה כהן', "O'Brien & \"Sons\"", '</svg><script>alert(2)</script>']
for i in range(int(sys.argv[1]) + 1):
    w.writerow([f'T{i:03d}', f'u{i:03d}', names[i % 4] + f' {i}', depts[i % 4], 'Engineer'])
EOF
}
write_hr 39
cat >sync.yaml <<'YAML'
version: 1
name: e2e-plan-page
sources:
  hr: {type: csv, path: hr.csv, key: tab}
mapping:
  externalId: "{hr.tab}"
  userName: "{hr.login}"
  email: "{hr.login}@corp.example"
  displayName: "{hr.name}"
  department: "{hr.dept}"
  title: "{hr.title}"
deprovision:
  dismissed_when: [missing_from_sources]
  now: [block, revoke_sessions]
  after_days: 30
  then: [archive]
safety:
  max_deprovisions: 3
  max_deprovisions_percent: 100
YAML
check "initial sync" "$DAOCTL_BIN" sync apply -f sync.yaml
# Rows 30..39 leave (10 deactivations, above max_deprovisions 3); the rest get a new title.
write_hr 29
# python3's csv module ends rows with CRLF, as HR exports from Windows do.
sed -i 's/,Engineer\(\r\?\)$/,Lead <Engineer>\1/' hr.csv
expect_exit 5 "sync plan: the guard refuses, the page is still written" "$DAOCTL_BIN" sync plan -f sync.yaml \
  --out plan.json --html plan.html
expect_match "says where the page is" "$ERR" 'wrote the plan.s review page to plan.html'
HASH=$(jq -r .hash plan.json)

COMPARE=$(python3 - <<'EOF'
import json
from html.parser import HTMLParser
class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.section, self.rows, self.row, self.cell, self.text, self.pre = None, {}, None, None, [], ''
        self.in_pre = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'section': self.section = a.get('id')
        elif tag == 'tr': self.row = []
        elif tag == 'td' and self.row is not None: self.cell = ''
        elif tag == 'pre': self.in_pre = True
    def handle_endtag(self, tag):
        if tag == 'td' and self.cell is not None: self.row.append(self.cell); self.cell = None
        elif tag == 'tr' and self.row: self.rows.setdefault(self.section, []).append(self.row); self.row = None
        elif tag == 'pre': self.in_pre = False
    def handle_data(self, data):
        if self.cell is not None: self.cell += data
        if self.in_pre: self.pre += data
        self.text.append(data)
page = Page(); page.feed(open('plan.html', encoding='utf-8').read())
plan = json.load(open('plan.json'))
def text(v):
    return '(none)' if v is None else v if isinstance(v, str) else json.dumps(v, separators=(',', ':'))
problems = []
# Every deactivation, marked, in the removals section; nothing else there but deletions.
want = sorted(u['userName'] for u in plan['users'] if u['action'] == 'deactivate')
got = sorted(r[2] for r in page.rows.get('removals', []) if r[0] == '\u26d4 deactivate')
if got != want: problems.append(f'removals {got} != {want}')
# Every other action and change, as field: old -> new.
want = sorted((u['action'], u['userName'], c['field'], text(c['before']), '\u2192 ' + text(c['after']))
              for u in plan['users'] if u['action'] != 'deactivate' for c in u['changes'])
want += sorted((u['action'], u['userName'], '', '', '') for u in plan['users'] if u['action'] != 'deactivate' and not u['changes'])
got = sorted(tuple(r) for r in page.rows.get('changes', []))
if sorted(got) != sorted(want): problems.append(f'changes differ: {len(got)} rows on the page, {len(want)} in plan.json')
# Counts: every member of the summary.
want = sorted((g, k, str(v)) for g, m in plan['summary'].items() if isinstance(m, dict) for k, v in m.items())
got = sorted((r[0], r[1], r[2].replace(',', '')) for r in page.rows.get('counts', []) if r[1])
if got != want: problems.append(f'counts {got} != {want}')
print(page.pre.strip())
print('; '.join(problems) if problems else 'same')
EOF
)
expect_eq "the page holds the data of plan.json" "$(printf '%s\n' "$COMPARE" | tail -n1)" "same"
APPLY=$(printf '%s\n' "$COMPARE" | head -n1)
expect_eq "the exact apply command" "$APPLY" "daoctl sync apply -f sync.yaml --plan plan.json --allow-deprovision $HASH"
PAGE=$(cat plan.html)
expect_match "the guard's refusal is on the page" "$PAGE" '<span class="badge">refused</span>[^<]*max_deprovisions'
expect_match "deactivations come before the other changes" "$(grep -o 'id="removals"\|id="changes"' plan.html | tr '\n' ' ')" '^id="removals" id="changes" $'
expect_no_match "no script or img element from a name" "$PAGE" '<(script|img|b)[ >]'
expect_match "a department path with markup is text" "$PAGE" '<h3><bdi>Company/&lt;script&gt;alert\(1\)</bdi>'
expect_match "RTL department isolated" "$PAGE" '<bdi>Company/שלום &lt;/svg&gt;</bdi>'

# The command as written applies exactly this plan.
set -f
read -r -a ARGS <<<"${APPLY#daoctl }"
set +f
check "the page's apply command applies the plan" "$DAOCTL_BIN" "${ARGS[@]}"
expect_eq "10 accounts blocked" "$("$DAOCTL_BIN" users list -o json | jq '[.[] | select(.active == false)] | length')" "10"

# deprovision plan --html: the same plan data as its -o json.
write_hr 27
check "deprovision plan -o json" "$DAOCTL_BIN" deprovision plan -f sync.yaml -o json --today "$(date -u +%F)"
printf '%s' "$OUT" >dplan.json
check "deprovision plan --html" "$DAOCTL_BIN" deprovision plan -f sync.yaml --html dplan.html --today "$(date -u +%F)"
D_HASH=$(jq -r .plan.hash dplan.json)
expect_match "the deprovision page names the plan hash" "$(cat dplan.html)" "Plan hash</dt><dd>$D_HASH</dd>"
expect_eq "the deprovision page marks both leavers" \
  "$(grep -o '⛔ deactivate</bdi></td><td><bdi>user</bdi></td><td><bdi>u0[0-9]*' dplan.html | sed 's/.*<bdi>//' | sort | tr '\n' ' ')" \
  "$(jq -r '[.plan.users[] | select(.action == "deactivate") | .userName] | sort | join(" ")' dplan.json) "
expect_match "the deprovision apply command" "$(cat dplan.html)" "<pre>daoctl deprovision apply -f sync.yaml --allow-deprovision $D_HASH</pre>"

# Both pages in the browser, network off: no console message.
NET_OFF=()
unshare -rn true 2>/dev/null && NET_OFF=(unshare -rn)
SHOTS="${DAOCTL_BUILD_DIR:-$E2E_DIR}/report-screenshots"
mkdir -p "$SHOTS"
for p in plan dplan; do
  "${NET_OFF[@]}" chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions \
    --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=http://127.0.0.1:9 --user-data-dir="$E2E_DIR/chrome-$p" \
    --enable-logging=stderr --v=0 --window-size=1200,2000 --screenshot="$SHOTS/$p.png" "file://$E2E_DIR/$p.html" \
    >/dev/null 2>"$p.log"
  expect_eq "$p.html: no console message or CSP violation" \
    "$(grep -hE 'CONSOLE|Refused to|Content Security Policy|Uncaught' "$p.log" | grep -v 'source: chrome://' | head -3)" ""
  expect_eq "$p.html: screenshot saved" "$(head -c 4 "$SHOTS/$p.png" | tail -c 3)" "PNG"
done
finish
