#!/usr/bin/env bash
# Profile photos end to end: jpegPhoto from a throwaway slapd (ldapgen puts a
# distinct JPEG on every 10th employee) synced into daoctl-sim. Checks that
# apply uploads them byte for byte (sha256 of LDAP = of GET = photoSha256),
# that a rerun plans nothing, that one changed photo is one change (also
# through a saved plan), that a photo removed from the directory stays on the
# platform, and that a photo the platform refuses (415) fails alone (exit 3).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ldap.sh"
ldapgen="$DAOCTL_BUILD_DIR/tests/ldapgen"
N=60

"$ldapgen" --employees $N --photo-every 10 --out "$E2E_DIR/people.ldif"
start_slapd "$E2E_DIR/slapd" "$E2E_DIR/people.ldif" || exit 1
start_sim

cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: e2e-photos
sources:
$(ldap_source)
mapping:
  externalId: "{ldap.entryUUID}"
  userName: "{ldap.uid}"
  displayName: "{ldap.displayName}"
  title: "{ldap.title}"
  photo: "{ldap.jpegPhoto}"
YAML
export DAOCTL_STATE_DIR="$E2E_DIR/state"
job="$E2E_DIR/sync.yaml"
journal="$DAOCTL_STATE_DIR/e2e-photos.results.jsonl"
profile='urn:daoffice:scim:schemas:extension:profile:1.0:User'

# The DN of an employee by uid (base64 when it is not plain ASCII), and the sha256 of the jpegPhoto the directory holds.
dn_of() {
  ldapsearch -x -H "$LDAP_URL" -D "$LDAP_BIND_DN" -w "$LDAP_BIND_PASSWORD" -b "ou=People,$LDAP_BASE_DN" \
    -LLL -o ldif-wrap=no "(uid=$1)" dn | awk '/^dn:: / { print $2 | "base64 -d"; exit } /^dn: / { sub(/^dn: /, ""); print; exit }'
}
ldap_photo_sha() {
  ldapsearch -x -H "$LDAP_URL" -D "$LDAP_BIND_DN" -w "$LDAP_BIND_PASSWORD" -b "ou=People,$LDAP_BASE_DN" \
    -LLL -o ldif-wrap=no "(uid=$1)" jpegPhoto | sed -n 's/^jpegPhoto:: //p' | base64 -d | sha256sum | cut -d' ' -f1
}
user_id() { "$DAOCTL_BIN" users get "$1" -o json | jq -r .id; }
# sha256 of the bytes GET /api/v1/users/{id}/photo answers ("" when it is not 200).
platform_photo_sha() {
  local file="$E2E_DIR/photo.$1"
  local code
  code=$(curl -s -o "$file" -w '%{http_code}' -H "Authorization: Bearer $DAOCTL_TOKEN" \
    "$SIM_URL/api/v1/users/$(user_id "$1")/photo")
  [ "$code" = 200 ] && sha256sum "$file" | cut -d' ' -f1
}
set_ldap_photo() {  # uid file
  ldapmodify -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" >/dev/null <<LDIF
dn: $(dn_of "$1")
changetype: modify
replace: jpegPhoto
jpegPhoto:< file://$2
LDIF
}
remove_ldap_photo() {
  ldapmodify -x -H "$LDAP_URL" -D "$LDAP_ROOT_DN" -w "$LDAP_ROOT_PASSWORD" >/dev/null <<LDIF
dn: $(dn_of "$1")
changetype: modify
delete: jpegPhoto
LDIF
}

photo_users=(e000000 e000010 e000020 e000030 e000040 e000050)

# --- first run: every photo is uploaded after its user is created
expect_exit 8 "plan on an empty platform has changes" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode -o json
expect_eq "plan uploads one photo per employee with a jpegPhoto" "$(jq '.summary.photos.upload' <<<"$OUT")" "${#photo_users[@]}"
expect_eq "new users' photos have no before" "$(jq '[.photos[] | select(.before_sha256 == null and .id == "")] | length' <<<"$OUT")" "${#photo_users[@]}"
expect_eq "the plan's digest is the directory's" \
  "$(jq -r '.photos[] | select(.userName == "e000010") | .after_sha256' <<<"$OUT")" "$(ldap_photo_sha e000010)"
expect_no_match "no photo bytes in the users' changes" "$(jq -c '[.users[].changes[].field]' <<<"$OUT")" 'photo'
run "$DAOCTL_BIN" sync plan -f "$job"
expect_match "the human plan shows the photo by digest and size" "$OUT" \
  "\+ e000010 photo: \(none\) -> $(ldap_photo_sha e000010 | cut -c1-12)… \([0-9]+ bytes\)"
expect_match "the summary line counts photos" "$OUT" "${#photo_users[@]} photo\(s\) to upload"

check "sync apply uploads users and photos" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary.json"
expect_eq "summary counts the photos" "$(jq '.plan.summary.photos.upload' "$E2E_DIR/summary.json")" "${#photo_users[@]}"
expect_eq "the journal has one ok line per photo" \
  "$(jq -s '[.[] | select(.phase == "photos" and .action == "upload" and .ok)] | length' "$journal")" "${#photo_users[@]}"
expect_eq "photos are uploaded after every user exists" \
  "$(jq -s '[.[] | select(.phase != null) | .phase] | (map(. == "photos") | index(true)) > (map(. == "users") | rindex(true))' "$journal")" "true"
all_same=yes
for u in "${photo_users[@]}"; do
  want=$(ldap_photo_sha "$u")
  got=$(platform_photo_sha "$u")
  scim=$("$DAOCTL_BIN" users get "$u" -o json | jq -r --arg p "$profile" '.[$p].photoSha256')
  if [ "$want" != "$got" ] || [ "$want" != "$scim" ] || [ -z "$want" ]; then
    all_same="no: $u ldap=$want get=$got scim=$scim"
  fi
done
expect_eq "GET returns the directory's bytes and photoSha256 names them, for every photo" "$all_same" "yes"
expect_eq "employees without jpegPhoto have no photo" "$(platform_photo_sha e000001)" ""

expect_exit 0 "a rerun plans nothing" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode
expect_match "the rerun says no changes" "$OUT" 'No changes'

# --- one changed photo is one change, applied through a saved plan
old_sha=$(ldap_photo_sha e000010)
sed -n 's/^jpegPhoto:: //p' "$E2E_DIR/people.ldif" | sed -n 3p | base64 -d >"$E2E_DIR/new.jpg"
set_ldap_photo e000010 "$E2E_DIR/new.jpg"
new_sha=$(sha256sum "$E2E_DIR/new.jpg" | cut -d' ' -f1)
expect_exit 8 "a changed photo is a change" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode -o json --out "$E2E_DIR/plan.json"
expect_eq "exactly one photo change" "$(jq -c '[.summary.photos.upload, .summary.users.update, .summary.users.create]' <<<"$OUT")" '[1,0,0]'
expect_eq "it names the user, the old and the new digest" \
  "$(jq -r '.photos[0] | [.userName, .before_sha256, .after_sha256] | join(" ")' <<<"$OUT")" "e000010 $old_sha $new_sha"
run "$DAOCTL_BIN" sync plan -f "$job"
expect_match "the human diff shows before and after" "$OUT" \
  "~ e000010 \(id [0-9]+\) photo: ${old_sha:0:12}… -> ${new_sha:0:12}… \([0-9]+ bytes\)"
check "apply --plan reads the photo again and uploads it" "$DAOCTL_BIN" sync apply -f "$job" --plan "$E2E_DIR/plan.json"
expect_eq "the platform has the new photo" "$(platform_photo_sha e000010)" "$new_sha"
expect_exit 0 "converged again" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode

# A saved plan whose photo changed in the directory afterwards fails that item.
sed -n 's/^jpegPhoto:: //p' "$E2E_DIR/people.ldif" | sed -n 5p | base64 -d >"$E2E_DIR/planned.jpg"
set_ldap_photo e000020 "$E2E_DIR/planned.jpg"
run "$DAOCTL_BIN" sync plan -f "$job" --out "$E2E_DIR/plan2.json"
sed -n 's/^jpegPhoto:: //p' "$E2E_DIR/people.ldif" | sed -n 6p | base64 -d >"$E2E_DIR/newer.jpg"
set_ldap_photo e000020 "$E2E_DIR/newer.jpg"
expect_exit 3 "a photo edited after the plan is a partial failure" \
  "$DAOCTL_BIN" sync apply -f "$job" --plan "$E2E_DIR/plan2.json"
expect_match "it says why" "$ERR" 'photo of user e000020.*changed since the plan was made'
check "a fresh apply converges" "$DAOCTL_BIN" sync apply -f "$job"
expect_eq "the newest photo is on the platform" "$(platform_photo_sha e000020)" "$(sha256sum "$E2E_DIR/newer.jpg" | cut -d' ' -f1)"

# --- a photo removed from the directory stays; a refused one fails alone
kept=$(platform_photo_sha e000040)
remove_ldap_photo e000040
printf 'GIF89a\x01\x00\x01\x00\x00\x00\x00;' >"$E2E_DIR/not-a-jpeg.gif"
set_ldap_photo e000030 "$E2E_DIR/not-a-jpeg.gif"
"$DAOCTL_BIN" users update e000001 --set title=Manual >/dev/null 2>&1
expect_exit 8 "plan sees the GIF and the manual title" "$DAOCTL_BIN" sync plan -f "$job" --detailed-exitcode -o json
expect_eq "only the GIF is a photo change (removal is not deletion)" "$(jq -r '[.photos[].userName] | join(",")' <<<"$OUT")" "e000030"
expect_exit 3 "apply with a refused photo exits 3" "$DAOCTL_BIN" sync apply -f "$job" --summary-file "$E2E_DIR/summary2.json"
expect_match "the warning names the user and the 415" "$ERR" 'photo of user e000030 \(upload\): .*415'
expect_eq "the journal reports it per user" \
  "$(jq -s -r '.[] | select(.phase == "photos" and .ok == false) | .object' "$journal")" "photo of user e000030"
expect_eq "the rest of the run was applied" "$(jq -s '[.[] | select(.phase == "users" and .ok)] | length' "$journal")" "1"
expect_eq "summary is partial" "$(jq -r .result "$E2E_DIR/summary2.json")" "partial"
expect_eq "the removed photo is still on the platform" "$(platform_photo_sha e000040)" "$kept"
expect_eq "the refused photo left the old one in place" "$(platform_photo_sha e000030)" \
  "$("$DAOCTL_BIN" users get e000030 -o json | jq -r --arg p "$profile" '.[$p].photoSha256')"
finish
