#!/usr/bin/env bash
# Two jobs on one platform: a copy of a job under another name (the same
# HR export) must not take the first job's accounts over, and the two must
# not rewrite managedBy back and forth every night. Against daoctl-sim:
#  - the copy's plan lists every account as "managed by job nightly", plans
#    no change, and its apply changes no account (versions compared);
#  - `--adopt-from nightly` is the only way over: more adoptions than
#    safety.max_deprovisions stop with exit 5 and change nothing; with
#    --allow-deprovision <hash> apply takes them over, says so on stderr and
#    in the results journal;
#  - afterwards the first job leaves them alone in turn: no flip-flop.
source "$(dirname "$0")/lib.sh"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
N=30

{
  echo "id,login,title"
  for ((i = 0; i < N; i++)); do printf 'e%03d,user%03d,Engineer\n' "$i" "$i"; done
} >"$E2E_DIR/hr.csv"
write_job() {  # write_job NAME
  cat >"$E2E_DIR/$1.yaml" <<YAML
version: 1
name: $1
sources:
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  title: "{hr.title}"
deprovision:
  dismissed_when: [missing_from_sources]
safety: {max_deprovisions: 10, max_deprovisions_percent: 50}
YAML
}
write_job nightly
write_job nightly-copy
managers() { "$DAOCTL_BIN" users list -o json | jq -c '[.[] | .["urn:daoffice:scim:schemas:extension:profile:1.0:User"].managedBy] | group_by(.) | map({(.[0]): length}) | add'; }
versions() { "$DAOCTL_BIN" users list -o json | jq -S -c '[.[] | {id, v: .meta.version}]'; }

check "nightly: first apply" "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly.yaml"
expect_eq "nightly manages every account" "$(managers)" "{\"daoctl:nightly\":$N}"
BEFORE=$(versions)

expect_exit 0 "copy: plan has no change" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/nightly-copy.yaml" --detailed-exitcode
expect_match "copy: plan says whose accounts they are" "$OUT" "managed by job nightly: $N account\\(s\\): user000, user001"
check "copy: plan -o json lists them" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/nightly-copy.yaml" -o json
expect_eq "copy: every employee is in other_jobs" "$(jq '[.other_jobs[] | select(.job == "nightly")] | length' <<<"$OUT")" "$N"
expect_eq "copy: no collision is claimed for them" "$(jq '.collisions | length' <<<"$OUT")" 0
check "copy: apply" "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly-copy.yaml"
expect_eq "copy: apply changed no account" "$(versions)" "$BEFORE"
expect_eq "copy: managedBy is untouched" "$(managers)" "{\"daoctl:nightly\":$N}"

# A change in the source: the owner applies it, the copy still leaves it alone.
sed -i 's/^e005,user005,Engineer$/e005,user005,Lead/' "$E2E_DIR/hr.csv"
check "copy: apply after a source change" "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly-copy.yaml"
expect_eq "copy: still changed no account" "$(versions)" "$BEFORE"

# Adoption is explicit and guarded.
expect_exit 5 "adopt: more than max_deprovisions is a safety stop" \
  "$DAOCTL_BIN" sync plan -f "$E2E_DIR/nightly-copy.yaml" --adopt-from nightly
expect_match "adopt: the stop names the count and the limit" "$ERR" \
  "adopts $N accounts managed by other jobs, more than safety.max_deprovisions \\(10\\)"
hash=$(grep -Eo 'sha256:[0-9a-f]{64}' <<<"$ERR" | head -n1)
expect_match "adopt: the stop names the plan hash to allow" "$hash" '^sha256:'
expect_exit 5 "adopt: apply without the hash stops too" \
  "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly-copy.yaml" --adopt-from nightly
expect_eq "adopt: nothing changed by the stops" "$(versions)" "$BEFORE"
check "adopt: apply with --allow-deprovision" \
  "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly-copy.yaml" --adopt-from nightly --allow-deprovision "$hash"
expect_match "adopt: logged on stderr" "$ERR" "adopting $N account\\(s\\) managed by job nightly"
expect_eq "adopt: logged in the results journal" \
  "$(jq -c 'select(.event == "adopt") | [.from, .accounts]' "$DAOCTL_STATE_DIR/nightly-copy.results.jsonl")" \
  "[[\"nightly\"],$N]"
expect_eq "adopt: the copy manages every account now" "$(managers)" "{\"daoctl:nightly-copy\":$N}"
title_of() { "$DAOCTL_BIN" users get "$1" -o json | jq -r .title; }
expect_eq "adopt: the pending change came with it" "$(title_of user005)" "Lead"

# No flip-flop: the first job now leaves them alone, and nothing changes.
AFTER=$(versions)
expect_exit 0 "nightly: plan has no change" "$DAOCTL_BIN" sync plan -f "$E2E_DIR/nightly.yaml" --detailed-exitcode
expect_match "nightly: plan says whose they are now" "$OUT" "managed by job nightly-copy: $N account"
expect_no_match "nightly: no deactivation of accounts it no longer manages" "$OUT" "deactivate:"
check "nightly: apply" "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly.yaml"
check "copy: apply" "$DAOCTL_BIN" sync apply -f "$E2E_DIR/nightly-copy.yaml"
expect_eq "two more nights change nothing" "$(versions)" "$AFTER"
finish
