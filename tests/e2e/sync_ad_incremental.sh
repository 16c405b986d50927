#!/usr/bin/env bash
# sync apply --incremental and sync watch against a real Active Directory
# implementation (Samba 4 AD DC), which has no RFC 4533: changes are read by
# uSNChanged (connectors/ldap/ad_changes.hpp). The first run is a full one
# that saves a "usn;…" cookie; then a disabled userAccountControl, an add, a
# rename inside the base, a move out of the base, a delete, and an account
# the job's filter stops matching each reach the platform in a run that
# reads only the changes. A cookie of another DC is stale (a full run), and
# `sync watch` polling the DC blocks a disabled account within seconds.
source "$(dirname "$0")/lib_samba.sh"
samba_enter_netns "$@"
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ad.sh"

STAFF_OU="OU=Staff,$SAMBA_BASE_DN"
GONE_OU="OU=Gone,$SAMBA_BASE_DN"
{
  printf 'dn: %s\nobjectClass: organizationalUnit\n\n' "$STAFF_OU"
  printf 'dn: %s\nobjectClass: organizationalUnit\n\n' "$GONE_OU"
  for i in 1 2 3 4 5 6 7 8; do
    printf 'dn: CN=u%s,%s\nobjectClass: user\nsAMAccountName: u%s\ngivenName: Given%s\nsn: Family%s\nmail: u%s@example.test\ntitle: Title %s\nuserAccountControl: 512\n\n' \
      "$i" "$STAFF_OU" "$i" "$i" "$i" "$i" "$i"
  done
} >"$E2E_DIR/ad.ldif"
start_samba "$E2E_DIR/samba" "$E2E_DIR/ad.ldif" || exit 1
start_sim

export AD_BIND_PASSWORD="$SAMBA_BIND_PASSWORD"
cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: adinc
sources:
$(ad_source "$SAMBA_URL" "$SAMBA_BIND_DN" "$STAFF_OU")
    # Employees only: an account with the "no longer employed" description
    # leaves the search, which the sync must read as gone, not as unchanged.
    filter: "(&(objectCategory=person)(objectClass=user)(!(description=left)))"
mapping:
$(ad_mapping 'title: "{ad.title}"')
deprovision:
  dismissed_when: [missing_from_sources]
safety:
  max_deprovisions: 50
  max_deprovisions_percent: 100
  window: 10m
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"
cursor="$DAOCTL_STATE_DIR/adinc.ad.cursor.json"
ad_modify() { ldapmodify -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" >/dev/null; }
inc() { "$DAOCTL_BIN" sync apply -f "$job" --incremental --summary-file "$E2E_DIR/summary.json" "$@"; }
user() { "$DAOCTL_BIN" users get "$1" -o json; }
records() { jq -r '.sources.ad.records' "$E2E_DIR/summary.json"; }

check "the first --incremental run against AD is a full one" inc
expect_match "it says why" "$ERR" 'full run \(no saved cookie\)'
expect_eq "every employee was read" "$(records)" "8"
expect_eq "the cookie is a uSNChanged one naming the DC" \
  "$(jq -r '.cookie | test("^usn;[0-9]+;CN=NTDS Settings,.*;[0-9]+$")' "$cursor")" "true"
expect_eq "the index knows every employee by objectGUID" \
  "$(grep -c '^{[0-9a-f-]*}	' "$DAOCTL_STATE_DIR/adinc.ad.index.tsv")" "8"

check "a run with no directory change" inc
expect_eq "reads no entry" "$(records)" "0"
expect_match "and says it ran incrementally" "$ERR" 'incremental: 0 changed and 0 deleted'

# userAccountControl 514: disabled the AD way.
printf 'dn: CN=u5,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n' "$STAFF_OU" | ad_modify
check "a disabled userAccountControl" inc
expect_eq "is the one entry read" "$(records)" "1"
expect_eq "blocks the account" "$(user u5 | jq -r .active)" "false"
expect_eq "and nobody else's" "$(user u6 | jq -r .active)" "true"

# add
printf 'dn: CN=u9,%s\nchangetype: add\nobjectClass: user\nsAMAccountName: u9\ngivenName: Given9\nsn: Family9\nmail: u9@example.test\ntitle: Title 9\nuserAccountControl: 512\n' \
  "$STAFF_OU" | ad_modify
check "an added account" inc
expect_eq "is the one entry read" "$(records)" "1"
expect_eq "reaches the platform" "$(user u9 | jq -r .title)" "Title 9"

# rename inside the base (modrdn): the same objectGUID, the same account
id2=$(user u2 | jq -r .id)
ldapmodrdn -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" -r \
  "CN=u2,$STAFF_OU" "CN=u2 renamed" >/dev/null || failed "ldapmodrdn renames u2"
check "a renamed account" inc
expect_eq "is read as one change" "$(records)" "1"
expect_eq "keeps its platform account" "$(user u2 | jq -r .id)" "$id2"
expect_eq "which stays active" "$(user u2 | jq -r .active)" "true"
expect_match "the index has its new DN" "$(cat "$DAOCTL_STATE_DIR/adinc.ad.index.tsv")" 'cn=u2 renamed,ou=staff'

# moved out of the base
ldapmodrdn -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" -r -s "$GONE_OU" \
  "CN=u3,$STAFF_OU" "CN=u3" >/dev/null || failed "ldapmodrdn moves u3 out of the base"
check "an account moved out of the base" inc
expect_match "is read as gone" "$ERR" '0 changed and 1 deleted'
expect_eq "blocks it" "$(user u3 | jq -r .active)" "false"

# no longer matching the filter
printf 'dn: CN=u4,%s\nchangetype: modify\nreplace: description\ndescription: left\n' "$STAFF_OU" | ad_modify
check "an account the filter stops matching" inc
expect_match "is read as gone" "$ERR" '0 changed and 1 deleted'
expect_eq "blocks it" "$(user u4 | jq -r .active)" "false"

# delete (a tombstone, seen with the show-deleted control)
ldapdelete -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" "CN=u6,$STAFF_OU" ||
  failed "ldapdelete deletes u6"
check "a deleted account" inc
expect_match "is read as gone" "$ERR" '0 changed and 1 deleted'
expect_eq "blocks it" "$(user u6 | jq -r .active)" "false"
expect_eq "and nobody else's" "$(user u7 | jq -r .active)" "true"

# Another DC's cookie: its USNs mean nothing here.
ldapdelete -x -H "$SAMBA_URL" -D "$SAMBA_BIND_DN" -w "$SAMBA_BIND_PASSWORD" "CN=u7,$STAFF_OU" ||
  failed "ldapdelete deletes u7"
jq '.cookie |= sub(";CN=NTDS Settings,CN=[^,]*,"; ";CN=NTDS Settings,CN=OTHERDC,")' "$cursor" >"$E2E_DIR/other.json" &&
  cp "$E2E_DIR/other.json" "$cursor"
check "a cookie of another DC" inc
expect_match "falls back to a full run" "$ERR" 'full run \(the directory no longer has the changes.*another domain controller'
expect_eq "which reads the whole directory" "$(records)" "5"
expect_eq "and blocks the deleted account" "$(user u7 | jq -r .active)" "false"

expect_exit 0 "a full plan agrees with what the increments did" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode

# sync watch polls the DC (no refreshAndPersist on AD): a disabled account
# is blocked within the poll interval plus one incremental apply.
"$DAOCTL_BIN" sync watch -f "$job" --interval 1 >"$E2E_DIR/watch.out" 2>"$E2E_DIR/watch.err" &
watch_pid=$!
sleep 2
printf 'dn: CN=u8,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n' "$STAFF_OU" | ad_modify
disabled_at=$(date +%s.%N)
blocked=""
for _ in $(seq 1 100); do
  [ "$(user u8 | jq -r .active)" = "false" ] && { blocked=$(date +%s.%N); break; }
  sleep 0.1
done
kill -TERM "$watch_pid"
wait "$watch_pid"
watch_rc=$?
expect_eq "sync watch stops on SIGTERM with 0" "$watch_rc" "0"
expect_eq "sync watch blocks an account disabled in AD" "$(user u8 | jq -r .active)" "false"
[ -n "$blocked" ] && echo "# disabled in AD -> blocked on the platform in $(echo "$blocked - $disabled_at" | bc) s"
expect_eq "and nobody else's" "$(user u1 | jq -r .active)" "true"
finish
