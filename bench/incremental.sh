#!/usr/bin/env bash
# sync apply --incremental vs the full no-op plan of the same job, in one run
# (issue 20): N employees (default 100k, ldapgen) in a slapd with syncprov,
# the same N users in daoctl-sim. After the first --incremental run (a full
# one that saves the cookie), each round changes C entries (default 100:
# ldapmodify of their title) and times `sync apply --incremental`, then the
# full `sync plan` (nothing to do, everything read) of the same job.
# Printed: wall and CPU seconds of daoctl alone and with slapd and daoctl-sim
# (CPU is what a loaded machine disturbs least), best of ROUNDS (default 3),
# the ratios, and the peak RSS of each.     goals: time <= 1/10, memory <= 1/4
# Usage: bench/incremental.sh [N] [C]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_ldap.sh"
N=${1:-100000}
C=${2:-100}
ROUNDS=${ROUNDS:-3}
export DAOCTL_STATE_DIR="$BENCH_DIR/state"
"$BUILD/tests/ldapgen" --employees "$N" --photo-every 0 --out "$BENCH_DIR/people.ldif"
start_slapd "$BENCH_DIR/slapd" "$BENCH_DIR/people.ldif" "${LDAP_SYNCPROV[@]}" >/dev/null
start_sim "$BENCH_DIR/sim"
cat >"$BENCH_DIR/inc.yaml" <<YAML
version: 1
name: inc
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
echo "first --incremental run: a full apply of $N users that saves the cookie (not compared)..."
"$DAOCTL" -q sync apply -f "$BENCH_DIR/inc.yaml" --incremental >/dev/null
# One awk that stops itself: `grep | head` dies of SIGPIPE under pipefail.
awk -v n=$((C * (ROUNDS + 1) * 2)) '/^dn: uid=/ { sub(/^dn: /, ""); print; if (++k >= n) exit }' \
  "$BENCH_DIR/people.ldif" >"$BENCH_DIR/dns"
round=0
change() {  # C entries get a new title
  round=$((round + 1))
  sed -n "$(((round - 1) * C + 1)),$((round * C))p" "$BENCH_DIR/dns" |
    awk -v r="$round" '{ printf "dn: %s\nchangetype: modify\nreplace: title\ntitle: Round %d\n\n", $0, r }' |
    ldapmodify -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" >/dev/null
}
servers="$SLAPD_PID ${BENCH_PIDS[-1]}"
inc_run() { "$DAOCTL" -q sync apply -f "$BENCH_DIR/inc.yaml" --incremental --summary-file "$BENCH_DIR/inc.json" >/dev/null; }
full_plan() { "$DAOCTL" -q sync plan -f "$BENCH_DIR/inc.yaml" >/dev/null; }
iw="" ic="" is="" fw="" fc="" fs=""
for ((k = 0; k < ROUNDS; k++)); do
  change
  read -r w c s < <(cpu_best_of 1 "$servers" inc_run)
  got=$(jq '.sources.ldap.records' "$BENCH_DIR/inc.json")
  [ "$got" = "$C" ] || { echo "bench: the incremental run read $got entries, not $C" >&2; exit 1; }
  if [ -z "$ic" ] || [ "$(echo "$c < $ic" | bc -l)" = 1 ]; then iw=$w ic=$c is=$s; fi
  read -r w c s < <(cpu_best_of 1 "$servers" full_plan)
  if [ -z "$fc" ] || [ "$(echo "$c < $fc" | bc -l)" = 1 ]; then fw=$w fc=$c fs=$s; fi
done
change
inc_rss=$(peak_rss_kb "$DAOCTL" -q sync apply -f "$BENCH_DIR/inc.yaml" --incremental)
full_rss=$(peak_rss_kb "$DAOCTL" -q sync plan -f "$BENCH_DIR/inc.yaml")
printf 'N=%d, %d changed entries, best of %d (CPU seconds decide)\n' "$N" "$C" "$ROUNDS"
printf 'incremental apply  wall %6.2fs  cpu %6.2fs  +servers %6.2fs  peak %6d KiB\n' "$iw" "$ic" "$is" "$inc_rss"
printf 'full no-op plan    wall %6.2fs  cpu %6.2fs  +servers %6.2fs  peak %6d KiB\n' "$fw" "$fc" "$fs" "$full_rss"
printf 'ratio: wall %.3f  cpu %.3f  cpu+servers %.3f  (goal <= 0.1 %s)  memory %.3f (goal <= 0.25 %s)\n' \
  "$(echo "$iw / $fw" | bc -l)" "$(echo "$ic / $fc" | bc -l)" "$(echo "($ic + $is) / ($fc + $fs)" | bc -l)" \
  "$([ "$(echo "$ic / $fc <= 0.1" | bc -l)" = 1 ] && echo PASS || echo MISS)" \
  "$(echo "$inc_rss / $full_rss" | bc -l)" "$([ "$(echo "$inc_rss / $full_rss <= 0.25" | bc -l)" = 1 ] && echo PASS || echo MISS)"
