#!/usr/bin/env bash
# daoctl sync against a real Active Directory implementation (Samba 4 AD DC) in a
# private network namespace: 3,060 users loaded offline, a few disabled the AD
# ways (userAccountControl 514 / 546, accountExpires in the past), one group
# with 3,000 members and one group the job excludes. Checks validate/plan/apply
# into daoctl-sim: users, disabled -> inactive, objectGUID as "{…}" externalId,
# the big group's 3,000 members, and that the DC really serves ranged retrieval.
# Then nested security groups (Backend ⊂ Dev ⊂ IT-Dept, a cycle, two Dev)
# read by a group search: effective membership, groups known by objectGUID,
# the memberOf-made BigGroup linked (not recreated), a rename, No changes.
source "$(dirname "$0")/lib_samba.sh"
samba_enter_netns "$@"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ad.sh"

STAFF_OU="OU=Staff,$SAMBA_BASE_DN"
N=3060           # users user0000 … user3059
BIG_FIRST=60     # BigGroup holds user0060 … user3059: 3,000 members
BIG_MEMBERS=$((N - BIG_FIRST))
# Disabled the AD ways: 514 = NORMAL_ACCOUNT|ACCOUNTDISABLE, 546 adds
# PASSWD_NOTREQD (what a new user without a password gets), and an
# accountExpires FILETIME in 2009 on an otherwise enabled account.
declare -A UAC=([user0005]=514 [user0006]=514 [user0007]=546 [user0070]=546)
EXPIRED=user0008
DISABLED_TOTAL=5

{
  printf 'dn: %s\nobjectClass: organizationalUnit\n\n' "$STAFF_OU"
  for ((i = 0; i < N; i++)); do
    u=$(printf 'user%04d' "$i")
    printf 'dn: CN=%s,%s\nobjectClass: user\nsAMAccountName: %s\ngivenName: Given%d\nsn: Family%d\nmail: %s@Example.TEST\nuserAccountControl: %s\n' \
      "$u" "$STAFF_OU" "$u" "$i" "$i" "$u" "${UAC[$u]:-512}"
    [ "$u" = "$EXPIRED" ] && printf 'accountExpires: 129000000000000000\n'
    printf '\n'
  done
  printf 'dn: CN=BigGroup,%s\nobjectClass: group\nsAMAccountName: BigGroup\n' "$STAFF_OU"
  for ((i = BIG_FIRST; i < N; i++)); do printf 'member: CN=user%04d,%s\n' "$i" "$STAFF_OU"; done
  printf '\ndn: CN=Excluded Group,%s\nobjectClass: group\nsAMAccountName: ExcludedGroup\n' "$STAFF_OU"
  for ((i = 0; i < 5; i++)); do printf 'member: CN=user%04d,%s\n' "$i" "$STAFF_OU"; done
  printf '\n'
} >"$E2E_DIR/ad.ldif"

started=$(date +%s)
start_samba "$E2E_DIR/samba" "$E2E_DIR/ad.ldif" || exit 1
echo "# samba provisioned, loaded and answering after $(($(date +%s) - started)) s"
start_sim

big_dn="CN=BigGroup,$STAFF_OU"
ad_search() {
  ldapsearch -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" -LLL -o ldif-wrap=no "$@"
}
# The DC serves AD ranged retrieval: a bounded range comes back as a
# non-final chunk, and the rest as "1500-*".
first_chunk=$(ad_search -b "$big_dn" -s base "(objectClass=*)" 'member;range=0-1499')
expect_eq "the DC answers member;range=0-1499 with 1,500 values" \
  "$(grep -c '^member;range=0-1499: ' <<<"$first_chunk")" "1500"
last_chunk=$(ad_search -b "$big_dn" -s base "(objectClass=*)" 'member;range=1500-*')
expect_eq "the DC answers member;range=1500-* with the other 1,500" \
  "$(grep -c '^member;range=1500-\*: ' <<<"$last_chunk")" "1500"

export AD_BIND_PASSWORD="$SAMBA_BIND_PASSWORD"
cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: e2e-ad
sources:
$(ad_source "$SAMBA_URL" "$SAMBA_BIND_DN" "$STAFF_OU" "page_size: 500")
mapping:
$(ad_mapping)
groups:
  from: ad.memberOf
  # include/exclude globs are matched against the memberOf value, the group's DN.
  include: ["CN=Big*"]
apply:
  concurrency: 8
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"

check "sync validate accepts the AD job" "$DAOCTL_BIN" sync validate -f "$job"
expect_exit 8 "plan on an empty platform has changes" \
  "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode -o json
expect_eq "plan creates every AD user" "$(jq '.summary.users.create' <<<"$OUT")" "$N"

apply_started=$(date +%s)
check "sync apply succeeds" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary.json"
echo "# apply of $N users and $BIG_MEMBERS memberships took $(($(date +%s) - apply_started)) s"
expect_eq "summary says ok" "$(jq -r .result "$E2E_DIR/summary.json")" "ok"

run "$DAOCTL_BIN" users list -o json
users=$OUT
expect_eq "platform has every AD user" "$(jq 'length' <<<"$users")" "$N"
expect_eq "disabled accounts (514, 546, expired) are inactive" \
  "$(jq -c '[.[] | select(.active == false) | .userName] | sort' <<<"$users")" \
  '["user0005","user0006","user0007","user0008","user0070"]'
expect_eq "the count of inactive users is the directory's" \
  "$(jq '[.[] | select(.active == false)] | length' <<<"$users")" "$DISABLED_TOTAL"
expect_eq "every externalId is an objectGUID in {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} form" \
  "$(jq '[.[] | select(.externalId | test("^\\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\}$") | not)] | length' <<<"$users")" "0"
guid=$(ad_search -b "CN=user0042,$STAFF_OU" -s base "(objectClass=*)" objectGUID | sed -n 's/^objectGUID:: //p' |
  base64 -d | od -An -tx1 | tr -d ' \n')
# objectGUID bytes are little-endian in the first three fields.
expected_guid="{${guid:6:2}${guid:4:2}${guid:2:2}${guid:0:2}-${guid:10:2}${guid:8:2}-${guid:14:2}${guid:12:2}-${guid:16:4}-${guid:20:12}}"
expect_eq "the externalId is the directory's objectGUID of that user" \
  "$(jq -r '.[] | select(.userName == "user0042") | .externalId' <<<"$users")" "$expected_guid"
expect_eq "mail is lower-cased" "$(jq -r '.[] | select(.userName == "user0042") | .emails[0].value' <<<"$users")" \
  "user0042@example.test"

run "$DAOCTL_BIN" groups list -o json
expect_eq "only the included group is created" "$(jq -c '[.[].displayName] | sort' <<<"$OUT")" '["BigGroup"]'
run "$DAOCTL_BIN" groups get BigGroup -o json
expect_eq "the big group has all its $BIG_MEMBERS members" "$(jq '.members | length' <<<"$OUT")" "$BIG_MEMBERS"
member_ids=$(jq -r '.members[].value' <<<"$OUT" | sort)
expected_ids=$(jq -r --argjson first "$BIG_FIRST" \
  '.[] | select((.userName | ltrimstr("user") | tonumber) >= $first) | .id' <<<"$users" | sort)
expect_eq "the members are exactly user0060 … user3059" "$member_ids" "$expected_ids"

expect_exit 0 "a rerun plans nothing" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode

# Nested security groups, added live (the DC checks every member DN, so the
# groups exist before they are nested; a cycle is legal in AD).
GROUPS_OU="OU=Groups,$SAMBA_BASE_DN"
ad_modify() { ldapmodify -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" >/dev/null; }
{
  printf 'dn: %s\nchangetype: add\nobjectClass: organizationalUnit\n\n' "$GROUPS_OU"
  for ou in Eng Sales; do printf 'dn: OU=%s,%s\nchangetype: add\nobjectClass: organizationalUnit\n\n' "$ou" "$GROUPS_OU"; done
  for g in "IT-Dept,$GROUPS_OU:g-it" "Dev,OU=Eng,$GROUPS_OU:g-dev-eng" "Backend,OU=Eng,$GROUPS_OU:g-backend" \
           "Dev,OU=Sales,$GROUPS_OU:g-dev-sales" "Cycle-A,$GROUPS_OU:g-cycle-a" "Cycle-B,$GROUPS_OU:g-cycle-b"; do
    printf 'dn: CN=%s\nchangetype: add\nobjectClass: group\nsAMAccountName: %s\n\n' "${g%:*}" "${g##*:}"
  done
  member() { printf 'dn: CN=%s\nchangetype: modify\nadd: member\nmember: %s\n\n' "$1" "$2"; }
  member "IT-Dept,$GROUPS_OU" "CN=Dev,OU=Eng,$GROUPS_OU"
  member "IT-Dept,$GROUPS_OU" "CN=user0001,$STAFF_OU"
  member "Dev,OU=Eng,$GROUPS_OU" "CN=Backend,OU=Eng,$GROUPS_OU"
  member "Dev,OU=Eng,$GROUPS_OU" "CN=user0002,$STAFF_OU"
  member "Backend,OU=Eng,$GROUPS_OU" "CN=user0003,$STAFF_OU"
  member "Dev,OU=Sales,$GROUPS_OU" "CN=user0004,$STAFF_OU"
  member "Cycle-A,$GROUPS_OU" "CN=Cycle-B,$GROUPS_OU"
  member "Cycle-B,$GROUPS_OU" "CN=Cycle-A,$GROUPS_OU"
  member "Cycle-A,$GROUPS_OU" "CN=user0009,$STAFF_OU"
} | ad_modify || failed "ldapmodify adds the nested groups"
user3_member_of=$(ad_search -b "CN=user0003,$STAFF_OU" -s base "(objectClass=*)" memberOf | grep '^memberOf:' | sort)
expect_eq "AD's own memberOf of a Backend member is direct only (no Dev, no IT-Dept)" "$user3_member_of" \
"memberOf: CN=Backend,OU=Eng,$GROUPS_OU
memberOf: CN=Excluded Group,$STAFF_OU"

# The same job, now reading membership from the groups (the whole domain, so
# BigGroup in OU=Staff is found too).
cat >"$E2E_DIR/nested.yaml" <<YAML
version: 1
name: e2e-ad
sources:
$(ad_source "$SAMBA_URL" "$SAMBA_BIND_DN" "$STAFF_OU" "page_size: 500" "groups:" '  base_dn: "'"$SAMBA_BASE_DN"'"')
mapping:
$(ad_mapping)
groups:
  from: ad.groups
  include: ["CN=Big*", "*,$GROUPS_OU"]
YAML
nested="$E2E_DIR/nested.yaml"
check "validate accepts the AD group search" "$DAOCTL_BIN" sync validate -f "$nested"
check "plan with the group search" "$DAOCTL_BIN" sync plan -f "$nested" -o json
expect_eq "BigGroup, made from memberOf, is linked to its objectGUID, not recreated" \
  "$(jq -r '[.groups[] | select(.name == "BigGroup") | .action] | join(",")' <<<"$OUT")" "link"
expect_match "the cycle is a warning" "$(jq -r '.warnings[].message' <<<"$OUT")" 'Cycle-A.*Cycle-B.*contain each other'
check "apply with the group search" "$DAOCTL_BIN" sync apply -f "$nested"
"$DAOCTL_BIN" users list -o json >"$E2E_DIR/users.json"
"$DAOCTL_BIN" groups list -o json >"$E2E_DIR/groups.json"
effective=$(jq -r --slurpfile users "$E2E_DIR/users.json" '
    ($users[0] | map({(.id): .userName}) | add) as $name
    | sort_by(.displayName)[] | select(.displayName != "BigGroup")
    | "\(.displayName): \([.members[]?.value | $name[.]] | sort | join(","))"' "$E2E_DIR/groups.json")
expect_eq "effective membership through nesting and the cycle" "$effective" \
"Backend: user0003
Cycle-A: user0009
Cycle-B: user0009
Dev (Eng): user0002,user0003
Dev (Sales): user0004
IT-Dept: user0001,user0002,user0003"
expect_eq "BigGroup kept its $BIG_MEMBERS members" \
  "$(jq '.[] | select(.displayName == "BigGroup") | .members | length' "$E2E_DIR/groups.json")" "$BIG_MEMBERS"
expect_eq "groups carry the objectGUID" \
  "$(jq -r '[.[].externalId | test("^daoctl:e2e-ad:group-id:\\{[0-9a-f-]{36}\\}$")] | all' "$E2E_DIR/groups.json")" "true"
expect_exit 0 "the next plan has no changes" "$DAOCTL_BIN" sync plan -f "$nested" --detailed-exitcode
# A rename in AD (modrdn): the same platform group, renamed, members kept.
ldapmodrdn -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" -r \
  "CN=Backend,OU=Eng,$GROUPS_OU" "CN=Platform" >/dev/null
check "plan after the AD rename" "$DAOCTL_BIN" sync plan -f "$nested" -o json
expect_eq "the rename is a rename and nothing else" \
  "$(jq -r '[.groups[] | "\(.action) \(.before) -> \(.name)"] | join("|")' <<<"$OUT")" "rename Backend -> Platform"
check "apply the rename" "$DAOCTL_BIN" sync apply -f "$nested"
expect_exit 0 "then no changes" "$DAOCTL_BIN" sync plan -f "$nested" --detailed-exitcode
echo "# whole test took $(($(date +%s) - started)) s"
finish
