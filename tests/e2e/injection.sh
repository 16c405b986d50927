#!/usr/bin/env bash
# injection: user data never changes the shape of what daoctl builds from it.
#  - URL path segments are percent-encoded: users named ../admin, a/b?c, %2e%2e
#    or a#b are read, changed and deleted as themselves, and no request
#    reaches another path;
#  - SCIM filter values are quoted: a userName carrying `" or userName pr "`
#    matches only itself;
#  - CSV output (users list, departments list, stats export) neutralises
#    cells starting with = + - @ tab or CR;
#  - archive entries named ../x or /x are refused, and symlinks in an export
#    folder are not followed;
#  - LDAP values with filter and DN metacharacters (* ( ) \ , + " < > ;)
#    sync literally (the RFC 4515 escaping itself is the live unit test
#    "filter values are escaped: metacharacters and NUL match literally").
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"

start_sim --log-requests
SIM_LOG="/proc/$SIM_PID/fd/2"
api() { curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL$1"; }
user_id() { api "/scim/v2/Users?filter=$(jq -rn --arg u "$1" '"userName eq \"" + ($u | gsub("\""; "\\\"")) + "\"" | @uri')" | jq -r '.Resources[0].id // empty'; }

# 1. Path segments.
NASTY=('../admin' 'a/b?c' '..' '%2e%2e' 'a#b' '../../api/v1/backups' 'x" or userName pr "')
check "create admin" "$DAOCTL_BIN" users create --user-name admin --email admin@corp.example --given-name A --family-name Admin
ADMIN_ID=$(user_id admin)
i=0
for u in "${NASTY[@]}"; do
  i=$((i + 1))
  check "create user '$u'" "$DAOCTL_BIN" users create --user-name "$u" --email "n$i@corp.example" --given-name N --family-name "N$i"
done
expect_eq "8 users exist" "$(api '/scim/v2/Users' | jq .totalResults)" "8"
i=0
for u in "${NASTY[@]}"; do
  i=$((i + 1))
  id=$(user_id "$u")
  check "users get '$u'" "$DAOCTL_BIN" -v users get "$u" -o json
  expect_eq "users get '$u' returns that user" "$(jq -r '.id + " " + .userName' <<<"$OUT")" "$id $u"
  check "users update '$u'" "$DAOCTL_BIN" users update "$u" --set "title=T$i"
  expect_eq "the update changed '$u'" "$(api "/scim/v2/Users/$id" | jq -r .title)" "T$i"
  check "users deactivate '$u'" "$DAOCTL_BIN" users deactivate "$u" --yes
  expect_eq "the deactivation hit '$u'" "$(api "/scim/v2/Users/$id" | jq -r .active)" "false"
done
TRACE_GET=$(for u in '../admin' 'a/b?c'; do "$DAOCTL_BIN" -v users get "$u" 2>&1 >/dev/null; done)
expect_match "../admin travels as one encoded segment" "$TRACE_GET" '/scim/v2/Users/\.\.%2Fadmin'
expect_match "a/b?c travels as one encoded segment" "$TRACE_GET" '/scim/v2/Users/a%2Fb%3Fc'
expect_eq "admin was never changed" "$(api "/scim/v2/Users/$ADMIN_ID" | jq -c '[.active, .title]')" '[true,null]'
expect_exit 7 "backup download of ../../scim/v2/Users is not found" \
  "$DAOCTL_BIN" -v backup download '../../../scim/v2/Users' --dir "$E2E_DIR/dl"
expect_match "the backup id is one encoded segment" "$ERR" '/api/v1/backups/\.\.%2F\.\.%2F\.\.%2Fscim%2Fv2%2FUsers'
expect_exit 7 "groups add-member to a group named ../../Users is not found" \
  "$DAOCTL_BIN" groups add-member '../../Users' admin
for u in "${NASTY[@]}"; do
  check "users delete '$u'" "$DAOCTL_BIN" users delete "$u" --yes
done
expect_eq "only admin is left" "$(api '/scim/v2/Users' | jq -c '[.Resources[].userName]')" '["admin"]'
# Every request the sim saw stayed under the resource it was meant for.
PATHS=$(grep -Eo '(GET|POST|PUT|PATCH|DELETE) [^ ]+' "$SIM_LOG" | awk '{print $2}' | sort -u)
expect_no_match "no request left the resource it was meant for (users by id, groups, backups)" \
  "$(grep -Ev '^/scim/v2/(Users|Groups|ServiceProviderConfig)(/|$)|^/api/v1/backups/|^/api/v1/users/[0-9]+/(sessions|tokens)$|^/api/v1/(me|health)$' <<<"$PATHS")" '.'
expect_no_match "no request reached /scim/v2/admin or a shortened path" "$PATHS" '^/scim/v2/admin|^/scim/v2/Users/a/b$'

# 2. SCIM filter quoting.
check "create the decoy" "$DAOCTL_BIN" users create --user-name 'x" or userName pr "' --email d@corp.example --given-name D --family-name D
expect_exit 7 "a userName that would be 'or userName pr' matches nobody" "$DAOCTL_BIN" users get 'nobody" or userName pr "'
check "the decoy matches only itself" "$DAOCTL_BIN" users get 'x" or userName pr "' -o json
expect_eq "it is the decoy" "$(jq -r .userName <<<"$OUT")" 'x" or userName pr "'

# 3. CSV formula injection.
check "user with formula names" "$DAOCTL_BIN" users create --user-name '=cmd|calc' --email f1@corp.example \
  --given-name '=HYPERLINK("http://evil.example","x")' --family-name '+1' --display-name '@SUM(1+1)'
check "user with tab and minus" "$DAOCTL_BIN" users create --user-name '-2+3' --email f2@corp.example \
  --given-name T --family-name T --display-name $'\t=1+1'
check "department with a formula name" "$DAOCTL_BIN" api POST /api/v1/departments -d '{"name": "=1+2"}'
# dangerous_cells: the CSV fields (parsed as CSV) that start with = + - @ tab or CR.
dangerous_cells() {
  python3 -c 'import csv,sys
bad=[c for row in csv.reader(sys.stdin) for c in row if c[:1] in ("=","+","-","@","\t","\r")]
print("\n".join(repr(c) for c in bad))'
}
check "users list -o csv" "$DAOCTL_BIN" users list -o csv
expect_eq "users CSV has no live formula" "$(dangerous_cells <<<"$OUT")" ""
expect_match "the formula is kept, quoted with an apostrophe" "$OUT" "'=cmd\|calc"
check "departments list -o csv" "$DAOCTL_BIN" departments list -o csv
expect_eq "departments CSV has no live formula" "$(dangerous_cells <<<"$OUT")" ""
expect_match "the department is kept, quoted with an apostrophe" "$OUT" "'=1\+2"
# 4. Archive entries and export folders.
mkdir -p "$E2E_DIR/outside"
python3 - "$E2E_DIR" <<'PY'
import json, os, sys, zipfile
d = sys.argv[1]
users = json.dumps([{"id": "U1", "name": "anna", "profile": {"email": "admin@corp.example", "real_name": "Anna"}}])
channels = json.dumps([{"id": "C1", "name": "general", "created": 1600000000, "members": ["U1"]}])
msgs = json.dumps([{"type": "message", "user": "U1", "text": "hello", "ts": "1609459200.000100"}])
for name, bad in [("dotdot", "../../escape.json"), ("abs", "/tmp/daoctl-e2e-abs.json"), ("ok", None)]:
    with zipfile.ZipFile(f"{d}/{name}.zip", "w") as z:
        z.writestr("users.json", users)
        z.writestr("channels.json", channels)
        z.writestr("general/2021-01-01.json", msgs)
        if bad:
            z.writestr(bad, "[]")
os.makedirs(f"{d}/folder/general")
for f, text in [("users.json", users), ("channels.json", channels), ("general/2021-01-01.json", msgs)]:
    open(f"{d}/folder/{f}", "w").write(text)
open(f"{d}/outside/2021-01-02.json", "w").write(json.dumps(
    [{"type": "message", "user": "U1", "text": "OUTSIDE-THE-EXPORT", "ts": "1609545600.000100"}]))
os.symlink(f"{d}/outside/2021-01-02.json", f"{d}/folder/general/2021-01-02.json")
PY
check "a clean Slack zip validates" "$DAOCTL_BIN" import validate "$E2E_DIR/ok.zip"
expect_exit 5 "a zip with a ../ entry is refused" "$DAOCTL_BIN" import validate "$E2E_DIR/dotdot.zip"
expect_match "the refusal names the entry" "$ERR" 'unsafe archive entry.*\.\./\.\./escape\.json'
expect_exit 5 "a zip with an absolute entry is refused" "$DAOCTL_BIN" import apply "$E2E_DIR/abs.zip" --fallback-author admin
expect_match "the refusal names the absolute entry" "$ERR" 'absolute path'
expect_eq "nothing was written at the absolute path" "$(ls /tmp/daoctl-e2e-abs.json 2>/dev/null)" ""
expect_eq "the refused import created no post" "$(api '/api/v1/posts?limit=100' | jq '.items | length')" "0"
check "an export folder with a symlinked day file imports" "$DAOCTL_BIN" import apply "$E2E_DIR/folder" \
  --format slack --fallback-author admin -o json
expect_eq "only the real day file was read" "$(api '/api/v1/posts?limit=100' | jq -c '[.items[].body]')" '["hello"]'

# 5. LDAP values with metacharacters.
cat >"$E2E_DIR/people.ldif" <<'LDIF'
dn: dc=inj,dc=example
objectClass: dcObject
objectClass: organization
dc: inj
o: Injection

dn: ou=People,dc=inj,dc=example
objectClass: organizationalUnit
ou: People

dn: cn=Smith\, John (IT)+employeeNumber=E1,ou=People,dc=inj,dc=example
objectClass: inetOrgPerson
cn: Smith, John (IT)
sn: Smith
givenName: John
uid: star*)(uid=*
mail: smith@corp.example
employeeNumber: E1

dn: uid=anna,ou=People,dc=inj,dc=example
objectClass: inetOrgPerson
cn: Anna "Q" <A>; B\C
sn: Q
givenName: Anna
uid: anna
mail: anna@corp.example
employeeNumber: E2
manager: cn=Smith\, John (IT)+employeeNumber=E1,ou=People,dc=inj,dc=example

dn: uid=bob,ou=People,dc=inj,dc=example
objectClass: inetOrgPerson
cn: Bob
sn: B
givenName: Bob
uid: bob
mail: bob@corp.example
employeeNumber: E3
manager: uid=anna,ou=People,dc=inj,dc=example
LDIF
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" || exit 1
cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: injection
sources:
$(ldap_source "filter: \"(objectClass=inetOrgPerson)\"")
mapping:
  externalId: "{ldap.employeeNumber}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first}"
  name.givenName: "{ldap.givenName}"
  name.familyName: "{ldap.sn}"
  displayName: "{ldap.cn}"
  manager: "{ldap.manager}"
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
check "sync of LDAP entries with metacharacters" "$DAOCTL_BIN" sync apply -f "$E2E_DIR/sync.yaml"
check "read the synced users" "$DAOCTL_BIN" users list -o json
SYNCED=$(jq -c '[.[] | select(.externalId != null)] | sort_by(.externalId)' <<<"$OUT")
expect_eq "three entries, names literal" "$(jq -c '[.[] | [.externalId, .userName, .displayName]]' <<<"$SYNCED")" \
  '[["E1","star*)(uid=*","Smith, John (IT)"],["E2","anna","Anna \"Q\" <A>; B\\C"],["E3","bob","Bob"]]'
ext_of() { jq -r --arg id "$1" '.[] | select(.id == $id) | .externalId' <<<"$SYNCED"; }
mgr_of() { jq -r --arg e "$1" '.[] | select(.externalId == $e) | .["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value' <<<"$SYNCED"; }
expect_eq "anna's manager is the entry with an escaped multi-valued DN" "$(ext_of "$(mgr_of E2)")" "E1"
expect_eq "bob's manager is anna" "$(ext_of "$(mgr_of E3)")" "E2"
expect_exit 0 "a second plan has nothing to do" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/sync.yaml" --detailed-exitcode

# CSV formula injection in a streamed stats export (a seeded sim with activity).
stop_sim
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/stats" --users 20 --departments 3 --activity-days 3 >/dev/null 2>&1 ||
  failed "seed a sim with activity"
start_sim --data "$E2E_DIR/stats"
check "rename the root department to a formula" "$DAOCTL_BIN" api PATCH /api/v1/departments/1 -d '{"name": "=SUM(1+1)"}'
check "stats export by department (CSV)" "$DAOCTL_BIN" stats export activity --from 2000-01-01 --group-by department
expect_match "the export has rows under the renamed root" "$OUT" '=SUM\(1\+1\)/'
expect_eq "stats CSV has no live formula" "$(dangerous_cells <<<"$OUT")" ""

finish
