#!/usr/bin/env bash
# Profile photos at scale: N employees in slapd, each with a jpegPhoto of
# SIZE bytes (default 10,000 x 20 KB = 200 MB of photos), synced into an
# empty daoctl-sim, so every photo is planned and uploaded.
#  1. sync plan vs. a baseline of ldapsearch (paged) dumping the same
#     attributes, jpegPhoto included, plus curl listing the platform's users;
#     prints the ratio and the plan's peak RSS (photos wait in an anonymous
#     spool file, so memory stays far below N x SIZE).
#  2. sync apply (creates N users, uploads N photos): wall time and peak RSS.
# Usage: bench/sync_photos.sh [N=10000] [SIZE=20000]
# Compare binaries with DAOCTL_BIN=/path/to/old/daoctl bench/sync_photos.sh.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_ldap.sh"
N=${1:-10000}
SIZE=${2:-20000}
DAOCTL=${DAOCTL_BIN:-$DAOCTL}
LDAPGEN="$BUILD/tests/ldapgen"
export DAOCTL_STATE_DIR="$BENCH_DIR/state"

"$LDAPGEN" --employees "$N" --photo-every 1 --photo-bytes "$SIZE" --out "$BENCH_DIR/people.ldif"
echo "directory: $N employees, $(($(stat -c %s "$BENCH_DIR/people.ldif") / 1048576)) MiB of LDIF"
start_slapd "$BENCH_DIR/slapd" "$BENCH_DIR/people.ldif" >/dev/null
start_sim "$BENCH_DIR/sim"
cat >"$BENCH_DIR/photos.yaml" <<YAML
version: 1
name: photos
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
  displayName: "{ldap.displayName}"
  photo: "{ldap.jpegPhoto}"
apply: {concurrency: 16}
YAML
export BENCH_LDAP_PASSWORD="$LDAP_ROOT_PASSWORD"

echo "== 1. sync plan with $N new photos of $SIZE bytes vs ldapsearch + curl"
baseline() {
  ldapsearch -LLL -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" -b "ou=People,$LDAP_BASE_DN" \
    -E pr=1000/noprompt "(objectClass=inetOrgPerson)" employeeNumber uid displayName jpegPhoto >/dev/null
  curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/scim/v2/Users?count=1000" >/dev/null
}
ours_plan() { "$DAOCTL" -q sync plan -f "$BENCH_DIR/photos.yaml" -o json >"$BENCH_DIR/plan.json"; }
ours_plan
planned=$(jq '.photos | length' "$BENCH_DIR/plan.json")
[ "$planned" -eq "$N" ] || { echo "bench: expected $N planned photos, got $planned" >&2; exit 1; }
base=$(best_of 3 baseline)
mine=$(best_of 3 ours_plan)
# No issue sets a goal here (its 1.5x is for the no-op plan); ours is 2x:
# the plan also hashes every photo and writes it to the spool.
report "plan with $N photos" "$mine" "$base" '<=' 2.0
photo_mib=$((N * SIZE / 1048576))
echo "peak memory of daoctl sync plan: $(peak_rss_mb "$DAOCTL" -q sync plan -f "$BENCH_DIR/photos.yaml") MiB" \
  "(the photos alone are $photo_mib MiB)"

echo "== 2. sync apply: $N users and $N photo uploads"
t0=$(date +%s.%N)
/usr/bin/time -o "$BENCH_DIR/apply.rss" -f '%M' "$DAOCTL" -q sync apply -f "$BENCH_DIR/photos.yaml" >/dev/null
t=$(echo "$(date +%s.%N) - $t0" | bc -l)
echo "apply took $(printf '%.2f' "$t") s, peak memory $(($(tail -n1 "$BENCH_DIR/apply.rss") / 1024)) MiB" \
  "(the photos alone are $photo_mib MiB)"
with_photo=$("$DAOCTL" users list -o json | jq '[.[] | select([.. | objects | .photoSha256? // empty] | length > 0)] | length')
[ "$with_photo" -eq "$N" ] || { echo "bench: expected $N users with a photo, found $with_photo" >&2; exit 1; }
echo "every one of the $N users has its photo"
