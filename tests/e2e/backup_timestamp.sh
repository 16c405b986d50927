#!/usr/bin/env bash
# backup_timestamp: `download --timestamp-url` gets an RFC 3161 token over the
# signed manifest from a real TSA (OpenSSL's TS code, tests/tools/tsa, with a
# CA and TSA certificate made here by `openssl req`), keeps it as
# NAME.manifest.json.tsr; `openssl ts -verify` accepts the same token and
# `backup verify --timestamp-ca` checks it. A token over another digest, a
# token under another CA or a missing one is exit 5, and nothing is restored.
source "$(dirname "$0")/lib.sh"
TSA_PEER="$DAOCTL_SOURCE_DIR/tests/tools/tsa/server.py"
PKI="$E2E_DIR/pki"; mkdir -p "$PKI"
make_ca() {  # make_ca NAME -> NAME-ca.pem, NAME-tsa.pem, NAME-tsa.key
  local n=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/$n-ca.key" \
    -out "$PKI/$n-ca.pem" -days 2 -subj "/CN=daoctl test CA $n" \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null &&
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/$n-tsa.key" \
    -out "$PKI/$n-tsa.csr" -subj "/CN=daoctl test TSA $n" 2>/dev/null &&
  printf 'extendedKeyUsage=critical,timeStamping\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature\n' \
    >"$PKI/$n-ext.cnf" &&
  openssl x509 -req -in "$PKI/$n-tsa.csr" -CA "$PKI/$n-ca.pem" -CAkey "$PKI/$n-ca.key" -CAcreateserial \
    -out "$PKI/$n-tsa.pem" -days 2 -extfile "$PKI/$n-ext.cnf" 2>/dev/null
}
make_ca one || failed "openssl req makes the test CA and TSA certificate"
make_ca two || failed "openssl req makes a second CA"
python3 "$TSA_PEER" --cert "$PKI/one-tsa.pem" --key "$PKI/one-tsa.key" --workdir "$E2E_DIR/tsa" \
  >"$E2E_DIR/tsa.log" 2>"$E2E_DIR/tsa.err" &
E2E_PIDS+=($!)
TSA_URL=$(wait_for_line "$E2E_DIR/tsa.log" 'http://127\.0\.0\.1:[0-9]+/' 20) || failed "the TSA starts" "$(cat "$E2E_DIR/tsa.err")"

SIMD="$E2E_DIR/simdata"
"$DAOCTL_SIM_BIN" seed --data "$SIMD" --users 20 --activity-days 3 >/dev/null 2>&1 || failed "seed"
start_sim --data "$SIMD"
"$DAOCTL_SIM_BIN" keys --data "$SIMD" >"$E2E_DIR/sim.pub"

check "backup create --wait" "$DAOCTL_BIN" backup create --wait -o json
ID=$(jq -r .id <<<"$OUT")
DL="$E2E_DIR/dl"
check "download --timestamp-url" "$DAOCTL_BIN" backup download "$ID" --dir "$DL" --trusted-key "$E2E_DIR/sim.pub" \
  --timestamp-url "$TSA_URL" --timestamp-ca "$PKI/one-ca.pem" -o json
FILE=$(jq -r .path <<<"$OUT")
expect_match "the download reports the token's time" "$(jq -r .timestamp <<<"$OUT")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
expect_eq "the token is kept beside the archive" "$(test -s "$FILE.manifest.json.tsr" && echo yes)" "yes"
check "openssl ts -verify accepts the token" openssl ts -verify -in "$FILE.manifest.json.tsr" \
  -data "$FILE.manifest.json" -CAfile "$PKI/one-ca.pem"
expect_match "openssl says OK" "$OUT" 'Verification: OK'
check "backup verify --timestamp-ca" "$DAOCTL_BIN" backup verify "$FILE" --trusted-key "$E2E_DIR/sim.pub" \
  --timestamp-ca "$PKI/one-ca.pem" -o json
expect_eq "verify reports the token checked" "$(jq -r .timestamp_signature_checked <<<"$OUT")" "true"

# A token over another digest: the token of a second backup beside the first.
check "a second backup" "$DAOCTL_BIN" backup create --wait -o json
ID2=$(jq -r .id <<<"$OUT")
check "download the second with a token" "$DAOCTL_BIN" backup download "$ID2" --dir "$E2E_DIR/dl2" \
  --timestamp-url "$TSA_URL" -o json
FILE2=$(jq -r .path <<<"$OUT")
T="$E2E_DIR/t"; mkdir -p "$T"; cp "$FILE" "$FILE".* "$T/"; TF="$T/$(basename "$FILE")"
cp "$FILE2.manifest.json.tsr" "$TF.manifest.json.tsr"
expect_exit 5 "a token over another digest is exit 5" "$DAOCTL_BIN" backup verify "$TF" --timestamp-ca "$PKI/one-ca.pem"
expect_match "it says so" "$ERR" 'over another digest'
expect_exit 1 "openssl ts -verify refuses it too" openssl ts -verify -in "$TF.manifest.json.tsr" \
  -data "$TF.manifest.json" -CAfile "$PKI/one-ca.pem"
expect_exit 5 "a token under another CA is exit 5" "$DAOCTL_BIN" backup verify "$FILE" --timestamp-ca "$PKI/two-ca.pem"
expect_match "it names the signature check" "$ERR" 'timestamp token cannot be verified'
M="$E2E_DIR/m"; mkdir -p "$M"; cp "$FILE" "$FILE".* "$M/"; MF="$M/$(basename "$FILE")"; rm "$MF.manifest.json.tsr"
expect_exit 5 "a missing token with --timestamp-ca is exit 5" "$DAOCTL_BIN" backup verify "$MF" \
  --timestamp-ca "$PKI/one-ca.pem"
expect_match "it names the missing token" "$ERR" 'no timestamp token'

check "a post after the backup" "$DAOCTL_BIN" api POST /api/v1/posts \
  -d '{"type": "post", "body": "after the backup", "author_id": "1"}'
POST_ID=$(jq -r .id <<<"$OUT")
expect_exit 5 "restore with a foreign token is refused" "$DAOCTL_BIN" backup restore "$TF" --yes \
  --timestamp-ca "$PKI/one-ca.pem"
check "the post made after the backup is still there" "$DAOCTL_BIN" api GET "/api/v1/posts/$POST_ID"

RD="$E2E_DIR/run"
check "backup run --timestamp-url" "$DAOCTL_BIN" backup run --dir "$RD" --timestamp-url "$TSA_URL" \
  --timestamp-ca "$PKI/one-ca.pem" -o json
RF=$(jq -r .path <<<"$OUT")
expect_match "run reports the token's time" "$(jq -r .timestamp <<<"$OUT")" '^20'
sleep 1
check "a second run" "$DAOCTL_BIN" backup run --dir "$RD" --timestamp-url "$TSA_URL" -o json
check "prune --keep-last 1" "$DAOCTL_BIN" backup prune --dir "$RD" --keep-last 1
expect_eq "the first run's archive is gone with its token" "$(ls "$RD" | grep -c "$(basename "$RF")")" "0"
expect_eq "one archive with sha256, manifest, signature and token is left" "$(ls "$RD" | grep -c '^daoctl-backup-')" "5"

# stats export audit --sign KEY: a detached minisign signature, and a token over it.
minisign -G -W -p "$E2E_DIR/audit.pub" -s "$E2E_DIR/audit.key" >/dev/null 2>&1 || failed "minisign -G -W"
chmod 600 "$E2E_DIR/audit.key"
check "stats export audit --sign --timestamp-url" "$DAOCTL_BIN" stats export audit --from 2025-01-01 --to 2025-01-04 \
  -O "$E2E_DIR/audit.csv" --sign "$E2E_DIR/audit.key" --timestamp-url "$TSA_URL"
expect_match "the export has audit rows" "$(wc -l <"$E2E_DIR/audit.csv")" '^[0-9]*[1-9][0-9]*$'
check "minisign -V verifies the export's signature" minisign -V -p "$E2E_DIR/audit.pub" -m "$E2E_DIR/audit.csv"
check "openssl ts -verify accepts the token over the signature" openssl ts -verify \
  -in "$E2E_DIR/audit.csv.minisig.tsr" -data "$E2E_DIR/audit.csv.minisig" -CAfile "$PKI/one-ca.pem"
printf 'x' >>"$E2E_DIR/audit.csv"
expect_exit 1 "minisign refuses the changed export" minisign -V -p "$E2E_DIR/audit.pub" -m "$E2E_DIR/audit.csv"
chmod 644 "$E2E_DIR/audit.key"
expect_exit 2 "a signing key readable by others is refused" "$DAOCTL_BIN" stats export audit --from 2025-01-01 \
  --to 2025-01-04 -O "$E2E_DIR/audit2.csv" --sign "$E2E_DIR/audit.key"
expect_match "it says chmod 600" "$ERR" 'chmod 600'
expect_exit 2 "--sign without -O is a usage error" "$DAOCTL_BIN" stats export audit --since 3d --sign "$E2E_DIR/audit.key"

finish
