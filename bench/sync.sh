#!/usr/bin/env bash
# Sync benchmarks (issue: employee sync), each against a baseline run in the
# same invocation:
#  1. apply creating M users (default 10k) vs. curl --parallel POSTing the same
#     SCIM bodies at the same concurrency (16), each with an Idempotency-Key as
#     daoctl sends (so the server does the same work for both).
#                                                       goal: ours >= 0.7x throughput
#  2. with daoctl-sim --latency 20: apply of 600 users at concurrency 16 vs 1.
#                                                       goal: >= 10x faster
#  3. no-op plan with N employees (default 100k) in slapd and the same N users
#     in daoctl-sim vs. ldapsearch (paged) + curl listing every user.
#                                                       goal: ours <= 1.5x, peak RSS <= 2 KB per employee
#     Printed: the wall ratio; the CPU ratio (user+sys seconds of daoctl vs.
#     ldapsearch + curl, and of everything including slapd and daoctl-sim,
#     which a loaded machine disturbs less than wall time); the peak RSS
#     and its KB per employee.
# Usage: bench/sync.sh [N] [M]     (SECTIONS=3 bench/sync.sh 100000: part 3 only)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_ldap.sh"
N=${1:-100000}
M=${2:-10000}
SECTIONS=${SECTIONS:-123}
LDAPGEN="$BUILD/tests/ldapgen"
export DAOCTL_STATE_DIR="$BENCH_DIR/state"

csv_job() {  # csv_job NAME CSV -> job file path
  cat >"$BENCH_DIR/$1.yaml" <<YAML
version: 1
name: $1
sources:
  hr: {type: csv, path: $2, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  email: "{hr.login}@corp.example"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
  displayName: "{hr.first} {hr.last}"
  title: "{hr.title}"
safety: {min_source_records: {hr: 1}}
YAML
  echo "$BENCH_DIR/$1.yaml"
}
make_csv() {  # make_csv FILE COUNT
  awk -v n="$2" 'BEGIN { print "id,login,first,last,title";
    for (i = 0; i < n; i++) printf "e%d,user%06d,Иван%d,Петров%d,Engineer\n", i, i, i, i }' >"$1"
}

if [[ $SECTIONS == *1* ]]; then
echo "== 1. apply creating $M users vs curl --parallel (concurrency 16)"
make_csv "$BENCH_DIR/m.csv" "$M"
job=$(csv_job create "$BENCH_DIR/m.csv")
start_sim "$BENCH_DIR/sim-ours"
t0=$(date +%s.%N)
"$DAOCTL" -q sync apply -f "$job" --concurrency 16 >/dev/null
ours=$(echo "$(date +%s.%N) - $t0" | bc -l)
n=$("$DAOCTL" users list -o json | jq length)
[ "$n" -eq "$M" ] || { echo "bench: expected $M users, found $n" >&2; exit 1; }
kill "${BENCH_PIDS[-1]}"; wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
start_sim "$BENCH_DIR/sim-curl"
mkdir -p "$BENCH_DIR/bodies"
awk -v n="$M" -v dir="$BENCH_DIR/bodies" -v url="$SIM_URL" -v tok="$DAOCTL_TOKEN" 'BEGIN {
  cfg = dir "/curl.cfg"
  for (i = 0; i < n; i++) {
    f = dir "/" i ".json"
    printf "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\",\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\",\"urn:daoffice:scim:schemas:extension:profile:1.0:User\"],\"externalId\":\"e%d\",\"userName\":\"user%06d\",\"active\":true,\"emails\":[{\"value\":\"user%06d@corp.example\",\"type\":\"work\",\"primary\":true}],\"name\":{\"givenName\":\"Иван%d\",\"familyName\":\"Петров%d\"},\"displayName\":\"Иван%d Петров%d\",\"title\":\"Engineer\",\"urn:daoffice:scim:schemas:extension:profile:1.0:User\":{\"managedBy\":\"daoctl:create\"}}", i, i, i, i, i, i, i > f
    close(f)
    if (i > 0) print "next" >> cfg
    printf "url = \"%s/scim/v2/Users\"\nrequest = \"POST\"\ndata-binary = \"@%s\"\nheader = \"Content-Type: application/scim+json\"\nheader = \"Authorization: Bearer %s\"\nheader = \"Idempotency-Key: bench-%d\"\noutput = \"/dev/null\"\n", url, f, tok, i >> cfg
  }
}'
t0=$(date +%s.%N)
curl -s --no-progress-meter --parallel --parallel-max 16 -K "$BENCH_DIR/bodies/curl.cfg"
base=$(echo "$(date +%s.%N) - $t0" | bc -l)
n=$("$DAOCTL" users list -o json | jq length)
[ "$n" -eq "$M" ] || { echo "bench: curl created $n users, expected $M" >&2; exit 1; }
kill "${BENCH_PIDS[-1]}"; wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
printf 'apply create %-15s ours %6.2fs (%5.0f users/s)  curl --parallel %6.2fs (%5.0f users/s)  throughput ratio %.2fx  goal >= 0.7x  %s\n' \
  "($M)" "$ours" "$(echo "$M / $ours" | bc -l)" "$base" "$(echo "$M / $base" | bc -l)" \
  "$(echo "$base / $ours" | bc -l)" "$([ "$(echo "$base / $ours >= 0.7" | bc -l)" = 1 ] && echo PASS || echo MISS)"

fi

if [[ $SECTIONS == *2* ]]; then
echo "== 2. --latency 20: concurrency 16 vs 1 (600 users)"
make_csv "$BENCH_DIR/l.csv" 600
for c in 1 16; do
  start_sim "$BENCH_DIR/sim-lat-$c" --latency 20
  job=$(csv_job "lat$c" "$BENCH_DIR/l.csv")
  t0=$(date +%s.%N)
  "$DAOCTL" -q sync apply -f "$job" --concurrency "$c" >/dev/null
  eval "t$c=$(echo "$(date +%s.%N) - $t0" | bc -l)"
  kill "${BENCH_PIDS[-1]}"; wait "${BENCH_PIDS[-1]}" 2>/dev/null || true
done
printf 'latency 20 ms               concurrency 1 %6.2fs  concurrency 16 %6.2fs  speed-up %.1fx  goal >= 10x  %s\n' \
  "$t1" "$t16" "$(echo "$t1 / $t16" | bc -l)" "$([ "$(echo "$t1 / $t16 >= 10" | bc -l)" = 1 ] && echo PASS || echo MISS)"

fi

[[ $SECTIONS == *3* ]] || exit 0
echo "== 3. no-op plan, $N employees in slapd and daoctl-sim"
"$LDAPGEN" --employees "$N" --photo-every 0 --out "$BENCH_DIR/people.ldif"
start_slapd "$BENCH_DIR/slapd" "$BENCH_DIR/people.ldif" >/dev/null
start_sim "$BENCH_DIR/sim-noop"
cat >"$BENCH_DIR/noop.yaml" <<YAML
version: 1
name: noop
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_ROOT_DN"
    bind_password_env: BENCH_LDAP_PASSWORD
    base_dn: "ou=People,$LDAP_BASE_DN"
    page_size: 1000
mapping:
  externalId: "{ldap.employeeNumber}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first}"
  name.givenName: "{ldap.givenName}"
  name.familyName: "{ldap.sn}"
  displayName: "{ldap.displayName}"
  title: "{ldap.title}"
  active: "{not ldap.disabled}"
safety: {max_deprovisions_percent: 100, max_deprovisions: 1000000}
apply: {concurrency: 16}
YAML
export BENCH_LDAP_PASSWORD="$LDAP_ROOT_PASSWORD"
echo "initial apply of $N users (not timed against a baseline)..."
t0=$(date +%s.%N)
"$DAOCTL" -q sync apply -f "$BENCH_DIR/noop.yaml" >/dev/null
echo "initial apply took $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-6)s"
pages=$(((N + 999) / 1000 + 1))
urls=()
for ((i = 0; i < pages; i++)); do urls+=("$SIM_URL/scim/v2/Users?startIndex=$((i * 1000 + 1))&count=1000"); done
baseline() {
  ldapsearch -LLL -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -b "ou=People,$LDAP_BASE_DN" \
    -E pr=1000/noprompt "(objectClass=inetOrgPerson)" employeeNumber uid mail givenName sn displayName title \
    pwdAccountLockedTime nsAccountLock shadowExpire >/dev/null
  curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "${urls[@]}" >/dev/null
}
ours_plan() { "$DAOCTL" -q sync plan -f "$BENCH_DIR/noop.yaml" --detailed-exitcode >/dev/null; }
ours_plan || { echo "bench: the no-op plan is not empty (exit $?)" >&2; exit 1; }
servers="$SLAPD_PID ${BENCH_PIDS[-1]}"
read -r base base_cpu base_srv < <(cpu_best_of 3 "$servers" baseline)
read -r mine mine_cpu mine_srv < <(cpu_best_of 3 "$servers" ours_plan)
report "no-op plan ($N)" "$mine" "$base" '<=' 1.5
printf 'CPU seconds (best of 3)      ours %.2fs + servers %.2fs  baseline %.2fs + servers %.2fs  ratio %.2fx alone, %.2fx with the servers\n' \
  "$mine_cpu" "$mine_srv" "$base_cpu" "$base_srv" "$(echo "$mine_cpu / $base_cpu" | bc -l)" \
  "$(echo "($mine_cpu + $mine_srv) / ($base_cpu + $base_srv)" | bc -l)"
rss=$(peak_rss_kb "$DAOCTL" -q sync plan -f "$BENCH_DIR/noop.yaml")
per=$(echo "$rss * 1024 / $N / 1000" | bc -l)
printf 'peak memory of daoctl sync plan: %d MiB, %.2f KB per employee  goal <= 2 KB  %s\n' "$((rss / 1024))" "$per" \
  "$([ "$(echo "$per <= 2" | bc -l)" = 1 ] && echo PASS || echo MISS)"
