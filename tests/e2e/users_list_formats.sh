#!/usr/bin/env bash
# users list -o csv|table|yaml stream page by page through a spool (issue 17:
# 1M users as one vector of JSON documents took gigabytes). The rows must be
# what an independent rendering of the `-o json` listing gives, for users the
# seed never makes (control characters, formula-looking names, commas and
# quotes, wide CJK names, no e-mail, no department, inactive), at any page
# size; a listing that fails on a short page prints nothing; a spool that
# cannot be created is an error naming TMPDIR.
source "$(dirname "$0")/lib.sh"

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 1200 >/dev/null 2>&1 || failed "seed 1200 users"
start_sim
D=$DAOCTL_BIN

odd_user() {  # odd_user USERNAME JSON-FIELDS -> POST /scim/v2/Users
  "$D" api POST /scim/v2/Users -d "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$1\",$2}" \
    >/dev/null 2>"$E2E_DIR/odd.err" || failed "create odd user $1" "$(cat "$E2E_DIR/odd.err")"
}
odd_user odd.tab '"displayName":"Tab\there\nNew line\u0007bell","emails":[{"value":"tab@corp.example","primary":true}]'
odd_user odd.formula '"displayName":"=HYPERLINK(\"http://x\")","emails":[{"value":"+1@corp.example"}],"active":false'
odd_user odd.comma '"displayName":"Smith, \"Bob\"","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D, Lab \"7\""}'
odd_user odd.wide '"displayName":"王小明 測試","emails":[{"value":"wang@corp.example"}]'
odd_user odd.bare '"active":true'
odd_user odd.empty '"displayName":"","emails":[]'

"$D" users list -o json >"$E2E_DIR/list.json" 2>"$E2E_DIR/list.err" || failed "users list -o json" "$(cat "$E2E_DIR/list.err")"
expect_eq "json lists the seeded and the odd users" "$(jq length "$E2E_DIR/list.json")" 1206

# The reference: the rows render_list would print, computed here from the
# JSON listing (RFC 4180 CSV with the formula guard; a table padded to each
# column's widest cell, CJK counting two; YAML that loads as the same data).
python3 - "$E2E_DIR/list.json" "$E2E_DIR" <<'PY'
import json, sys, unicodedata
users = json.load(open(sys.argv[1]))
out = sys.argv[2]
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
def cell(v):
    if v is None: return ""
    if isinstance(v, bool): s = "true" if v else "false"
    elif isinstance(v, str): s = v
    else: s = json.dumps(v)
    return "".join(" " if ord(c) < 0x20 or c == "\x7f" else c for c in s)
def get(u, *path):
    for p in path:
        if isinstance(u, dict) and p in u: u = u[p]
        elif isinstance(u, list) and isinstance(p, int) and p < len(u): u = u[p]
        else: return None
    return u
cols = [("ID", ("id",)), ("USERNAME", ("userName",)), ("NAME", ("displayName",)),
        ("EMAIL", ("emails", 0, "value")), ("ACTIVE", ("active",)), ("DEPARTMENT", (ENT, "department"))]
rows = [[cell(get(u, *p)) for _, p in cols] for u in users]
def csv_field(t):
    guard = t[:1] in ("=", "+", "-", "@", "\t", "\r")
    if not any(c in t for c in ',"\r\n'):
        return ("'" if guard else "") + t
    return '"' + ("'" if guard else "") + t.replace('"', '""') + '"'
with open(out + "/expected.csv", "w", newline="") as f:
    for r in [[h for h, _ in cols]] + rows:
        f.write(",".join(csv_field(c) for c in r) + "\r\n")
def width(s):
    return sum(0 if 0x300 <= ord(c) <= 0x36f else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
table = [[h for h, _ in cols]] + rows
w = [max(width(r[k]) for r in table) for k in range(len(cols))]
with open(out + "/expected.table", "w") as f:
    for r in table:
        line = "".join(c + (" " * (w[k] - width(c)) + "  " if k + 1 < len(r) else "") for k, c in enumerate(r))
        f.write(line.rstrip(" ") + "\n")
PY

for ps in 7 500 1000; do
  "$D" users list -o csv --page-size "$ps" >"$E2E_DIR/got.csv" 2>"$E2E_DIR/err" || failed "csv, pages of $ps" "$(cat "$E2E_DIR/err")"
  cmp -s "$E2E_DIR/got.csv" "$E2E_DIR/expected.csv" && pass "csv in pages of $ps is the reference rendering" ||
    failed "csv in pages of $ps" "$(diff "$E2E_DIR/expected.csv" "$E2E_DIR/got.csv" | head -20)"
  "$D" users list -o table --page-size "$ps" >"$E2E_DIR/got.table" 2>"$E2E_DIR/err" || failed "table, pages of $ps" "$(cat "$E2E_DIR/err")"
  cmp -s "$E2E_DIR/got.table" "$E2E_DIR/expected.table" && pass "table in pages of $ps is the reference rendering" ||
    failed "table in pages of $ps" "$(diff "$E2E_DIR/expected.table" "$E2E_DIR/got.table" | head -20)"
  "$D" users list -o yaml --page-size "$ps" >"$E2E_DIR/got.yaml.$ps" 2>"$E2E_DIR/err" || failed "yaml, pages of $ps" "$(cat "$E2E_DIR/err")"
done
# (dates stay strings: YAML 1.1 would read the unquoted 2025-01-01 as one)
same=$(python3 -c 'import json, sys, yaml
class L(yaml.SafeLoader): pass
L.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                             for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
a = json.load(open(sys.argv[1])); b = yaml.load(open(sys.argv[2]), Loader=L)
print("same" if a == b else "differ")' "$E2E_DIR/list.json" "$E2E_DIR/got.yaml.7")
expect_eq "yaml in pages of 7 loads as the json listing" "$same" same
cmp -s "$E2E_DIR/got.yaml.7" "$E2E_DIR/got.yaml.1000" && pass "yaml is the same text whatever the page size" ||
  failed "yaml differs between pages of 7 and 1000"
expect_match "odd user's control characters became spaces in the table" "$(cat "$E2E_DIR/got.table")" 'Tab here New line bell'
expect_match "formula-looking name is guarded in csv" "$(cat "$E2E_DIR/got.csv")" "\"'=HYPERLINK\(\"\"http://x\"\"\)\""

# An empty filter result: the header (csv/table) or an empty list (yaml).
check "csv of no users" "$D" users list -o csv --filter 'userName eq "nobody.here"'
expect_eq "csv of no users is the header" "$OUT" "ID,USERNAME,NAME,EMAIL,ACTIVE,DEPARTMENT"$'\r'
check "yaml of no users" "$D" users list -o yaml --filter 'userName eq "nobody.here"'
expect_eq "yaml of no users is []" "$OUT" "[]"

# A spool that cannot be created: an error naming the folder and TMPDIR.
TMPDIR=/nonexistent/daoctl expect_exit 1 "no spool folder: csv fails" "$D" users list -o csv
expect_match "names the folder and TMPDIR" "$ERR" 'spool of the listing.*/nonexistent/daoctl|/nonexistent/daoctl.*spool of the listing'
expect_match "hints TMPDIR" "$ERR" 'TMPDIR'
expect_eq "nothing on stdout" "$OUT" ""
stop_sim

# A short page: the listing fails and prints nothing (a CSV or YAML cut
# short would look complete).
for fmt in csv table yaml; do
  start_sim --empty-page 2
  expect_exit 1 "-o $fmt fails on an empty page 2" "$D" users list -o "$fmt" --page-size 500
  # pages 2 and 3 are fetched at once, so the second served is either
  expect_match "-o $fmt names the page" "$ERR" 'short page in the listing of /scim/v2/Users.*page [23] \(startIndex (501|1001)\) returned 0 resources'
  expect_eq "-o $fmt printed nothing" "$OUT" ""
  stop_sim
done

finish
