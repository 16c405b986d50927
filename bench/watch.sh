#!/usr/bin/env bash
# Latency of `daoctl sync watch` (issue 20): N employees (default 100k,
# ldapgen) in a slapd with syncprov and ppolicy, the same N users in
# daoctl-sim, a watcher following the directory (refreshAndPersist; its poll
# interval is set to 300 s so polling cannot explain the numbers). Then D
# dismissals (default 200), one after the other: ldapmodify adds
# pwdAccountLockedTime to an employee, and the clock runs until the
# platform shows that user blocked (SCIM active=false, polled every 10 ms
# with curl; the watcher revokes sessions and tokens in the same batch).
# Printed: p50, p90, p99 and max seconds (goals: p50 <= 1 s, p99 <= 3 s),
# the watcher's CPU seconds over 10 idle seconds (goal: none measurable)
# and its resident memory before and after the dismissals and every 1,000
# of CHANGES (default 10,000) more changes in bursts of 100 (goal: flat:
# the second half of the stream grows it by under 5 %).
# Usage: [CHANGES=10000] bench/watch.sh [N] [D]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_ldap.sh"
N=${1:-100000}
D=${2:-200}
export DAOCTL_STATE_DIR="$BENCH_DIR/state"
"$BUILD/tests/ldapgen" --employees "$N" --photo-every 0 --out "$BENCH_DIR/people.ldif"
start_slapd "$BENCH_DIR/slapd" "$BENCH_DIR/people.ldif" "${LDAP_PPOLICY[@]}" "${LDAP_SYNCPROV[@]}" >/dev/null
start_sim "$BENCH_DIR/sim"
cat >"$BENCH_DIR/watch.yaml" <<YAML
version: 1
name: watchbench
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
echo "a full apply of $N users that saves the cookie (not timed)..."
"$DAOCTL" -q sync apply -f "$BENCH_DIR/watch.yaml" --incremental >/dev/null

# The D employees to dismiss (active ones: ldapgen disables a few) and their
# platform ids, looked up beforehand.
awk -v n="$((D * 2))" '/^dn: uid=/ { sub(/^dn: /, ""); print; if (++k >= n) exit }' "$BENCH_DIR/people.ldif" >"$BENCH_DIR/dns"
: >"$BENCH_DIR/ids"
while read -r dn && [ "$(wc -l <"$BENCH_DIR/ids")" -lt "$D" ]; do
  uid=${dn#uid=}
  uid=${uid%%,*}
  read -r id active < <(curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" \
    "$SIM_URL/scim/v2/Users?filter=userName%20eq%20%22$uid%22" | jq -r '.Resources[0] | "\(.id) \(.active)"')
  [ -n "$id" ] && [ "$id" != null ] || { echo "bench: $uid is not on the platform" >&2; exit 1; }
  [ "$active" = true ] && echo "$dn $id" >>"$BENCH_DIR/ids"
done <"$BENCH_DIR/dns"
[ "$(wc -l <"$BENCH_DIR/ids")" = "$D" ] || { echo "bench: fewer than $D active employees" >&2; exit 1; }

# The watcher, and a stand-in for systemd's notify socket to know when it follows.
python3 - "$BENCH_DIR/notify.sock" "$BENCH_DIR/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(4096).decode().replace("\n", " ") + "\n")
PY
BENCH_PIDS+=($!)
for ((i = 0; i < 50; i++)); do [ -S "$BENCH_DIR/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$BENCH_DIR/notify.sock" "$DAOCTL" sync watch -f "$BENCH_DIR/watch.yaml" --interval 300 \
  >"$BENCH_DIR/watch.out" 2>"$BENCH_DIR/watch.err" &
WATCH=$!
BENCH_PIDS+=("$WATCH")
for ((i = 0; i < 600; i++)); do
  grep -q 'following changes as they happen' "$BENCH_DIR/notify.log" 2>/dev/null && break
  sleep 0.1
done
grep -q 'following changes as they happen' "$BENCH_DIR/notify.log" ||
  { echo "bench: the watcher never said it follows changes" >&2; tail -5 "$BENCH_DIR/watch.err" >&2; exit 1; }

ticks() { awk '{ print $14 + $15 }' "/proc/$WATCH/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$WATCH/status"; }
hz=$(getconf CLK_TCK)
sleep 2
t_before=$(ticks)
sleep 10
idle=$(echo "($(ticks) - $t_before) / $hz" | bc -l)
rss_before=$(rss_kb)

blocked_count() {
  curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/scim/v2/Users?filter=active%20eq%20false&count=1" |
    jq -r .totalResults
}
blocked_before=$(blocked_count)  # ldapgen makes some employees disabled already
echo "dismissing $D employees one after the other..."
: >"$BENCH_DIR/latency"
while read -r dn id; do
  t0=$(date +%s.%N)
  printf 'dn: %s\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n' "$dn" |
    ldapmodify -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" >/dev/null
  for ((k = 0; k < 3000; k++)); do
    active=$(curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/scim/v2/Users/$id" | jq -r .active)
    [ "$active" = false ] && break
    sleep 0.01
  done
  [ "$active" = false ] || { echo "bench: $dn was not blocked within 30 s" >&2; exit 1; }
  echo "$(date +%s.%N) - $t0" | bc -l >>"$BENCH_DIR/latency"
done <"$BENCH_DIR/ids"
rss_after=$(rss_kb)

# Memory over a long stream: CHANGES more title changes (default 10,000),
# in bursts of 100, each waited for; the watcher's resident memory after.
CHANGES=${CHANGES:-10000}
echo "applying $CHANGES more changes in bursts of 100..."
awk '/^dn: uid=/ { sub(/^dn: /, ""); print }' "$BENCH_DIR/people.ldif" | tail -n 1000 >"$BENCH_DIR/titled"
last_id() {
  local uid
  uid=$(sed -n "$1p" "$BENCH_DIR/titled")
  uid=${uid#uid=}
  uid=${uid%%,*}
  curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/scim/v2/Users?filter=userName%20eq%20%22$uid%22" |
    jq -r '.Resources[0].id'
}
rss_series=()
for ((b = 0; b < CHANGES / 100; b++)); do
  [ $((b % 10)) -eq 0 ] && rss_series+=("$(rss_kb)")
  from=$(((b % 10) * 100 + 1))
  sed -n "${from},$((from + 99))p" "$BENCH_DIR/titled" |
    awk -v b="$b" '{ printf "dn: %s\nchangetype: modify\nreplace: title\ntitle: Burst %d\n\n", $0, b }' |
    ldapmodify -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" >/dev/null
  [ "$b" -lt 10 ] && ids[b]=$(last_id $((from + 99)))
  seen=""
  for ((k = 0; k < 3000; k++)); do
    seen=$(curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/scim/v2/Users/${ids[b % 10]}" | jq -r .title)
    [ "$seen" = "Burst $b" ] && break
    sleep 0.02
  done
  [ "$seen" = "Burst $b" ] || {
    echo "bench: burst $b was not applied within 60 s; the watcher said:" >&2
    tail -n 20 "$BENCH_DIR/watch.err" >&2
    exit 1
  }
done
rss_stream=$(rss_kb)
rss_series+=("$rss_stream")

sort -n "$BENCH_DIR/latency" >"$BENCH_DIR/sorted"
pct() { awk -v p="$1" '{ v[NR] = $1 } END { i = int((NR * p + 99) / 100); if (i < 1) i = 1; printf "%.3f", v[i] }' "$BENCH_DIR/sorted"; }
p50=$(pct 50) p90=$(pct 90) p99=$(pct 99) max=$(pct 100)
printf 'N=%d, %d dismissals: lock in slapd -> blocked on the platform, seconds\n' "$N" "$D"
printf 'p50 %s (goal <= 1 %s)  p90 %s  p99 %s (goal <= 3 %s)  max %s\n' \
  "$p50" "$([ "$(echo "$p50 <= 1" | bc -l)" = 1 ] && echo PASS || echo MISS)" "$p90" \
  "$p99" "$([ "$(echo "$p99 <= 3" | bc -l)" = 1 ] && echo PASS || echo MISS)" "$max"
printf 'idle watcher: %.2f CPU s over 10 s; resident memory %d KiB before, %d KiB after the dismissals, %d KiB after %d more changes\n' \
  "$idle" "$rss_before" "$rss_after" "$rss_stream" "$CHANGES"
echo "resident memory (KiB) every 1,000 changes: ${rss_series[*]}"
half=${rss_series[$((${#rss_series[@]} / 2))]}
growth=$(echo "($rss_stream - $half) * 100 / $half" | bc -l)
printf 'second half of the stream: %d -> %d KiB (%+.1f %%, goal < 5 %% %s)\n' "$half" "$rss_stream" "$growth" \
  "$([ "$(echo "$growth < 5" | bc -l)" = 1 ] && echo PASS || echo MISS)"
blocked=$(($(blocked_count) - blocked_before))
echo "users blocked on the platform by the dismissals: $blocked (expected $D; $blocked_before were disabled before)"
[ "$blocked" = "$D" ] || { echo "bench: $blocked more users are blocked, not $D" >&2; exit 1; }
kill -TERM "$WATCH"
wait "$WATCH" || { echo "bench: the watcher did not end with exit 0 on SIGTERM" >&2; exit 1; }
