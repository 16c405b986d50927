#!/usr/bin/env bash
# backup: create -> download (killed halfway, then resumed) -> verify ->
# restore into a fresh sim; a corrupted byte is named; confirmation, locks,
# retention on a directory and the cron `backup run` with its metrics.
source "$(dirname "$0")/lib.sh"

SIM1="$E2E_DIR/sim1"
"$DAOCTL_SIM_BIN" seed --data "$SIM1" --users 200 >/dev/null 2>&1 || failed "seed 200 users"
mkdir -p "$SIM1/files"
# A stored file of 4 MiB of random data: the archive is large enough to cut
# a download halfway, and its member is what the corruption test hits.
head -c 4194304 /dev/urandom >"$SIM1/files/attachment.bin"
start_sim --data "$SIM1"
SIM1_URL=$SIM_URL

# A post made before the backup must come back after the restore; a POST that
# fails is a failed test, not a skipped check.
check "a post before the backup" "$DAOCTL_BIN" api POST /api/v1/posts \
  -d '{"type": "post", "body": "before the backup", "author_id": "1"}'
POST_ID=$(printf '%s' "$OUT" | jq -r .id)
expect_match "the post has an id" "$POST_ID" '^[0-9A-Za-z_-]+$'

check "backup create --wait" "$DAOCTL_BIN" backup create --wait --note e2e -o json
ID=$(printf '%s' "$OUT" | jq -r .id)
SHA=$(printf '%s' "$OUT" | jq -r .sha256)
SIZE=$(printf '%s' "$OUT" | jq -r .size)
expect_eq "the created backup is ready" "$(printf '%s' "$OUT" | jq -r .state)" "ready"
expect_match "the backup lists its sha256" "$SHA" '^[0-9a-f]{64}$'
check "backup list" "$DAOCTL_BIN" backup list -o json
expect_eq "backup list has it" "$(printf '%s' "$OUT" | jq -r --arg id "$ID" '.[] | select(.id == $id) | .note')" "e2e"
expect_exit 7 "show of an unknown backup is not found" "$DAOCTL_BIN" backup show 999999

# Killed halfway: a 1 MiB file size limit kills the client (SIGXFSZ) while it
# writes; the partial file stays and the next run resumes it with Range.
DL="$E2E_DIR/dl"
mkdir -p "$DL"
(ulimit -f 1024 && exec "$DAOCTL_BIN" backup download "$ID" --dir "$DL") >/dev/null 2>&1
KILLED=$?
expect_eq "the first download was killed by the file size limit" "$KILLED" "153"
PART=$(ls "$DL"/*.part 2>/dev/null | head -n1)
expect_match "a partial file was left behind" "$PART" '\.part$'
check "the download resumes" "$DAOCTL_BIN" backup download "$ID" --dir "$DL" -o json
expect_match "it resumed from the partial file" "$(printf '%s' "$OUT" | jq -r .resumed_from)" '^[1-9][0-9]*$'
FILE=$(printf '%s' "$OUT" | jq -r .path)
expect_eq "resumed download has the server's sha256" "$(sha256sum "$FILE" | cut -d' ' -f1)" "$SHA"
expect_eq "resumed download has the server's size" "$(stat -c %s "$FILE")" "$SIZE"
expect_eq "no partial file is left" "$(ls "$DL" | grep -c '\.part')" "0"
CURL_SHA=$(curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM1_URL/api/v1/backups/$ID/download" | sha256sum | cut -d' ' -f1)
expect_eq "curl gets the same bytes" "$CURL_SHA" "$SHA"

check "verify the download (quick)" "$DAOCTL_BIN" backup verify "$FILE" -o json
expect_eq "verify ok" "$(printf '%s' "$OUT" | jq -r .ok)" "true"
check "verify --read-data" "$DAOCTL_BIN" backup verify "$FILE" --read-data -o json
expect_eq "verify --read-data ok" "$(printf '%s' "$OUT" | jq -r .ok)" "true"
check "verify by backup id" "$DAOCTL_BIN" backup verify "$ID" -o json

# One corrupted byte in the middle of the attachment's data.
BAD="$E2E_DIR/bad.tar.zst"
cp "$FILE" "$BAD"
cp "$FILE.sha256" "$BAD.sha256"
OFFSET=$((SIZE / 2))
BYTE=$(dd if="$BAD" bs=1 skip=$OFFSET count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "\\$(printf '%03o' $(((BYTE + 1) % 256)))" | dd of="$BAD" bs=1 seek=$OFFSET conv=notrunc 2>/dev/null
expect_exit 5 "verify --read-data of a corrupted archive exits 5" "$DAOCTL_BIN" backup verify "$BAD" --read-data
expect_match "the damaged member is named" "$ERR" 'files/attachment\.bin'
expect_exit 5 "quick verify also fails on the archive checksum" "$DAOCTL_BIN" backup verify "$BAD"

# A download whose bytes do not match: the temporary file is deleted, exit 5.
cp "$BAD" "$DL/x.tar.zst.part"
echo "$SHA" >"$DL/x.tar.zst.part.sha256"
expect_exit 5 "a download resumed from corrupted bytes fails the checksum" \
  "$DAOCTL_BIN" backup download "$ID" -O "$DL/x.tar.zst"
expect_eq "the temporary file was deleted" "$(ls "$DL" | grep -c '^x\.tar\.zst')" "0"

# Restore into a fresh sim from the downloaded file.
start_sim --data "$E2E_DIR/sim2"
expect_exit 5 "restore without confirmation is refused" "$DAOCTL_BIN" backup restore "$FILE"
expect_match "...and says how to confirm off a terminal" "$ERR" "pass --confirm $ID \\(or --yes\\)"
expect_exit 5 "restore with the wrong --confirm is refused" "$DAOCTL_BIN" backup restore "$FILE" --confirm 12345
expect_exit 5 "restore of a corrupted archive is refused before upload" \
  "$DAOCTL_BIN" backup restore "$BAD" --confirm "$ID"
check "restore into a fresh sim" "$DAOCTL_BIN" backup restore "$FILE" --confirm "$ID"
expect_match "restore says what it replaces" "$ERR" "replaces ALL data on $SIM_URL"
check "restored users" "$DAOCTL_BIN" users list -o json
expect_eq "the fresh sim serves the backed-up users" "$(printf '%s' "$OUT" | jq length)" "200"
check "restored departments" "$DAOCTL_BIN" api GET /api/v1/departments
expect_match "departments came back" "$(printf '%s' "$OUT" | jq '.items | length')" '^[1-9]'
check "restored groups" "$DAOCTL_BIN" api GET /scim/v2/Groups
expect_match "groups came back" "$(printf '%s' "$OUT" | jq '.totalResults')" '^[1-9]'
check "restored post" "$DAOCTL_BIN" api GET "/api/v1/posts/$POST_ID"
expect_eq "the post came back" "$(printf '%s' "$OUT" | jq -r .body)" "before the backup"
if cmp -s "$SIM1/files/attachment.bin" "$E2E_DIR/sim2/files/attachment.bin"; then pass "stored files restored"; else
  failed "stored files restored"; fi

# Restore by id on the first sim: a deleted user comes back.
export DAOCTL_URL=$SIM1_URL
check "delete a user" "$DAOCTL_BIN" users delete 1 --yes
expect_exit 7 "the user is gone" "$DAOCTL_BIN" users get 1
# --yes means "don't ask", as for every destructive command.
check "restore by id with --yes" "$DAOCTL_BIN" backup restore "$ID" --yes
check "the deleted user is back" "$DAOCTL_BIN" users get 1 -o json

# Locks: a held lock exits 6; a lock file of a dead process is taken over.
LOCAL="$E2E_DIR/local"
mkdir -p "$LOCAL"
flock -o "$LOCAL/.daoctl-backup.lock" sleep 3 &  # -o: only flock itself holds the lock
HOLDER=$!
E2E_PIDS+=("$HOLDER")
sleep 0.3
expect_exit 6 "a second run on a locked directory exits 6" "$DAOCTL_BIN" backup prune --dir "$LOCAL" --keep-last 1
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
bash -c 'exit 0' &
DEAD=$!
wait "$DEAD"
echo "$DEAD" >"$LOCAL/.daoctl-backup.lock"
check "a stale lock is taken over" "$DAOCTL_BIN" backup prune --dir "$LOCAL" --keep-last 1
expect_match "the takeover is reported" "$ERR" "no longer running"

# Cron: three runs with --keep-last 2 leave two archives, a summary and metrics.
for i in 1 2 3; do
  check "backup run $i" "$DAOCTL_BIN" backup run --dir "$LOCAL" --keep-last 2 \
    --summary "$E2E_DIR/summary.json" --metrics "$E2E_DIR/backup.prom"
  sleep 1.1  # distinct created_at seconds, so file names differ
done
expect_match "backup run says what it did in sentences" "$OUT" \
  "^Backup [^ ]+ made, downloaded to $LOCAL/[^ ]+ \\([0-9.]+ (B|KiB|MiB)[^)]*\\) and verified \\([0-9]+ members\\)"
expect_match "...and what the retention removed" "$OUT" "Local copies in $LOCAL: 2 kept, 1 removed"
expect_no_match "...not raw JSON" "$OUT" '^\{'
expect_eq "retention kept two archives" "$(ls "$LOCAL"/*.tar.zst | wc -l)" "2"
expect_eq "the summary says success" "$(jq -r .success "$E2E_DIR/summary.json")" "true"
expect_eq "the summary says what was removed" "$(jq -r .removed "$E2E_DIR/summary.json")" "1"
expect_match "metrics have the last success time" "$(cat "$E2E_DIR/backup.prom")" \
  'daoctl_backup_last_success_timestamp_seconds [0-9]{10}'
expect_match "metrics have the size" "$(cat "$E2E_DIR/backup.prom")" 'daoctl_backup_last_size_bytes [0-9]+'
check "prune the server (dry run)" "$DAOCTL_BIN" backup prune --keep-last 1 --keep-within 1h --dry-run -o json
expect_match "the dry run names the rule that keeps the newest" "$OUT" '"reasons": ?"last snapshot, within 1h"'
expect_exit 2 "prune without a rule is a usage error" "$DAOCTL_BIN" backup prune --dry-run
check "server backups before the prune" "$DAOCTL_BIN" backup list --state ready -o json
BEFORE=$(printf '%s' "$OUT" | jq length)
expect_exit 5 "prune on the server off a terminal needs --yes" "$DAOCTL_BIN" backup prune --keep-last 1 </dev/null
expect_match "...and says so" "$ERR" "refusing to remove $((BEFORE - 1)) server backup\\(s\\) without confirmation"
check "nothing was pruned" "$DAOCTL_BIN" backup list --state ready -o json
expect_eq "...all server backups are still there" "$(printf '%s' "$OUT" | jq length)" "$BEFORE"
check "prune the server" "$DAOCTL_BIN" backup prune --keep-last 1 --yes
check "list after prune" "$DAOCTL_BIN" backup list --state ready -o json
expect_eq "one ready backup left on the server" "$(printf '%s' "$OUT" | jq length)" "1"

finish
