#!/usr/bin/env bash
# backup_encrypt: `download|run --encrypt-to` writes the archive encrypted for
# an age recipient, streamed through Debian's age binary (the plain archive
# never touches the disk); `age -d -i KEY` decrypts ours and daoctl decrypts
# age's own files. A wrong identity or a truncated file is exit 5 naming age's
# reason, and nothing is restored. A stall inside a run resumes into the same
# age stream; kill -9 mid-download, then a rerun: the ciphertext is remade
# and decrypts and verifies.
source "$(dirname "$0")/lib.sh"
command -v age >/dev/null || failed "age is installed (Debian package age)"

SIMD="$E2E_DIR/simdata"
"$DAOCTL_SIM_BIN" seed --data "$SIMD" --users 40 >/dev/null 2>&1 || failed "seed"
mkdir -p "$SIMD/files"
head -c 3145728 /dev/urandom >"$SIMD/files/blob.bin"
start_sim --data "$SIMD"
"$DAOCTL_SIM_BIN" keys --data "$SIMD" >"$E2E_DIR/sim.pub"

age-keygen -o "$E2E_DIR/key.txt" 2>/dev/null
chmod 600 "$E2E_DIR/key.txt"
RECIPIENT=$(age-keygen -y "$E2E_DIR/key.txt")
age-keygen -o "$E2E_DIR/wrong.txt" 2>/dev/null
chmod 600 "$E2E_DIR/wrong.txt"

check "backup create --wait" "$DAOCTL_BIN" backup create --wait -o json
ID=$(jq -r .id <<<"$OUT")
SHA=$(jq -r .sha256 <<<"$OUT")

DL="$E2E_DIR/dl"
check "download --encrypt-to RECIPIENT" "$DAOCTL_BIN" backup download "$ID" --dir "$DL" \
  --encrypt-to "$RECIPIENT" --trusted-key "$E2E_DIR/sim.pub" -o json
FILE=$(jq -r .path <<<"$OUT")
expect_match "the archive is NAME.tar.zst.age" "$FILE" '\.tar\.zst\.age$'
expect_eq "reported as encrypted" "$(jq -r .encrypted <<<"$OUT")" "true"
expect_eq "it is an age file" "$(head -c 21 "$FILE")" "age-encryption.org/v1"
expect_eq "no plain archive or partial file is left in the directory" \
  "$(ls "$DL" | grep -Ec '\.tar\.zst$|\.part')" "0"
expect_eq "Debian's age -d decrypts it to the server's archive" \
  "$(age -d -i "$E2E_DIR/key.txt" "$FILE" | sha256sum | cut -d' ' -f1)" "$SHA"
check "minisign verifies its manifest" minisign -V -p "$E2E_DIR/sim.pub" -m "${FILE%.age}.manifest.json"

check "verify --identity reads every member through age" "$DAOCTL_BIN" backup verify "$FILE" \
  --identity "$E2E_DIR/key.txt" --trusted-key "$E2E_DIR/sim.pub" --read-data -o json
expect_eq "verify: ok" "$(jq -r .ok <<<"$OUT")" "true"
expect_eq "verify: origin verified" "$(jq -r .origin <<<"$OUT")" "verified"
expect_exit 2 "verify of a .age archive without --identity is a usage error" \
  "$DAOCTL_BIN" backup verify "$FILE"
cp "$E2E_DIR/key.txt" "$E2E_DIR/open.txt"; chmod 644 "$E2E_DIR/open.txt"
expect_exit 2 "an identity readable by others is refused" \
  "$DAOCTL_BIN" backup verify "$FILE" --identity "$E2E_DIR/open.txt"
expect_match "it says chmod 600" "$ERR" 'chmod 600'
expect_no_match "the secret key is never printed" "$OUT$ERR" 'AGE-SECRET-KEY'

expect_exit 5 "a wrong identity is exit 5" "$DAOCTL_BIN" backup verify "$FILE" --identity "$E2E_DIR/wrong.txt"
expect_match "it names age's reason" "$ERR" 'cannot be decrypted.*age: .*(no identity matched|identity)'
T="$E2E_DIR/trunc"; mkdir -p "$T"; cp "${FILE%.age}".* "$T/"; TF="$T/$(basename "$FILE")"
head -c $(( $(stat -c %s "$FILE") - 1000 )) "$FILE" >"$TF"
expect_exit 5 "a truncated age file is exit 5" "$DAOCTL_BIN" backup verify "$TF" --identity "$E2E_DIR/key.txt"
expect_match "it names the decryption failure" "$ERR" 'cannot be decrypted'

# daoctl decrypts what Debian's age encrypted (to a recipients file).
printf '%s\n' "$RECIPIENT" >"$E2E_DIR/recipients.txt"
A="$E2E_DIR/theirs"; mkdir -p "$A"; AF="$A/$(basename "$FILE")"
age -d -i "$E2E_DIR/key.txt" "$FILE" | age -R "$E2E_DIR/recipients.txt" -o "$AF"
cp "${FILE%.age}".* "$A/"
check "daoctl verifies an archive encrypted by age" "$DAOCTL_BIN" backup verify "$AF" \
  --identity "$E2E_DIR/key.txt" --trusted-key "$E2E_DIR/sim.pub" -o json
expect_eq "age-encrypted: ok" "$(jq -r .ok <<<"$OUT")" "true"

# Nothing is restored with a wrong identity or from a truncated file.
check "a post after the backup" "$DAOCTL_BIN" api POST /api/v1/posts \
  -d '{"type": "post", "body": "after the backup", "author_id": "1"}'
POST_ID=$(jq -r .id <<<"$OUT")
expect_exit 5 "restore with a wrong identity is refused" \
  "$DAOCTL_BIN" backup restore "$FILE" --yes --identity "$E2E_DIR/wrong.txt"
expect_exit 5 "restore of a truncated age file is refused" \
  "$DAOCTL_BIN" backup restore "$TF" --yes --identity "$E2E_DIR/key.txt"
check "the post made after the backup is still there" "$DAOCTL_BIN" api GET "/api/v1/posts/$POST_ID"
check "restore of the encrypted archive with its identity" \
  "$DAOCTL_BIN" backup restore "$FILE" --yes --identity "$E2E_DIR/key.txt" --trusted-key "$E2E_DIR/sim.pub"
expect_exit 7 "the restore brought back the state of the backup" "$DAOCTL_BIN" api GET "/api/v1/posts/$POST_ID"

# A stall inside one run resumes with Range into the same age stream.
start_http_peer PROXY_URL p1 proxy --upstream "$SIM_URL" --stall-path /download --stall-count 1
PROXY_PID=$PEER_PID
check "an encrypted download through a stall resumes in the same run" env DAOCTL_URL="$PROXY_URL" timeout 120 \
  "$DAOCTL_BIN" --attempt-timeout 2 backup download "$ID" -O "$E2E_DIR/stalled.tar.zst" --encrypt-to "$RECIPIENT" -o json
expect_eq "the resumed stream decrypts to the archive" \
  "$(age -d -i "$E2E_DIR/key.txt" "$E2E_DIR/stalled.tar.zst.age" | sha256sum | cut -d' ' -f1)" "$SHA"
kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null

# kill -9 in the middle (the proxy holds the second half back), then a rerun.
start_http_peer PROXY_URL p2 proxy --upstream "$SIM_URL" --stall-path /download --stall-count 1
PROXY_PID=$PEER_PID
KD="$E2E_DIR/killed"; mkdir -p "$KD"
DAOCTL_URL="$PROXY_URL" "$DAOCTL_BIN" --attempt-timeout 60 backup download "$ID" --dir "$KD" \
  --encrypt-to "$RECIPIENT" >/dev/null 2>&1 &
DPID=$!
for _ in $(seq 1 100); do
  PART=$(ls "$KD"/*.age.part 2>/dev/null | head -n1)
  [ -n "$PART" ] && [ "$(stat -c %s "$PART")" -gt 100000 ] && break
  sleep 0.1
done
kill -9 "$DPID"; wait "$DPID" 2>/dev/null
expect_match "the killed run left a partial ciphertext" "$(ls "$KD")" '\.age\.part$'
check "the rerun completes" "$DAOCTL_BIN" backup download "$ID" --dir "$KD" --encrypt-to "$RECIPIENT" \
  --trusted-key "$E2E_DIR/sim.pub" -o json
expect_match "it says the ciphertext is remade" "$ERR" 'remade from the first byte'
KF=$(jq -r .path <<<"$OUT")
expect_eq "no partial file is left" "$(ls "$KD" | grep -c '\.part')" "0"
expect_eq "the result decrypts to the archive" \
  "$(age -d -i "$E2E_DIR/key.txt" "$KF" | sha256sum | cut -d' ' -f1)" "$SHA"
check "and verifies" "$DAOCTL_BIN" backup verify "$KF" --identity "$E2E_DIR/key.txt" \
  --trusted-key "$E2E_DIR/sim.pub" --read-data

# backup run --encrypt-to, then prune keeps and removes each .age with its companions.
RD="$E2E_DIR/run"
check "backup run --encrypt-to" "$DAOCTL_BIN" backup run --dir "$RD" --encrypt-to "$E2E_DIR/recipients.txt" \
  --trusted-key "$E2E_DIR/sim.pub" -o json
expect_eq "run: encrypted" "$(jq -r .encrypted <<<"$OUT")" "true"
RF=$(jq -r .path <<<"$OUT")
expect_match "run wrote a .age archive" "$RF" '\.tar\.zst\.age$'
sleep 1
check "a second run" "$DAOCTL_BIN" backup run --dir "$RD" --encrypt-to "$E2E_DIR/recipients.txt" -o json
check "prune --keep-last 1" "$DAOCTL_BIN" backup prune --dir "$RD" --keep-last 1
expect_eq "one archive and its three companions are left" "$(ls "$RD" | grep -c '^daoctl-backup-')" "4"
expect_eq "the first run's archive is gone with its companions" "$(ls "$RD" | grep -c "$(basename "${RF%.tar.zst.age}")")" "0"

finish
