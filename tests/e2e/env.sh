#!/usr/bin/env bash
# env: declarative environments against daoctl-sim — apply to an empty
# platform, apply again (no changes), change one field (exactly one change),
# export and re-apply to a fresh platform (no diff), --prune, and file errors
# with their line and column.
source "$(dirname "$0")/lib.sh"
FIX="$DAOCTL_SOURCE_DIR/tests/fixtures/branding"
mkdir -p "$E2E_DIR/env/branding"
cp "$FIX/logo.svg" "$FIX/favicon.ico" "$E2E_DIR/env/branding/"
ENV="$E2E_DIR/env/env.yaml"
cat >"$ENV" <<'YAML'
version: 1
policies:
  password: {min_length: 15, history: 5, lockout_threshold: 10, lockout_minutes: 15}
  registration: {mode: domains, allowed_domains: [corp.example, corp-spb.example]}
  keywords:
    - {pattern: "(?i)паспорт\\s*\\d{4}\\s*\\d{6}", action: flag, scope: all}
    - {pattern: casino, action: hide}
branding:
  primary_color: "#0B5FFF"
  accent_color: "#333333"
  background_color: "#FFFFFF"
  css: ".header { border-bottom: 1px solid #ddd; }"
  logo: ./branding/logo.svg
  favicon: ./branding/favicon.ico
departments:
  - path: Company/IT/Backend
  - path: Company/IT/Frontend
  - path: Company/Sales
communities:
  - {external_id: welcome, name: Добро пожаловать, visibility: public, owners: [hr@corp.example]}
  - {external_id: it-news, name: IT news, visibility: private, owners: [ci-admin], members: [ci-admin, hr]}
badges:
  - {external_id: mentor, name: Наставник, description: Помог новым коллегам освоиться}
  - {external_id: helper, name: Helper}
seed:
  users:
    - {userName: ci-admin, email: ci-admin@corp.example, displayName: CI Admin, department: Company/IT}
    - {userName: hr, email: hr@corp.example, displayName: HR Team, givenName: Анна, familyName: Петрова}
  posts:
    - {external_id: hello, type: news, title: Запуск портала, body: "Мы открылись!", pinned: true,
       author: ci-admin, community: welcome}
YAML

start_sim
FIRST_SIM=$SIM_URL

expect_exit 8 "diff against an empty platform shows changes (exit 8)" "$DAOCTL_BIN" diff -f "$ENV"
expect_match "diff lists a department to create" "$OUT" '^\+ department Company/IT/Backend'
expect_match "diff lists the password policy change" "$OUT" 'password_policy: min_length 8 -> 15'

check "apply to an empty platform" "$DAOCTL_BIN" apply -f "$ENV"
expect_match "apply reports the count" "$ERR" 'applied [0-9]+ changes'
check "departments exist" "$DAOCTL_BIN" departments list -o json
expect_eq "five departments (with ancestors)" "$(printf '%s' "$OUT" | jq length)" "5"
check "communities list" "$DAOCTL_BIN" api GET /api/v1/communities
expect_eq "two communities" "$(printf '%s' "$OUT" | jq '.items | length')" "2"
expect_eq "community owner resolved from an e-mail" \
  "$(printf '%s' "$OUT" | jq -r '.items[] | select(.external_id=="welcome") | .owners | length')" "1"
check "posts list" "$DAOCTL_BIN" api GET /api/v1/posts
expect_eq "the seed post, by its author and community" \
  "$(printf '%s' "$OUT" | jq -c '[.items[] | [.external_id, .type, .pinned, (.author_id | length > 0), (.community_id | length > 0)]]')" \
  '[["hello","news",true,true,true]]'
check "logo stored" "$DAOCTL_BIN" api GET /api/v1/settings/branding
expect_eq "logo_url set" "$(printf '%s' "$OUT" | jq -r .logo_url)" "/api/v1/settings/branding/logo"

expect_exit 0 "second apply changes nothing (exit 0)" "$DAOCTL_BIN" apply -f "$ENV"
expect_match "second apply says no changes" "$ERR" 'no changes'
expect_exit 0 "diff after apply is empty (exit 0)" "$DAOCTL_BIN" diff -f "$ENV"
expect_eq "diff prints nothing" "$OUT" ""

# One field changed in the file: exactly one change.
sed 's/name: Helper}/name: Helper of the month}/' "$ENV" >"$E2E_DIR/env/env2.yaml"
expect_exit 8 "one changed field is pending" "$DAOCTL_BIN" diff -f "$E2E_DIR/env/env2.yaml" -o json
expect_eq "exactly one change" "$(printf '%s' "$OUT" | jq length)" "1"
expect_eq "it is the badge name" "$(printf '%s' "$OUT" | jq -c '.[0] | [.action, .kind, .key, .fields[0].field, .fields[0].to]')" \
  '["update","badge","helper","name","Helper of the month"]'
check "apply the one change" "$DAOCTL_BIN" apply -f "$E2E_DIR/env/env2.yaml"
expect_match "one change applied" "$ERR" 'applied 1 change from'

# Objects not in the file are left alone, and removed only with --prune (after a diff lists them).
check "an extra badge made by hand" "$DAOCTL_BIN" api POST /api/v1/badges -d '{"name": "Hand made", "external_id": "manual"}'
expect_exit 0 "without --prune the extra badge is no change" "$DAOCTL_BIN" diff -f "$E2E_DIR/env/env2.yaml"
expect_exit 8 "with --prune the diff lists the deletion" "$DAOCTL_BIN" diff -f "$E2E_DIR/env/env2.yaml" --prune
expect_eq "the deletion is the extra badge" "$OUT" "- badge manual"
expect_exit 5 "prune without --yes and without a terminal is a safety stop" "$DAOCTL_BIN" apply -f "$E2E_DIR/env/env2.yaml" --prune
check "prune with --yes" "$DAOCTL_BIN" apply -f "$E2E_DIR/env/env2.yaml" --prune --yes
check "badges after prune" "$DAOCTL_BIN" api GET /api/v1/badges
expect_eq "the extra badge is gone" "$(printf '%s' "$OUT" | jq -c '[.items[].external_id] | sort')" '["helper","mentor"]'

# Export, apply to a fresh platform, diff: no changes.
check "export-env" "$DAOCTL_BIN" export-env -O "$E2E_DIR/export/env.yaml"
expect_match "export names the logo file" "$(cat "$E2E_DIR/export/env.yaml")" 'logo: \./env\.logo\.svg'
expect_exit 0 "the export diffs clean against its source" "$DAOCTL_BIN" diff -f "$E2E_DIR/export/env.yaml"
stop_sim
start_sim --data "$E2E_DIR/sim2"
expect_eq "a second, fresh platform" "$([ "$SIM_URL" != "$FIRST_SIM" ] || [ -n "$SIM_URL" ] && echo fresh)" "fresh"
check "apply the export to a fresh platform" "$DAOCTL_BIN" apply -f "$E2E_DIR/export/env.yaml"
expect_exit 0 "no diff after the round trip" "$DAOCTL_BIN" diff -f "$E2E_DIR/export/env.yaml"
expect_exit 0 "the original file also matches the fresh platform" "$DAOCTL_BIN" diff -f "$E2E_DIR/env/env2.yaml"

# File errors: every one named with file:line:column, nothing sent.
cat >"$E2E_DIR/env/bad-key.yaml" <<'YAML'
version: 1
branding:
  primary_color: "#0B5FFF"
  colour_scheme: dark
YAML
expect_exit 2 "an unknown key is a config error" "$DAOCTL_BIN" apply -f "$E2E_DIR/env/bad-key.yaml"
expect_match "the unknown key is named with line and column, in the file's words" "$ERR" "bad-key\.yaml:[0-9]+:[0-9]+: unknown key 'colour_scheme'"
expect_match "the position is the unknown key's own line and column" "$ERR" "bad-key\.yaml:4:3: unknown key 'colour_scheme' \(expected one of [a-z_, ]*primary_color"
cat >"$E2E_DIR/env/bad-values.yaml" <<'YAML'
version: 1
policies:
  password: {min_length: 4, lockout_minutes: 15}
branding:
  primary_color: "#12345"
YAML
expect_exit 2 "bad values are a config error" "$DAOCTL_BIN" diff -f "$E2E_DIR/env/bad-values.yaml"
expect_match "tiny min_length at its line and column" "$ERR" 'bad-values\.yaml:3:[0-9]+: /policies/password/min_length'
expect_match "lockout without threshold is a contradiction" "$ERR" 'lockout_minutes is set but lockout_threshold is 0'
expect_match "bad colour at its line" "$ERR" 'bad-values\.yaml:5:[0-9]+: /branding/primary_color.*#rgb or #rrggbb'
cp "$FIX/photo-really-jpeg.png" "$E2E_DIR/env/branding/jpeg.png"
printf 'version: 1\nbranding:\n  logo: ./branding/jpeg.png\n' >"$E2E_DIR/env/bad-logo.yaml"
expect_exit 1 "a JPEG named .png is refused by content" "$DAOCTL_BIN" apply -f "$E2E_DIR/env/bad-logo.yaml"
expect_match "the logo's place in the file is named" "$ERR" 'bad-logo\.yaml:3:[0-9]+: branding\.logo .*JPEG image'

finish
