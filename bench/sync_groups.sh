#!/usr/bin/env bash
# Group membership from a group search (sources.<ldap>.groups): the no-op
# plan of N employees (default 100k) whose ldapgen groups (20 departments of
# groupOfNames, nested in one all-staff group) are read from the groups and
# expanded, against the same plan reading no groups, and against ldapsearch
# (users and groups, paged) + curl (every user and group).
#                                   goal: no more than 1.5x the baseline
# Usage: bench/sync_groups.sh [N]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_ldap.sh"
N=${1:-100000}
export DAOCTL_STATE_DIR="$BENCH_DIR/state"
"$BUILD/tests/ldapgen" --employees "$N" --out "$BENCH_DIR/people.ldif"
start_slapd "$BENCH_DIR/slapd" "$BENCH_DIR/people.ldif" >/dev/null
start_sim "$BENCH_DIR/sim"
export BENCH_LDAP_PASSWORD="$LDAP_ROOT_PASSWORD"
job() {  # job FILE GROUPS(yes|no)
  {
    cat <<YAML
version: 1
name: groups-bench
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_ROOT_DN"
    bind_password_env: BENCH_LDAP_PASSWORD
    base_dn: "ou=People,$LDAP_BASE_DN"
    page_size: 1000
YAML
    [ "$2" = yes ] && printf '    groups: {base_dn: "ou=Groups,%s"}\n' "$LDAP_BASE_DN"
    cat <<YAML
mapping:
  externalId: "{ldap.employeeNumber}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first}"
  name.givenName: "{ldap.givenName}"
  name.familyName: "{ldap.sn}"
  displayName: "{ldap.displayName}"
  active: "{not ldap.disabled}"
YAML
    [ "$2" = yes ] && printf 'groups: {from: ldap.groups}\n'
    echo 'safety: {max_deprovisions_percent: 100, max_deprovisions: 1000000}'
    echo 'apply: {concurrency: 16}'
  } >"$BENCH_DIR/$1"
}
job groups.yaml yes
job plain.yaml no
echo "initial apply of $N users and their groups..."
"$DAOCTL" -q sync apply -f "$BENCH_DIR/groups.yaml" >/dev/null
plan() { "$DAOCTL" -q sync plan -f "$BENCH_DIR/$1" --detailed-exitcode >/dev/null; }
plan groups.yaml || { echo "bench: the no-op plan is not empty" >&2; exit 1; }
urls=()
for ((i = 0; i < (N + 999) / 1000 + 1; i++)); do urls+=("$SIM_URL/scim/v2/Users?startIndex=$((i * 1000 + 1))&count=1000"); done
baseline() {
  ldapsearch -LLL -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -b "ou=People,$LDAP_BASE_DN" \
    -E pr=1000/noprompt "(objectClass=inetOrgPerson)" employeeNumber uid mail givenName sn displayName \
    pwdAccountLockedTime nsAccountLock shadowExpire >/dev/null
  ldapsearch -LLL -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -b "ou=Groups,$LDAP_BASE_DN" \
    -E pr=1000/noprompt "(objectClass=groupOfNames)" member entryUUID >/dev/null
  curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "${urls[@]}" "$SIM_URL/scim/v2/Groups" >/dev/null
}
servers="$SLAPD_PID ${BENCH_PIDS[-1]}"
read -r base base_cpu base_srv < <(cpu_best_of 3 "$servers" baseline)
read -r with with_cpu with_srv < <(cpu_best_of 3 "$servers" plan groups.yaml)
without=$(best_of 3 plan plain.yaml)
report "no-op plan with groups ($N)" "$with" "$base" '<=' 1.5
report "groups vs. no groups" "$with" "$without" '<=' 1.5
printf 'CPU seconds (best of 3)      ours %.2fs + servers %.2fs  baseline %.2fs + servers %.2fs  ratio %.2fx alone, %.2fx with the servers\n' \
  "$with_cpu" "$with_srv" "$base_cpu" "$base_srv" "$(echo "$with_cpu / $base_cpu" | bc -l)" \
  "$(echo "($with_cpu + $with_srv) / ($base_cpu + $base_srv)" | bc -l)"
echo "peak memory of the plan with groups: $(peak_rss_mb "$DAOCTL" -q sync plan -f "$BENCH_DIR/groups.yaml") MiB"
echo "peak memory of the plan without:     $(peak_rss_mb "$DAOCTL" -q sync plan -f "$BENCH_DIR/plain.yaml") MiB"
