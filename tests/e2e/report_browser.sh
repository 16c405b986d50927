#!/usr/bin/env bash
# stats report pages opened in a real browser (Debian's headless chromium)
# with the network off: no console message or CSP violation, a screenshot
# PNG of each page kept under the build folder, the number of drawn marks
# (SVG elements with data-mark, per chart) equal to the number of data points
# counted from `stats export` (badges awarded included: one bar per badge of
# `stats export awards`), and the page's text in the DOM the browser
# built. A report of 200 departments x 52 weeks stays under 1.5 MB and its
# screenshot takes at most 1 s longer than that of an empty report (CPU
# seconds of the browser, best of 3, measured in this run; wall printed).
source "$(dirname "$0")/lib.sh"

command -v chromium >/dev/null || { failed "chromium is installed (Debian package chromium; scripts/install-deps.sh)"; finish; exit 1; }
SHOTS="${DAOCTL_BUILD_DIR:-$E2E_DIR}/report-screenshots"
mkdir -p "$SHOTS"
# Network off: a network namespace of our own where the kernel allows one,
# and in any case chromium's resolver and proxy pointed nowhere.
NET_OFF=()
if unshare -rn true 2>/dev/null; then NET_OFF=(unshare -rn); echo "network: off (own network namespace)"; else
  echo "network: chromium's resolver and proxy pointed nowhere (no user namespace here)"; fi
CHROME=(chromium --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions
  --disable-background-networking --disable-component-update --disable-sync --no-default-browser-check
  --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=http://127.0.0.1:9 --proxy-bypass-list='<-loopback>'
  --user-data-dir="$E2E_DIR/chrome-profile" --enable-logging=stderr --v=0)

# dump NAME FILE: the DOM chromium built -> $E2E_DIR/NAME.dom, its log -> NAME.log
dump() {
  "${NET_OFF[@]}" "${CHROME[@]}" --dump-dom "file://$2" >"$E2E_DIR/$1.dom" 2>"$E2E_DIR/$1.log"
}
# shot NAME FILE [FLAGS...]: a PNG under $SHOTS; prints "CPU WALL" seconds
shot() {
  local name=$1 file=$2
  shift 2
  rm -f "$SHOTS/$name.png"
  /usr/bin/time -f '%U %S %e' -o "$E2E_DIR/$name.time" "${NET_OFF[@]}" "${CHROME[@]}" "$@" --window-size=1200,2400 \
    --screenshot="$SHOTS/$name.png" "file://$file" >/dev/null 2>"$E2E_DIR/$name.shot.log"
  awk '{printf "%.2f %.2f\n", $1 + $2, $3}' "$E2E_DIR/$name.time"
}
# What the page told the console, and every request it tried (chromium's own
# chrome:// pages log to the same stream; their messages are not the page's).
console_problems() {
  grep -hE 'CONSOLE|Refused to|Content Security Policy|Uncaught|ERR_' "$@" | grep -v 'source: chrome://' | head -5
}

# --- the harness can fail: a page with a script and a remote image under the same CSP
cat >"$E2E_DIR/bad.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
</head><body><p>bad</p><script>console.error("boom")</script><img src="http://192.0.2.1/x.png"></body></html>
EOF
dump bad "$E2E_DIR/bad.html"
expect_match "the console check sees a CSP violation on a bad page" "$(console_problems "$E2E_DIR/bad.log")" 'Refused to|Content Security Policy'

# --- a company of 200 departments with a year of activity, and hostile names
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 2000 --departments 200 --activity-days 364 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed with activity" "$(cat "$E2E_DIR/seed.err")"
start_sim
D=$DAOCTL_BIN
NAMES=('<script>alert(1)' '"><img src=x onerror=alert(2)>' 'שלום עולם' 'Отдел продаж' 'R&D &amp; Co </b>')
for i in "${!NAMES[@]}"; do
  check "rename department $((i + 2))" "$D" api PATCH "/api/v1/departments/$((i + 2))" \
    -d "$(jq -cn --arg n "${NAMES[$i]//\//|}" '{name: $n}')"
done
for name in '</svg><script>alert(5)</script>' 'קהילה & <b>' 'Сообщество "Ё"'; do
  check "community $name" "$D" api POST /api/v1/communities -d "$(jq -cn --arg n "$name" '{name: $n}')"
done
# A badge with a hostile name awarded in the year, and one deleted after its award.
for name in '<img src=x onerror=alert(7)>' 'Gone'; do
  check "badge $name" "$D" api POST /api/v1/badges -d "$(jq -cn --arg n "$name" '{name: $n}')"
  BADGE=$(printf '%s' "$OUT" | jq -r .id)
  check "award $name" "$D" api POST /api/v1/users/3/awards -d "$(jq -cn --arg b "$BADGE" '{badge_id: $b, awarded_at: "2025-06-02T10:00:00Z"}')"
done
check "delete the badge Gone" "$D" api DELETE "/api/v1/badges/$BADGE"
YEAR=(--from 2024-12-30 --to 2025-12-29)  # ISO weeks 2025-W01 .. 2025-W52
check "the year's report" "$D" stats report "${YEAR[@]}" --group-by department -O "$E2E_DIR/year.html"
check "an empty period's report" "$D" stats report --from 2001-01-01 --to 2001-02-01 --group-by department -O "$E2E_DIR/empty.html"
check "export week/none" "$D" stats export activity "${YEAR[@]}" --granularity week -O "$E2E_DIR/week.csv"
check "export week/department" "$D" stats export activity "${YEAR[@]}" --granularity week --group-by department -O "$E2E_DIR/cells.csv"
check "export awards" "$D" stats export awards "${YEAR[@]}" --granularity week -O "$E2E_DIR/awards.csv"
check "export awards of the empty period" "$D" stats export awards --from 2001-01-01 --to 2001-02-01 -O "$E2E_DIR/awards-empty.csv"
check "departments" "$D" api GET '/api/v1/departments?limit=1000'
printf '%s' "$OUT" >"$E2E_DIR/departments.json"
check "communities" "$D" api GET '/api/v1/communities?limit=1000'
printf '%s' "$OUT" >"$E2E_DIR/communities.json"

SIZE=$(stat -c %s "$E2E_DIR/year.html")
echo "year report: $SIZE bytes"
expect_eq "the year's report has 200 departments x 52 weeks of cells" \
  "$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(len({x["department_id"] for x in r}), len({x["period"] for x in r}))' "$E2E_DIR/cells.csv")" "200 52"
expect_eq "200 departments x 52 weeks stay under 1.5 MB" "$([ "$SIZE" -lt 1500000 ] && echo yes || echo "no: $SIZE bytes")" "yes"

# --- each page in the browser
for page in year empty; do
  dump "$page" "$E2E_DIR/$page.html"
  expect_eq "$page: no console message, CSP violation or failed request" "$(console_problems "$E2E_DIR/$page.log")" ""
  shot "$page" "$E2E_DIR/$page.html" >/dev/null
  expect_eq "$page: screenshot saved as a 1200 x 2400 PNG" "$(python3 -c 'import struct,sys; b=open(sys.argv[1],"rb").read(24); print(b[:8]==b"\x89PNG\r\n\x1a\n", *struct.unpack(">II", b[16:24]))' "$SHOTS/$page.png" 2>&1)" "True 1200 2400"
  expect_eq "$page: no console message while drawing the screenshot" "$(console_problems "$E2E_DIR/$page.shot.log")" ""
done

MARKS=$(python3 - "$E2E_DIR" <<'EOF'
import csv, json, sys
from html.parser import HTMLParser
d = sys.argv[1]

class Page(HTMLParser):
    """data-mark elements per chart kind, and the text outside <style>/<title> of svg."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.svg, self.marks, self.text, self.skip = [], {}, [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'svg':
            self.svg.append(a.get('class', '').split()[-1])
        if 'data-mark' in a and self.svg:
            self.marks[self.svg[-1]] = self.marks.get(self.svg[-1], 0) + 1
        if tag in ('style', 'script', 'head'):
            self.skip += 1
    def handle_endtag(self, tag):
        if tag == 'svg':
            self.svg.pop()
        if tag in ('style', 'script', 'head'):
            self.skip -= 1
    def handle_data(self, data):
        if not self.skip:
            self.text.append(data)

def parse(path):
    p = Page(); p.feed(open(path, encoding='utf-8').read()); return p
problems = []
def same(what, got, want):
    if got != want:
        problems.append(f'{what}: {got!r} != {want!r}')

# Data points counted from the exports, not from the page.
week = list(csv.DictReader(open(f'{d}/week.csv', newline='', encoding='utf-8')))
cells = list(csv.DictReader(open(f'{d}/cells.csv', newline='', encoding='utf-8')))
members = {x['id']: x['member_count'] for x in json.load(open(f'{d}/departments.json'))['items']}
communities = len(json.load(open(f'{d}/communities.json'))['items'])
with_members = {r['department_id'] for r in cells if r['department_id'] and members.get(r['department_id'], 0) > 0}
awards = list(csv.DictReader(open(f'{d}/awards.csv', newline='', encoding='utf-8')))
badges = len({r['badge_id'] for r in awards})  # one bar per badge awarded in the year
if badges < 3 or all(r['badge_name'] for r in awards):
    problems.append(f'the year has {badges} badges awarded, and a deleted one: the seed or the test lost them')
empty_awards = list(csv.DictReader(open(f'{d}/awards-empty.csv', newline='', encoding='utf-8')))
same('empty period: no awards', len(empty_awards), 0)
want = {'line-chart': len(week) * 4, 'bar-chart': len(with_members) + 5 + min(10, communities) + badges,
        'heat-map': len(cells)}
dom = parse(f'{d}/year.dom')
same('year: marks per chart', dom.marks, want)
same('empty: marks per chart (no badges chart)', parse(f'{d}/empty.dom').marks, {'bar-chart': 5 + min(10, communities)})
for page in ('year', 'empty'):
    # The browser's DOM holds all of the page's text, in order.
    norm = lambda p: ' '.join(''.join(p.text).split())
    same(f'{page}: text in the DOM', norm(parse(f'{d}/{page}.dom')), norm(parse(f'{d}/{page}.html')))
text = ' '.join(dom.text)
for name in ['Company/<script>alert(1)', 'Company/"><img src=x onerror=alert(2)>', 'Company/שלום עולם',
             'Company/Отдел продаж', '</svg><script>alert(5)</script>', 'Сообщество "Ё"',
             '<img src=x onerror=alert(7)>']:
    if name not in text:
        problems.append(f'{name!r} is not text of the DOM')
print(sum(want.values()), '; '.join(problems) if problems else 'same')
EOF
)
echo "marks: $MARKS"
expect_match "drawn marks equal the data points, and the text is in the DOM" "$MARKS" '^[0-9]+ same$'
expect_no_match "the browser built no script or img element" "$(cat "$E2E_DIR/year.dom")" '<(script|img)[ >]'
expect_match "the empty period's page says no badges were awarded" "$(cat "$E2E_DIR/empty.dom")" 'No badges awarded in this period\.'

# --- the year's screenshot against the empty report's, alternately, best of 3.
# --single-process: the renderer's CPU is counted too (in the usual process
# model the zygote's children escape /usr/bin/time's account).
best_year=999 best_empty=999 wall_year=999 wall_empty=999
min() { echo "if ($1 < $2) $1 else $2" | bc; }
for _ in 1 2 3; do
  read -r cpu wall < <(shot empty-timed "$E2E_DIR/empty.html" --single-process); echo "empty report: $cpu s CPU, $wall s wall"
  best_empty=$(min "$cpu" "$best_empty") wall_empty=$(min "$wall" "$wall_empty")
  read -r cpu wall < <(shot year-timed "$E2E_DIR/year.html" --single-process); echo "year report: $cpu s CPU, $wall s wall"
  best_year=$(min "$cpu" "$best_year") wall_year=$(min "$wall" "$wall_year")
done
echo "screenshot, best of 3: year $best_year s CPU ($wall_year s wall), empty $best_empty s CPU ($wall_empty s wall)"
expect_eq "the year's screenshot takes at most 1 s (CPU) longer than the empty one's" \
  "$(echo "$best_year - $best_empty <= 1" | bc)" "1"
finish
