#!/usr/bin/env bash
# Group membership read the way a stock OpenLDAP holds it: no memberof
# overlay, so no user has memberOf; the groups list their members
# (groupOfNames, groupOfUniqueNames, posixGroup). Nested groups are expanded,
# a cycle ends, two groups named Dev stay two platform groups, and a group
# renamed in the directory is renamed on the platform with its members,
# then the next plan has no changes. Data: tests/fixtures/ldap/groups.ldif.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"
fixtures="$(dirname "$0")/../fixtures/ldap"

start_slapd "$E2E_DIR/slapd" "$fixtures/groups.ldif" || exit 1
start_sim
printf '%s' "$LDAP_BIND_PASSWORD" >"$E2E_DIR/ldap.pass"
chmod 600 "$E2E_DIR/ldap.pass"
export DAOCTL_STATE_DIR="$E2E_DIR/state"

write_job() {  # NAME GROUPS-BLOCK-OF-THE-SOURCE FROM [EXTRA-ATTRIBUTES]
  cat >"$E2E_DIR/$1.yaml" <<YAML
version: 1
name: $1
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_BIND_DN"
    bind_password_file: ldap.pass
    base_dn: "ou=People,$LDAP_BASE_DN"
${4:-}
$2
mapping:
  externalId: "{ldap.uid}"
  userName: "{ldap.uid}"
  email: "{ldap.mail}"
  name.givenName: "{ldap.givenName}"
  name.familyName: "{ldap.sn}"
  displayName: "{ldap.cn | first}"
groups:
  from: $3
YAML
}
write_job groups "    groups:
      base_dn: \"ou=Groups,$LDAP_BASE_DN\"" ldap.groups
job="$E2E_DIR/groups.yaml"

# userName of every member of every platform group: "group: a,b".
memberships() {
  "$DAOCTL_BIN" users list -o json >"$E2E_DIR/users.json"
  "$DAOCTL_BIN" groups list -o json >"$E2E_DIR/groups.json"
  jq -r --slurpfile users "$E2E_DIR/users.json" '
    ($users[0] | map({(.id): .userName}) | add) as $name
    | sort_by(.displayName)[]
    | "\(.displayName): \([.members[]?.value | $name[.]] | sort | join(","))"' "$E2E_DIR/groups.json"
}

check "validate accepts a group search" "$DAOCTL_BIN" sync validate -f "$job"
expect_no_match "validate warns about nothing" "$ERR" 'warning'
check "the first plan reads membership from the groups" "$DAOCTL_BIN" sync plan -f "$job" -o json
plan=$OUT
expect_eq "one platform group per directory group with members (contractors has none of ours)" \
  "$(jq -r '[.groups[] | select(.action == "create") | .name] | sort | join("|")' <<<"$plan")" \
  "Backend|Dev (Engineering)|Dev (Sales)|IT-Dept|cycle-a|cycle-b|staff"
expect_eq "groups are created with the directory's entryUUID as their externalId" \
  "$(jq -r '[.groups[] | select(.action == "create") | .externalId | test("^daoctl:groups:group-id:[0-9a-f-]{36}$")] | all' <<<"$plan")" "true"
expect_match "the cycle is a warning naming both groups" \
  "$(jq -r '.warnings[].message' <<<"$plan")" 'cn=cycle-a,ou=Groups,dc=example,dc=test; cn=cycle-b,ou=Groups,dc=example,dc=test contain each other'

check "apply" "$DAOCTL_BIN" sync apply -f "$job"
memberships >"$E2E_DIR/m1.txt"
expect_eq "nested, unique-member, posix and cyclic membership on the platform" "$(cat "$E2E_DIR/m1.txt")" \
"Backend: alice
Dev (Engineering): alice,bob
Dev (Sales): carol
IT-Dept: alice,bob,erin
cycle-a: dave
cycle-b: dave
staff: alice,carol,dave"
expect_exit 0 "a second plan has no changes" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "it says so" "$OUT" 'No changes'
ids_before=$(jq -r 'map({(.displayName): .id}) | add' "$E2E_DIR/groups.json")

# Renames in the directory (as an administrator does it: modrdn). Sales' Dev
# becomes Sales-Dev, so the Engineering one is the only Dev left and loses
# its qualifier; staff becomes employees.
ldapmodrdn -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -r \
  "cn=Dev,ou=Sales,ou=Groups,$LDAP_BASE_DN" "cn=Sales-Dev" >/dev/null
ldapmodrdn -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -r \
  "cn=staff,ou=Groups,$LDAP_BASE_DN" "cn=employees" >/dev/null
expect_exit 8 "the plan after the renames has changes" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "the text plan shows a rename" "$OUT" '"Dev \(Sales\)" renamed to "Sales-Dev"'
check "the JSON plan" "$DAOCTL_BIN" sync plan -f "$job" -o json
expect_eq "three renames and nothing else" \
  "$(jq -r '[.groups[] | "\(.action) \(.before // "") -> \(.name)"] | sort | join("|")' <<<"$OUT")" \
  "rename Dev (Engineering) -> Dev|rename Dev (Sales) -> Sales-Dev|rename staff -> employees"
expect_eq "no user changes" "$(jq -c '.summary.users | [.create, .update, .deactivate]' <<<"$OUT")" "[0,0,0]"
check "apply the renames" "$DAOCTL_BIN" sync apply -f "$job"
memberships >"$E2E_DIR/m2.txt"
expect_eq "renamed groups keep their members" "$(cat "$E2E_DIR/m2.txt")" \
"Backend: alice
Dev: alice,bob
IT-Dept: alice,bob,erin
Sales-Dev: carol
cycle-a: dave
cycle-b: dave
employees: alice,carol,dave"
ids_after=$(jq -r 'map({(.displayName): .id}) | add' "$E2E_DIR/groups.json")
expect_eq "a renamed group is the same platform group" \
  "$(jq -r --argjson a "$ids_after" '[.["Dev (Sales)"], .["staff"]] == [$a["Sales-Dev"], $a["employees"]]' <<<"$ids_before")" "true"
expect_eq "no group was created or left behind" "$(jq length "$E2E_DIR/groups.json")" "7"
expect_exit 0 "the plan after applying the renames has no changes" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "No changes" "$OUT" 'No changes'

# Two groups swap names (the platform keeps names unique: apply moves one
# aside first).
rdn() { ldapmodrdn -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -r "$1,$LDAP_BASE_DN" "$2" >/dev/null; }
rdn "cn=Sales-Dev,ou=Sales,ou=Groups" "cn=swap-tmp"
rdn "cn=employees,ou=Groups" "cn=Sales-Dev"
rdn "cn=swap-tmp,ou=Sales,ou=Groups" "cn=employees"
check "plan of a swap" "$DAOCTL_BIN" sync plan -f "$job" -o json
expect_eq "a swap is two renames" \
  "$(jq -r '[.groups[] | "\(.action) \(.before // "") -> \(.name)"] | sort | join("|")' <<<"$OUT")" \
  "rename Sales-Dev -> employees|rename employees -> Sales-Dev"
check "apply the swap" "$DAOCTL_BIN" sync apply -f "$job"
memberships >"$E2E_DIR/m3.txt"
expect_eq "the swapped groups kept their members" "$(grep -E '^(Sales-Dev|employees):' "$E2E_DIR/m3.txt")" \
"Sales-Dev: alice,carol,dave
employees: carol"
expect_exit 0 "no changes after the swap" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode

# Direct membership only, when the job asks for it.
write_job direct "    groups:
      base_dn: \"ou=Groups,$LDAP_BASE_DN\"
      nested: false" ldap.groups
sed -i 's/^name: direct$/name: groups/' "$E2E_DIR/direct.yaml"  # the same job, read another way
check "direct membership plan" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/direct.yaml" -o json
expect_eq "with nested: false only the nested memberships go" \
  "$(jq -r '[.groups[] | "\(.action) \(.name): \(.member_userNames | join(","))"] | sort | join("|")' <<<"$OUT")" \
  "remove_members Dev: alice|remove_members IT-Dept: alice,bob|remove_members cycle-b: dave"

# The job before: memberOf, which this directory does not have.
write_job memberof "" ldap.memberOf "    attributes: [memberOf]"
check "validate of a memberOf job" "$DAOCTL_BIN" sync validate -f "$E2E_DIR/memberof.yaml"
expect_match "validate says what memberOf cannot do" "$ERR" 'groups.from reads ldap.memberOf: direct memberships only'
check "plan of a memberOf job on a directory without the overlay" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/memberof.yaml" -o json
expect_match "the plan warns that nobody is in any group" "$(jq -r '.warnings[].message' <<<"$OUT")" \
  'none of the 5 employees has a value in ldap.memberOf'

# A group search that reads nothing: a warning at validate.
write_job unused "    groups:
      base_dn: \"ou=Groups,$LDAP_BASE_DN\"" ldap.uid
check "validate of a job with an unused group search" "$DAOCTL_BIN" sync validate -f "$E2E_DIR/unused.yaml"
expect_match "it warns with the position" "$ERR" 'unused.yaml:[0-9]+:[0-9]+: sources.ldap.groups searches'

# Real data: 389-ds's sample directory (../shared/realdata), whose groups are
# groupOfUniqueNames with the 389-ds DN spacing ("uid=kvaughan, ou=People,
# dc=example,dc=com"), loaded into a second slapd.
realdata="$DAOCTL_SHARED_DIR/realdata/389-ds-base/ldap/ldif/Example.ldif"
stop_slapd
start_slapd "$E2E_DIR/slapd-389" "$realdata" "schema-check:off" || exit 1
printf '%s' "$LDAP_BIND_PASSWORD" >"$E2E_DIR/ldap.pass"
write_job realdata "    groups:
      base_dn: \"ou=Groups,$LDAP_BASE_DN\"" ldap.groups
check "plan on 389-ds's Example.ldif" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/realdata.yaml" -o json
expect_eq "its groupOfUniqueNames become groups with exactly their members" \
  "$(jq -r '[.groups[] | select(.action == "add_members") | "\(.name): \(.member_userNames | join(","))"] | sort | join("|")' <<<"$OUT")" \
  "Accounting Managers: scarter,tmorris|Directory Administrators: hmiller,kvaughan,rdaugherty|HR Managers: cschmith,kvaughan|PD Managers: kwinters,trigden|QA Managers: abergin,jwalker"

finish
