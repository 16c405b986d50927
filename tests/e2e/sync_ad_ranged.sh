#!/usr/bin/env bash
# daoctl sync against an LDAP peer that does Active Directory ranged retrieval
# unprompted, as a real DC does and Samba does not (sync_ad.sh): the test server
# tests/tools/ranged_ldap/server.py returns an attribute with more than
# MaxValRange values as "memberOf;range=0-1499", and daoctl (its libldap, over
# TCP) must read the rest with base searches for "memberOf;range=1500-*" until a
# chunk ends in '*' (OpenLdapDirectory::complete_ranged_attributes).
#
# The sync reads group membership from the users' memberOf (groups.from:
# ad.memberOf; the AD filter selects users only), so the attribute that gets
# ranged is the memberOf of a user in many groups: user0001 is in BigGroup,
# SmallGroup and 3,200 project groups: 3,202 values (MaxValRange applies to any
# multi-valued attribute). Checks: validate/plan/apply into daoctl-sim with every
# one of those memberships, the exact follow-up requests (2 at MaxValRange 1500,
# 32 at 100), a rerun that plans nothing, the same platform at MaxValRange 100,
# and that a server that skips values (in a follow-up or in the unasked first
# chunk) or drops the next range stops the run before anything is written.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ad.sh"

SERVER="$DAOCTL_SOURCE_DIR/tests/tools/ranged_ldap/server.py"
BASE_DN="DC=example,DC=test"
STAFF_OU="OU=Staff,$BASE_DN"
GROUPS_OU="OU=Groups,$BASE_DN"
READER_DN="CN=daoctl-reader,OU=Service Accounts,$BASE_DN"
export AD_BIND_PASSWORD="reader-$RANDOM$RANDOM"
N=300           # users user0000 … user0299
PROJECTS=3200   # groups Project-0000 … Project-3199, each with user0001 and one other user
POWER=user0001  # in BigGroup, SmallGroup and every project group
POWER_DN="CN=$POWER,$STAFF_OU"
POWER_GROUPS=$((PROJECTS + 2))  # 3,202 memberOf values
DISABLED='["user0005","user0006"]'  # userAccountControl 514

# The directory, AD-like: users with objectGUID (16 raw bytes) and
# objectCategory; groups with member (the server derives memberOf from it, as
# AD does). Project-i holds user0001 and user(i mod N).
python3 - "$E2E_DIR/ad.ldif" "$N" "$PROJECTS" "$BASE_DN" "$STAFF_OU" "$GROUPS_OU" <<'PY' || exit 1
import base64, hashlib, sys
path, n, projects, base, staff, groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:]
category = f"CN=Person,CN=Schema,CN=Configuration,{base}"
with open(path, "w") as f:
    f.write(f"dn: {base}\nobjectClass: top\nobjectClass: domain\n\n")
    for ou in (staff, groups):
        f.write(f"dn: {ou}\nobjectClass: top\nobjectClass: organizationalUnit\n\n")
    for i in range(n):
        u = f"user{i:04d}"
        guid = base64.b64encode(hashlib.md5(u.encode()).digest()).decode()
        uac = 514 if u in ("user0005", "user0006") else 512
        f.write(f"dn: CN={u},{staff}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
                f"objectClass: user\nobjectCategory: {category}\nsAMAccountName: {u}\n"
                f"givenName: Given{i}\nsn: Family{i}\nmail: {u}@Example.TEST\n"
                f"userAccountControl: {uac}\nobjectGUID:: {guid}\n\n")
    def group(name, members):
        f.write(f"dn: CN={name},{groups}\nobjectClass: top\nobjectClass: group\nsAMAccountName: {name}\n")
        for m in members:
            f.write(f"member: CN=user{m:04d},{staff}\n")
        f.write("\n")
    group("BigGroup", range(n))
    group("SmallGroup", range(5))
    for p in range(projects):
        group(f"Project-{p:04d}", sorted({1, p % n}))
PY

# start_ranged NAME [server flags...]: starts the test server on a free port,
# logs to $E2E_DIR/NAME.log, sets RANGED_URL and RANGED_LOG.
start_ranged() {
  local name=$1 port
  shift
  nice python3 "$SERVER" --ldif "$E2E_DIR/ad.ldif" --bind-dn "$READER_DN" --bind-password "$AD_BIND_PASSWORD" \
    "$@" >"$E2E_DIR/$name.out" 2>"$E2E_DIR/$name.log" &
  E2E_PIDS+=("$!")
  port=$(wait_for_line "$E2E_DIR/$name.out" 'LISTENING [0-9]+' 30) || {
    echo "e2e: the ranged LDAP server ($name) did not start; its stderr:" >&2
    cat "$E2E_DIR/$name.log" >&2
    exit 1
  }
  RANGED_URL="ldap://127.0.0.1:${port#LISTENING }"
  RANGED_LOG="$E2E_DIR/$name.log"
}

# write_job URL FILE: the AD job of sync_ad.sh against URL.
write_job() {
  cat >"$2" <<YAML
version: 1
name: e2e-ad-ranged
sources:
$(ad_source "$1" "$READER_DN" "$STAFF_OU" "page_size: 100")
mapping:
$(ad_mapping)
groups:
  from: ad.memberOf
  include: ["CN=BigGroup,*", "CN=SmallGroup,*", "CN=Project-*"]
apply:
  concurrency: 8
YAML
}

# The RANGED lines (one per follow-up request) a server logged after line $2.
ranged_since() { tail -n +"$(($2 + 1))" "$1" | grep '^RANGED ' || true; }
ranged_mark() { wc -l <"$1"; }
count_lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

# The platform's group memberships as "group<TAB>userName" lines, sorted.
memberships() {
  "$DAOCTL_BIN" users list -o json >"$E2E_DIR/users.json" || return 1
  "$DAOCTL_BIN" groups list -o json >"$E2E_DIR/groups.json" || return 1
  jq -rn --slurpfile users "$E2E_DIR/users.json" --slurpfile groups "$E2E_DIR/groups.json" '
    ($users[0] | map({(.id): .userName}) | add) as $name
    | $groups[0][] | .displayName as $g | (.members // [])[] | "\($g)\t\($name[.value] // "?" + .value)"' | sort
}
# Users with their state and version, to show that nothing was written.
user_snapshot() { "$DAOCTL_BIN" users list -o json | jq -S '[.[] | {id, userName, active, v: .meta.version}] | sort_by(.userName)'; }

started=$(date +%s)
start_ranged main
main_url=$RANGED_URL
main_log=$RANGED_LOG
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"
write_job "$main_url" "$job"

# The peer really ranges unprompted (asked for plain memberOf).
chunk=$(ldapsearch -x -H "$main_url" -D "$READER_DN" -w "$AD_BIND_PASSWORD" -LLL -o ldif-wrap=no \
  -b "$POWER_DN" -s base '(objectClass=*)' memberOf)
expect_eq "the server answers a plain memberOf with memberOf;range=0-1499 and 1,500 values" \
  "$(grep -c '^memberOf;range=0-1499: ' <<<"$chunk")" "1500"
expect_eq "… and with nothing else of memberOf" "$(grep -ci '^memberOf' <<<"$chunk")" "1500"

# 1. validate, plan, apply; the follow-ups are exactly 1500-* and 3000-*.
check "sync validate accepts the job" "$DAOCTL_BIN" sync validate -f "$job"
mark=$(ranged_mark "$main_log")
expect_exit 8 "plan on an empty platform has changes" \
  "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode -o json
expect_eq "plan creates every user" "$(jq '.summary.users.create' <<<"$OUT")" "$N"
ranged=$(ranged_since "$main_log" "$mark")
expect_eq "plan made exactly 2 follow-up requests, both for $POWER's memberOf" \
  "$(sed -E 's/^RANGED dn="([^"]*)" requested="([^"]*)" returned="([^"]*)" values=([0-9]+)$/\1|\2|\3|\4/' <<<"$ranged")" \
  "$POWER_DN|memberOf;range=1500-*|memberOf;range=1500-2999|1500
$POWER_DN|memberOf;range=3000-*|memberOf;range=3000-*|202"

mark=$(ranged_mark "$main_log")
apply_started=$(date +%s)
check "sync apply succeeds" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary.json"
echo "# apply of $N users and $POWER_GROUPS groups took $(($(date +%s) - apply_started)) s"
expect_eq "summary says ok" "$(jq -r .result "$E2E_DIR/summary.json" 2>/dev/null)" "ok"
expect_eq "apply made the same 2 follow-up requests" \
  "$(ranged_since "$main_log" "$mark" | grep -c "dn=\"$POWER_DN\" requested=\"memberOf;range=[0-9]*-\*\"")" "2"

run "$DAOCTL_BIN" users list -o json
users=$OUT
expect_eq "platform has every user" "$(jq 'length' <<<"$users")" "$N"
expect_eq "the disabled accounts (514) are inactive, nobody else" \
  "$(jq -c '[.[] | select(.active == false) | .userName] | sort' <<<"$users")" "$DISABLED"
guid=$(awk -v dn="dn: CN=user0042,$STAFF_OU" '$0 == dn { e = 1 } e && /^objectGUID:: / { print $2; exit }' \
  "$E2E_DIR/ad.ldif" | base64 -d | od -An -tx1 | tr -d ' \n')
expect_eq "externalId is the objectGUID read over the wire" \
  "$(jq -r '.[] | select(.userName == "user0042") | .externalId' <<<"$users")" \
  "{${guid:6:2}${guid:4:2}${guid:2:2}${guid:0:2}-${guid:10:2}${guid:8:2}-${guid:14:2}${guid:12:2}-${guid:16:4}-${guid:20:12}}"

expected_members=$(
  for ((i = 0; i < N; i++)); do printf 'BigGroup\tuser%04d\n' "$i"; done
  for ((i = 0; i < 5; i++)); do printf 'SmallGroup\tuser%04d\n' "$i"; done
  for ((p = 0; p < PROJECTS; p++)); do
    printf 'Project-%04d\t%s\n' "$p" "$POWER"
    [ $((p % N)) -ne 1 ] && printf 'Project-%04d\tuser%04d\n' "$p" $((p % N))
  done | sort -u
)
expected_members=$(sort <<<"$expected_members")
platform_members=$(memberships)
expect_eq "the platform has every group ($POWER_GROUPS)" \
  "$(cut -f1 <<<"$platform_members" | sort -u | wc -l)" "$POWER_GROUPS"
expect_eq "BigGroup has all its $N members" "$(grep -c '^BigGroup	' <<<"$platform_members")" "$N"
expect_eq "$POWER is in all $POWER_GROUPS groups (every chunk of its memberOf arrived)" \
  "$(grep -c "	$POWER\$" <<<"$platform_members")" "$POWER_GROUPS"
expect_eq "… including the values either side of each chunk boundary, and the last one" \
  "$(grep -E "^Project-(1497|1498|2997|2998|3199)	$POWER\$" <<<"$platform_members" | cut -f1 | tr '\n' ' ')" \
  "Project-1497 Project-1498 Project-2997 Project-2998 Project-3199 "
expect_eq "every membership on the platform is the directory's, none missing or extra" \
  "$platform_members" "$expected_members"

# 2. A rerun plans nothing.
mark=$(ranged_mark "$main_log")
expect_exit 0 "a rerun plans nothing (--detailed-exitcode exits 0)" \
  "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "the rerun says no changes" "$OUT" 'No changes'
expect_eq "the rerun read the ranges again (2 follow-ups)" "$(count_lines "$(ranged_since "$main_log" "$mark")")" "2"

# 3. and 4. A server that skips values or leaves out the next range: the run
# stops before anything is written. Without the check, the platform would
# lose 7 (or 1,702) of the power user's groups.
before_users=$(user_snapshot)
expect_eq "the snapshot the faults are compared with holds every user" "$(jq length <<<"$before_users")" "$N"
for fault in skip first drop; do
  follow_ups="2/2"
  if [ $fault = skip ]; then
    start_ranged skip --skip-values 7
    said='skipped values of a large attribute'
    detail='asked for values from 1500, got "memberOf;range=1507-3006"'
  elif [ $fault = first ]; then
    # The unasked first chunk starts at 5: values 0-4 would be lost unseen.
    start_ranged first --first-chunk-from 5
    said='skipped values of a large attribute'
    detail='the first chunk is "memberOf;range=5-1504", not from 0'
    follow_ups="0/0"  # refused before any follow-up request
  else
    start_ranged drop --drop-next-range
    said='did not return the next range'
    detail='no "memberOf;range=1500-…" in the reply'
  fi
  fault_job="$E2E_DIR/sync-$fault.yaml"
  write_job "$RANGED_URL" "$fault_job"
  run "$DAOCTL_BIN" sync plan -f "$fault_job" --detailed-exitcode
  plan_status=$STATUS
  expect_eq "$fault: plan fails as a source read error (exit 5), not 0 or 8" "$plan_status" "5"
  expect_match "$fault: stderr names the source and says the server $said" "$ERR" \
    "cannot read source ad \\(ldap\\): the server $said"
  expect_match "$fault: stderr names the entry (the power user's DN)" "$ERR" "\"$POWER_DN\""
  expect_match "$fault: stderr says which range was asked for and what came" "$ERR" "$detail"
  expect_exit 5 "$fault: apply stops too" "$DAOCTL_BIN" sync apply -f "$fault_job"
  expect_match "$fault: apply says it changed nothing because the source failed" "$ERR" "cannot read source ad"
  expect_eq "$fault: no user was written or deactivated" "$(user_snapshot)" "$before_users"
  expect_eq "$fault: no membership changed" "$(memberships)" "$expected_members"
  expect_match "$fault: the hint is about ranged retrieval" "$ERR" "hint: the directory served a large attribute \(AD ranged retrieval\) inconsistently"
  expect_eq "$fault: … and says nothing of page_size" "$(grep -c page_size <<<"$ERR")" "0"
  expect_eq "$fault: daoctl gave up at the first bad chunk (follow-ups: faulty/all, over 2 runs)" \
    "$(grep -c '^RANGED .* fault=' "$RANGED_LOG")/$(grep -c '^RANGED ' "$RANGED_LOG")" "$follow_ups"
done

# 5. MaxValRange 100: 32 follow-ups (100-*, 200-*, …, 3200-*), the same result.
start_ranged small --max-val-range 100
small_job="$E2E_DIR/sync-small.yaml"
write_job "$RANGED_URL" "$small_job"
expect_exit 0 "at MaxValRange 100 the plan against the synced platform is empty" \
  "$DAOCTL_BIN" sync plan -f "$small_job" --detailed-exitcode
ranged=$(grep '^RANGED ' "$RANGED_LOG")
expect_eq "at MaxValRange 100 plan made 32 follow-ups, all for $POWER's memberOf" \
  "$(grep -c "^RANGED dn=\"$POWER_DN\" requested=\"memberOf;range=[0-9]*-\\*\"" <<<"$ranged")/$(count_lines "$ranged")" "32/32"
expect_eq "… asking for 100-*, 200-*, …, 3200-* in order" \
  "$(sed -E 's/.*requested="memberOf;range=([0-9]+)-\*".*/\1/' <<<"$ranged" | tr '\n' ' ')" \
  "$(seq -s ' ' 100 100 3200) "
expect_eq "… the last chunk is 3200-* with the last 2 values" "$(tail -n1 <<<"$ranged" | sed 's/.*returned=//')" \
  '"memberOf;range=3200-*" values=2'
# The same memberships from scratch: a second, empty platform synced at 100.
stop_sim
start_sim --data "$E2E_DIR/sim-small"
export DAOCTL_STATE_DIR="$E2E_DIR/state-small"
check "apply at MaxValRange 100 into an empty platform succeeds" "$DAOCTL_BIN" sync apply -f "$small_job"
expect_eq "at MaxValRange 100 the platform gets exactly the same memberships" "$(memberships)" "$expected_members"
expect_eq "… and that apply made the same 32 follow-ups (64 in all)" "$(grep -c '^RANGED ' "$RANGED_LOG")" "64"
expect_eq "no server closed a connection on a malformed PDU or an internal error" \
  "$(cat "$E2E_DIR"/{main,skip,first,drop,small}.log | grep '^CLOSE ' || true)" ""

echo "# whole test took $(($(date +%s) - started)) s"
finish
