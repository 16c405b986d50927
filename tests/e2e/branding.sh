#!/usr/bin/env bash
# branding: colours (format, WCAG AA contrast), logo and favicon uploads
# checked by content (format, size, pixel dimensions) before sending.
source "$(dirname "$0")/lib.sh"
FIX="$DAOCTL_SOURCE_DIR/tests/fixtures/branding"
start_sim

check "branding get" "$DAOCTL_BIN" branding get -o json
expect_eq "no logo yet" "$(printf '%s' "$OUT" | jq .logo_url)" "null"
check "set colours" "$DAOCTL_BIN" branding set --primary-color '#0B5FFF' --background-color '#FFFFFF'
check "branding get after set" "$DAOCTL_BIN" branding get -o json
expect_eq "colours stored" "$(printf '%s' "$OUT" | jq -r .primary_color)" "#0B5FFF"
expect_exit 2 "a bad colour is refused before sending" "$DAOCTL_BIN" branding set --accent-color 'orange'
expect_match "the flag and the format are named" "$ERR" -- '--accent-color: accent_color "orange" is not a colour of the form #rgb or #rrggbb'
check "low contrast is a warning" "$DAOCTL_BIN" branding set --accent-color '#FFB000'
expect_match "the ratio is reported" "$ERR" 'warning: --accent-color: .*1\.83:1, below the WCAG AA minimum of 4\.5:1'
expect_exit 8 "diff of a colour" "$DAOCTL_BIN" branding diff --accent-color '#333'
expect_eq "one line" "$OUT" "~ branding: accent_color #FFB000 -> #333"
expect_exit 0 "the stored colour in other letters is no change" "$DAOCTL_BIN" branding diff --accent-color '#ffb000'
check "and set sends nothing new" "$DAOCTL_BIN" branding set --accent-color '#ffb000' -o json
expect_eq "the stored spelling stays" "$("$DAOCTL_BIN" branding get -o json | jq -r .accent_color)" "#FFB000"
expect_exit 0 "#fff is #FFFFFF" "$DAOCTL_BIN" branding diff --background-color '#fff'
printf '.header { color: #333; }\n' >"$E2E_DIR/site.css"
printf 'primary_color: "#0B5FFF"\nlogo: ./logo.png\n' >"$E2E_DIR/branding.yaml"
expect_exit 2 "branding set -f does not take images" "$DAOCTL_BIN" branding set -f "$E2E_DIR/branding.yaml"
expect_match "and points to the upload command" "$ERR" 'daoctl branding logo PATH'
check "custom css from a file" "$DAOCTL_BIN" branding set --css-file "$E2E_DIR/site.css"

check "upload a PNG logo" "$DAOCTL_BIN" branding logo "$FIX/logo.png" -o json
expect_eq "its size is read from the header" "$(printf '%s' "$OUT" | jq -c '[.width, .height, .content_type]')" '[120,40,"image/png"]'
expect_eq "the stored bytes are the file's" "$(printf '%s' "$OUT" | jq -r .sha256)" "$(sha256sum <"$FIX/logo.png" | cut -c1-64)"
curl -sf -H "Authorization: Bearer $DAOCTL_TOKEN" "$SIM_URL/api/v1/settings/branding/logo" -o "$E2E_DIR/logo.back"
check "the logo downloads byte for byte" cmp "$E2E_DIR/logo.back" "$FIX/logo.png"
check "upload an SVG logo" "$DAOCTL_BIN" branding logo "$FIX/logo.svg"
check "upload an ICO favicon" "$DAOCTL_BIN" branding favicon "$FIX/favicon.ico"

expect_exit 1 "a JPEG named .png is refused by content" "$DAOCTL_BIN" branding logo "$FIX/photo-really-jpeg.png"
expect_match "it says what the content is" "$ERR" 'is a JPEG image \(judged by its content, not its name\); a logo must be PNG, SVG'
head -c $((20 * 1024 * 1024)) /dev/zero | cat "$FIX/logo.png" - >"$E2E_DIR/big.png"
expect_exit 1 "a 20 MiB logo is refused" "$DAOCTL_BIN" branding logo "$E2E_DIR/big.png"
expect_match "size and limit are named" "$ERR" 'is 20\.0 MiB .*a logo may be at most 1 MiB'
expect_exit 1 "too many pixels" "$DAOCTL_BIN" branding logo "$FIX/huge.png"
expect_match "dimensions and limit are named" "$ERR" '4096x16 pixels; a logo may be at most 2048x2048'
expect_exit 1 "an ICO is no logo" "$DAOCTL_BIN" branding logo "$FIX/favicon.ico"
# The server checks by content too: a raw upload with a lying Content-Type.
STATUS_CODE=$(curl -s -o "$E2E_DIR/lying.json" -w '%{http_code}' -X PUT -H "Authorization: Bearer $DAOCTL_TOKEN" \
  -H 'Content-Type: image/png' --data-binary @"$FIX/photo-really-jpeg.png" "$SIM_URL/api/v1/settings/branding/logo")
expect_eq "the simulator refuses a JPEG sent as image/png with 422" "$STATUS_CODE" "422"
expect_match "and says what the body is" "$(cat "$E2E_DIR/lying.json")" 'the body is JPEG by its content but was sent as image/png'

finish
