#!/usr/bin/env bash
# Does slapd's syncprov lose deletions for an RFC 4533 refreshOnly consumer
# that keeps the cookie each refresh returns? (What e2e: sync_watch hit
# once: in a burst of 300 deletions one account stayed active.)
# No daoctl here: two consumers follow the same burst of N deletions with
# `ldapsearch -E sync=ro/<cookie>` in a loop, each as fast as it can.
#   plain:  keeps the cookie the server returns (what daoctl did);
#   capped: reads contextCSN first, waits 50 ms, refreshes, and keeps the
#           cookie no newer than that CSN (connectors/ldap/ldap_sync.cpp,
#           cookie_at_most: what daoctl does now).
# Each counts the distinct deleted entryUUIDs it was told of; a count under
# N is a deletion no later refresh from that cookie will ever list.
# Usage: bench/syncprov_race.sh [N]   (ROUNDS, default 3)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_ldap.sh"
N=${1:-2000}
ROUNDS=${ROUNDS:-3}
B="dc=corp,dc=test"
{
  printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n' "$B"
  printf 'dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n' "$B"
} >"$BENCH_DIR/base.ldif"
# A sessionlog that covers every round: a count under N is the race, not a
# log too short (which would answer with a present phase instead).
start_slapd "$BENCH_DIR/slapd" "$BENCH_DIR/base.ldif" "global:moduleload syncprov" "index entryCSN,entryUUID eq" \
  "overlay syncprov" "syncprov-checkpoint 100 10" "syncprov-sessionlog 100000" >/dev/null
ROOT=(-x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD")
refresh() { ldapsearch "${ROOT[@]}" -E "sync=ro/$1" -b "ou=People,$B" '(uid=*)' 1.1 2>/dev/null || true; }
ctxcsn() { ldapsearch -LLL "${ROOT[@]}" -b "$B" -s base contextCSN | sed -n 's/^contextCSN: //p'; }
follow() { # MODE OUT: refreshes until $BENCH_DIR/done exists, then two more
  local mode=$1 out=$2 c pre="" res new cur extra=0
  c=$(refresh "" | sed -n 's/^# cookie: //p' | tail -1)
  : >"$out"
  while [ "$extra" -le 2 ]; do
    [ -e "$BENCH_DIR/done" ] && extra=$((extra + 1))
    if [ "$mode" = capped ]; then
      pre=$(ctxcsn)
      sleep 0.05
    fi
    res=$(refresh "$c")
    { grep -E '^#[[:space:]]+[0-9a-f]{8}-[0-9a-f]{4}-' <<<"$res" || true; } | tr -d '#[:blank:]' >>"$out"
    new=$(sed -n 's/^# cookie: //p' <<<"$res" | tail -1)
    [ -n "$new" ] || continue
    case $new in *delcsn*) continue ;; esac
    if [ "$mode" = capped ] && [ -n "$pre" ]; then
      cur=${new#*csn=}
      [[ "$pre" < "$cur" ]] && new="${new%%csn=*}csn=$pre"
    fi
    c=$new
  done
}
lost_plain=0 lost_capped=0
for ((r = 1; r <= ROUNDS; r++)); do
  rm -f "$BENCH_DIR/done"
  for ((i = 0; i < N; i++)); do
    printf 'dn: uid=r%d-%05d,ou=People,%s\nobjectClass: inetOrgPerson\nuid: r%d-%05d\ncn: T\nsn: T\n\n' \
      "$r" "$i" "$B" "$r" "$i"
  done | ldapadd "${ROOT[@]}" >/dev/null
  follow plain "$BENCH_DIR/plain.$r" &
  p1=$!
  follow capped "$BENCH_DIR/capped.$r" &
  p2=$!
  sleep 0.5
  for ((i = 0; i < N; i++)); do echo "uid=r$r-$(printf %05d "$i"),ou=People,$B"; done | ldapdelete "${ROOT[@]}"
  touch "$BENCH_DIR/done"
  wait "$p1" "$p2"
  plain=$(sort -u "$BENCH_DIR/plain.$r" | wc -l)
  capped=$(sort -u "$BENCH_DIR/capped.$r" | wc -l)
  lost_plain=$((lost_plain + N - plain))
  lost_capped=$((lost_capped + N - capped))
  printf 'round %d: %d deleted; plain consumer told of %d, capped of %d\n' "$r" "$N" "$plain" "$capped"
done
printf 'lost deletions in %d rounds of %d: plain %d, capped %d\n' "$ROUNDS" "$N" "$lost_plain" "$lost_capped"
