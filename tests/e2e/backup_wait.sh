#!/usr/bin/env bash
# backup_wait: waiting for a server-side job is bounded. daoctl-sim with
# DAOCTL_SIM_BACKUP_SECONDS=6 takes at least 6 s per backup job.
# `backup create --wait --wait-timeout 1` gives up after about a second with
# exit 1, naming the backup being made, its job and the last state; the job
# goes on, and the command the hint names follows it to the end. A wait
# within the bound notices the finished job within about a second, and
# `backup run` bounded the same way fails its run report and frees its lock.
source "$(dirname "$0")/lib.sh"

export DAOCTL_SIM_BACKUP_SECONDS=6
start_sim
unset DAOCTL_SIM_BACKUP_SECONDS

ms() { echo $(($(date +%s%N) / 1000000)); }

T0=$(ms)
expect_exit 1 "backup create --wait --wait-timeout 1 gives up" timeout 60 \
  "$DAOCTL_BIN" backup create --wait --wait-timeout 1
T=$(($(ms) - T0))
# Loose upper limit (loaded machines, sanitized builds); the job itself takes 6 s.
expect_match "after the bound, not the job (${T} ms)" "$T" '^[1-4][0-9]{3}$'
expect_match "the error names the backup, the job and the last state" "$ERR" \
  'backup did not finish within 1 s \(backup [0-9]+, job [0-9]+\): its last state was running at [0-9]+%'
expect_match "the hint says the job goes on and names the flag" "$ERR" \
  'hint: the job goes on on the server: follow it with daoctl api GET /api/v1/jobs/[0-9]+, or wait longer with --wait-timeout'
expect_no_match "not an internal error" "$ERR" 'internal error'
JOB=$(grep -Eo 'job [0-9]+\)' <<<"$ERR" | grep -Eo '[0-9]+')
BID=$(grep -Eo '\(backup [0-9]+' <<<"$ERR" | grep -Eo '[0-9]+')

# The job really goes on: the hint's command follows it to the end.
STATE=""
for _ in $(seq 1 80); do
  run "$DAOCTL_BIN" api GET "/api/v1/jobs/$JOB"
  STATE=$(jq -r .state <<<"$OUT")
  [ "$STATE" = succeeded ] || [ "$STATE" = failed ] && break
  sleep 0.25
done
expect_eq "the job finished on the server" "$STATE" "succeeded"
expect_eq "it made the backup the error named" "$(jq -r .result.backup_id <<<"$OUT")" "$BID"

# Within the bound: the wait ends about when the job does (polls back off to 1 s, no later;
# the upper limit leaves room for packing the archive on a loaded machine).
T0=$(ms)
check "backup create --wait --wait-timeout 30" timeout 60 "$DAOCTL_BIN" backup create --wait --wait-timeout 30 -o json
T=$(($(ms) - T0))
expect_eq "the backup is ready" "$(jq -r .state <<<"$OUT")" "ready"
expect_match "noticed within about a second of the job's 6 s (${T} ms)" "$T" '^([6-9][0-9]{3})$'

# backup run has the same bound; its report says why and the lock is free again.
RUNDIR="$E2E_DIR/run"
expect_exit 1 "backup run --wait-timeout 1 gives up" timeout 60 \
  "$DAOCTL_BIN" backup run --dir "$RUNDIR" --wait-timeout 1 --keep-last 3 -o json
expect_eq "the run summary says it failed" "$(jq -r .success <<<"$OUT")" "false"
expect_match "the summary names the job" "$(jq -r .error <<<"$OUT")" 'did not finish within 1 s \(backup [0-9]+, job [0-9]+\)'
for _ in $(seq 1 80); do
  run "$DAOCTL_BIN" backup list --state creating -o json
  [ "$(jq length <<<"$OUT")" = 0 ] && break
  sleep 0.25
done
check "the next backup run takes the lock and completes" timeout 60 \
  "$DAOCTL_BIN" backup run --dir "$RUNDIR" --wait-timeout 60 --keep-last 3 -o json
expect_eq "it succeeded" "$(jq -r .success <<<"$OUT")" "true"
finish
