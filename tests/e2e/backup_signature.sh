#!/usr/bin/env bash
# backup_signature: daoctl-sim signs every backup's manifest with its Ed25519
# key (minisign format); Debian's minisign verifies what daoctl downloads, and
# daoctl verifies what minisign signs. With a key pinned, a tampered manifest,
# a tampered archive, another key's signature or a missing signature is exit 5
# naming what failed, and nothing is restored. prune and run keep and remove
# the archive, its manifest, signature and sha256 together.
source "$(dirname "$0")/lib.sh"
command -v minisign >/dev/null || failed "minisign is installed (Debian package minisign)"

SIM="$E2E_DIR/simdata"
"$DAOCTL_SIM_BIN" seed --data "$SIM" --users 30 >/dev/null 2>&1 || failed "seed"
mkdir -p "$SIM/files"
head -c 300000 /dev/urandom >"$SIM/files/blob.bin"
start_sim --data "$SIM"

expect_eq "the signing key is made on first start, mode 0600" "$(stat -c %a "$SIM/backup-signing.key")" "600"
check "daoctl-sim keys prints the public key" "$DAOCTL_SIM_BIN" keys --data "$SIM"
printf '%s\n' "$OUT" >"$E2E_DIR/sim.pub"
# minisign writes the key id as %" PRIX64, without leading zeros: one key in 16 has fewer than 16 digits.
expect_match "it is a minisign public key" "$OUT" '^untrusted comment: minisign public key [0-9A-F]{1,16}$'
KEYID=$(head -n1 "$E2E_DIR/sim.pub" | awk '{print $NF}')
curl -sf -D "$E2E_DIR/key.headers" -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/api/v1/backup-signing-key" \
  >"$E2E_DIR/endpoint.pub" || failed "GET /api/v1/backup-signing-key"
expect_eq "the endpoint serves the same key" "$(cat "$E2E_DIR/endpoint.pub")" "$(cat "$E2E_DIR/sim.pub")"
expect_match "X-Key-Id names it" "$(cat "$E2E_DIR/key.headers")" "X-Key-Id: $KEYID"

# Another key pair, made by minisign itself (no password: -W).
minisign -G -W -p "$E2E_DIR/other.pub" -s "$E2E_DIR/other.key" >/dev/null 2>&1 || failed "minisign -G"

check "backup create --wait" "$DAOCTL_BIN" backup create --wait -o json
ID=$(printf '%s' "$OUT" | jq -r .id)

DL="$E2E_DIR/dl"
check "download without a pinned key" "$DAOCTL_BIN" backup download "$ID" --dir "$DL" -o json
FILE=$(printf '%s' "$OUT" | jq -r .path)
expect_eq "its origin is unchecked" "$(printf '%s' "$OUT" | jq -r .origin)" "unchecked"
expect_match "a note says the origin is unchecked" "$ERR" 'origin unchecked: no trusted key is pinned'
expect_eq "the signed manifest is kept beside the archive" "$(test -f "$FILE.manifest.json" && echo yes)" "yes"
expect_eq "the signature is kept beside the archive" "$(test -f "$FILE.manifest.json.minisig" && echo yes)" "yes"

check "minisign -V verifies the signature daoctl kept" minisign -V -p "$E2E_DIR/sim.pub" -m "$FILE.manifest.json"
expect_match "minisign says both signatures verified" "$OUT" 'Signature and comment signature verified'
expect_match "the trusted comment names the backup and the archive digest" "$OUT" \
  "backup:$ID.*archive-sha256:$(sha256sum "$FILE" | cut -d' ' -f1)"
expect_exit 1 "minisign -V refuses it under another key" minisign -V -p "$E2E_DIR/other.pub" -m "$FILE.manifest.json"

check "download with the key pinned" "$DAOCTL_BIN" backup download "$ID" -O "$E2E_DIR/pinned.tar.zst" \
  --trusted-key "$E2E_DIR/sim.pub" -o json
expect_eq "its origin is verified" "$(printf '%s' "$OUT" | jq -r .origin)" "verified"
expect_eq "signed by the sim's key" "$(printf '%s' "$OUT" | jq -r .signed_by)" "$KEYID"
check "verify with the key pinned" "$DAOCTL_BIN" backup verify "$FILE" --trusted-key "$E2E_DIR/sim.pub" -o json
expect_eq "verify: origin verified" "$(printf '%s' "$OUT" | jq -r .origin)" "verified"
check "verify a backup id with the key pinned" "$DAOCTL_BIN" backup verify "$ID" --trusted-key "$E2E_DIR/sim.pub" -o json
expect_eq "verify by id: origin verified" "$(printf '%s' "$OUT" | jq -r .origin)" "verified"

# The context's backup_trusted_keys pins the key without a flag.
export DAOCTL_CONFIG="$E2E_DIR/config.yaml"
cat >"$DAOCTL_CONFIG" <<YAML
current-context: e2e
contexts:
  - name: e2e
    url: $SIM_URL
    backup_trusted_keys:
      - $E2E_DIR/other.pub
YAML
expect_exit 5 "the context's key (another key) refuses the download" \
  "$DAOCTL_BIN" backup download "$ID" -O "$E2E_DIR/ctx.tar.zst"
expect_match "it names the signing key and the trusted one" "$ERR" "signed by key $KEYID, which is not a trusted key"
expect_eq "nothing was downloaded" "$(ls "$E2E_DIR"/ctx.tar.zst* 2>/dev/null | wc -l)" "0"
sed -i "s#$E2E_DIR/other.pub#$E2E_DIR/sim.pub#" "$DAOCTL_CONFIG"
check "the context's key verifies" "$DAOCTL_BIN" backup verify "$FILE" -o json
expect_eq "context key: origin verified" "$(printf '%s' "$OUT" | jq -r .origin)" "verified"
unset DAOCTL_CONFIG

# Tampered manifest: one member size changed in the signed manifest.
T1="$E2E_DIR/t1"; mkdir -p "$T1"; cp "$FILE" "$FILE".* "$T1/"
F1="$T1/$(basename "$FILE")"
jq '.members[0].size += 1' "$F1.manifest.json" >"$F1.m" && mv "$F1.m" "$F1.manifest.json"
expect_exit 5 "a tampered manifest is exit 5" "$DAOCTL_BIN" backup verify "$F1" --trusted-key "$E2E_DIR/sim.pub"
expect_match "it says the signed file changed" "$ERR" 'signature does not match.*changed'
expect_match "it names the manifest" "$ERR" 'manifest.json'

# Tampered archive: one byte of the archive changed, manifest and signature intact.
T2="$E2E_DIR/t2"; mkdir -p "$T2"; cp "$FILE" "$FILE".* "$T2/"
F2="$T2/$(basename "$FILE")"
SIZE=$(stat -c %s "$F2")
printf '\x55' | dd of="$F2" bs=1 seek=$((SIZE / 2)) conv=notrunc 2>/dev/null
sha256sum "$F2" | cut -d' ' -f1 >"$F2.sha256"  # the unsigned checksum file is rewritten to match
expect_exit 5 "a tampered archive is exit 5" "$DAOCTL_BIN" backup verify "$F2" --trusted-key "$E2E_DIR/sim.pub"
expect_match "it says the archive is not the signed one or names the damage" "$ERR" \
  'not the one the signed manifest describes|damaged'

# A signature from another key over the same manifest (made by minisign).
T3="$E2E_DIR/t3"; mkdir -p "$T3"; cp "$FILE" "$FILE".* "$T3/"
F3="$T3/$(basename "$FILE")"
minisign -S -s "$E2E_DIR/other.key" -m "$F3.manifest.json" -x "$F3.manifest.json.minisig" >/dev/null 2>&1 ||
  failed "minisign -S"
OTHER_ID=$(head -n1 "$E2E_DIR/other.pub" | awk '{print $NF}')
expect_exit 5 "a signature by another key is exit 5" "$DAOCTL_BIN" backup verify "$F3" --trusted-key "$E2E_DIR/sim.pub"
expect_match "it names the other key" "$ERR" "signed by key $OTHER_ID, which is not a trusted key"
check "daoctl verifies minisign's own signature with that key (interop)" \
  "$DAOCTL_BIN" backup verify "$F3" --trusted-key "$E2E_DIR/other.pub" -o json
expect_eq "minisign-made signature: origin verified" "$(printf '%s' "$OUT" | jq -r .signed_by)" "$OTHER_ID"

# Missing signature.
T4="$E2E_DIR/t4"; mkdir -p "$T4"; cp "$FILE" "$FILE".* "$T4/"
F4="$T4/$(basename "$FILE")"
rm "$F4.manifest.json.minisig"
expect_exit 5 "a missing signature is exit 5 with a key pinned" \
  "$DAOCTL_BIN" backup verify "$F4" --trusted-key "$E2E_DIR/sim.pub"
expect_match "it says the signature is missing" "$ERR" 'has no signature'
check "without a key pinned it verifies as before" "$DAOCTL_BIN" backup verify "$F4" -o json
expect_match "with a note that the origin is unchecked" "$ERR" 'origin unchecked'

# Nothing is restored from a tampered archive: a post made after the backup stays.
check "a post after the backup" "$DAOCTL_BIN" api POST /api/v1/posts \
  -d '{"type": "post", "body": "after the backup", "author_id": "1"}'
POST_ID=$(printf '%s' "$OUT" | jq -r .id)
for bad in "$F1" "$F2" "$F3" "$F4"; do
  expect_exit 5 "restore of $(basename "$(dirname "$bad")") is refused" \
    "$DAOCTL_BIN" backup restore "$bad" --yes --trusted-key "$E2E_DIR/sim.pub"
done
check "the post made after the backup is still there" "$DAOCTL_BIN" api GET "/api/v1/posts/$POST_ID"

# prune and run keep and remove the companions with their archive.
RUNDIR="$E2E_DIR/run"
check "backup run with the key pinned" "$DAOCTL_BIN" backup run --dir "$RUNDIR" --trusted-key "$E2E_DIR/sim.pub" -o json
expect_eq "run: origin verified" "$(printf '%s' "$OUT" | jq -r .origin)" "verified"
sleep 1
check "a second backup run" "$DAOCTL_BIN" backup run --dir "$RUNDIR" --trusted-key "$E2E_DIR/sim.pub" -o json
NEWEST=$(printf '%s' "$OUT" | jq -r .path)
expect_eq "two archives, each with sha256, manifest and signature" \
  "$(ls "$RUNDIR" | grep -c '^daoctl-backup-')" "8"
check "prune --keep-last 1" "$DAOCTL_BIN" backup prune --dir "$RUNDIR" --keep-last 1
expect_eq "the newest archive and its three companions stay, nothing else" \
  "$(ls "$RUNDIR" | grep "^daoctl-backup-" | LC_ALL=C sort | tr '\n' ' ')" \
  "$(basename "$NEWEST") $(basename "$NEWEST").manifest.json $(basename "$NEWEST").manifest.json.minisig $(basename "$NEWEST").sha256 "
check "the kept archive still verifies with minisign" minisign -V -p "$E2E_DIR/sim.pub" -m "$NEWEST.manifest.json"

finish
