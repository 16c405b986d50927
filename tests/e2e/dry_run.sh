#!/usr/bin/env bash
# --dry-run (issue 19) on every verb that changes something and has no
# plan/diff verb: users create/update, groups create, branding set/logo/
# favicon, backup create/restore, deprovision user/reactivate, config
# set-context/use-context/delete-context. Each one: exit 0, "dry run: would
# ...; nothing was changed" on stderr, a machine form with -o json, and the
# platform's database, the state directory and the config file byte for byte
# as they were.
source "$(dirname "$0")/lib.sh"
FIX="$DAOCTL_SOURCE_DIR/tests/fixtures/branding"
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 20 >/dev/null 2>&1 || failed "seed 20 users"
start_sim
export DAOCTL_STATE_DIR="$E2E_DIR/state"
DB="$E2E_DIR/sim/platform.db"
[ -f "$DB" ] || failed "the sim keeps its data in $DB"

# What a dry run must not change: every table of the platform (as SQL text),
# the files of the state directory and the config file.
fingerprint() {
  {
    sqlite3 "$DB" .dump
    find "$DAOCTL_STATE_DIR" "$XDG_CONFIG_HOME" -type f -exec sha256sum {} + 2>/dev/null | sort
    ls "$E2E_DIR/sim/backups" 2>/dev/null
  } | sha256sum
}
# dry NAME REGEX CMD...: exit 0, the sentence on stderr, nothing changed.
dry() {
  local name=$1 regex=$2 before
  shift 2
  before=$(fingerprint)
  check "$name" "$@"
  expect_match "$name: says what it would do" "$ERR" "$regex"
  expect_match "$name: and that nothing was changed" "$ERR" "; nothing was changed$"
  expect_eq "$name: platform, state and config unchanged" "$(fingerprint)" "$before"
}

# users create: the request it would send, and a taken name fails as the real run would.
dry "users create --dry-run" "^dry run: would create user dry\\.ivanova; nothing was changed$" \
  "$DAOCTL_BIN" users create --user-name dry.ivanova --email dry.ivanova@corp.example \
  --given-name Ирина --family-name Иванова --dry-run -o json
expect_eq "the machine form says dry_run" "$(jq -r .dry_run <<<"$OUT")" "true"
expect_eq "the machine form has the SCIM body" "$(jq -r .request.body.name.familyName <<<"$OUT")" "Иванова"
expect_eq "the machine form has the method and path" "$(jq -r '.request.method + " " + .request.path' <<<"$OUT")" "POST /scim/v2/Users"
expect_exit 7 "no such user after the dry run" "$DAOCTL_BIN" users get dry.ivanova
TAKEN=$("$DAOCTL_BIN" users list -o json | jq -r '.[0].userName')
expect_exit 1 "a dry run of a taken userName fails as the real run would" "$DAOCTL_BIN" users create \
  --user-name "$TAKEN" --email x@corp.example --given-name A --family-name B --dry-run
expect_match "...naming the user" "$ERR" "the user exists already.*user $TAKEN"

# users update: the changes, in the real run's words.
dry "users update --dry-run" "^dry run: would update user $TAKEN \\(id [^)]+\\): title=Dry Lead, active=false; nothing" \
  "$DAOCTL_BIN" users update "$TAKEN" --set "title=Dry Lead" --set active=false --dry-run -o json
expect_eq "the machine form has the PATCH operations" "$(jq -c '[.request.body.Operations[].path]' <<<"$OUT")" '["title","active"]'
check "the user after the update dry run" "$DAOCTL_BIN" users get "$TAKEN" -o json
expect_eq "still active" "$(jq -r .active <<<"$OUT")" "true"

# groups create
dry "groups create --dry-run" "^dry run: would create group dry-admins; nothing was changed$" \
  "$DAOCTL_BIN" groups create dry-admins --dry-run
expect_eq "table output prints nothing on stdout" "$OUT" ""
expect_exit 7 "no group after the dry run" "$DAOCTL_BIN" groups get dry-admins
BEFORE=$(fingerprint)
check "a real group" "$DAOCTL_BIN" groups create dry-real
# The fingerprint sees a real change (so "unchanged" above means something).
if [ "$(fingerprint)" != "$BEFORE" ]; then pass "a real create changes the fingerprint"; else
  failed "a real create changes the fingerprint"; fi
expect_exit 1 "a dry run of a taken group name fails" "$DAOCTL_BIN" groups create dry-real --dry-run
expect_match "...naming the group" "$ERR" "the group exists already.*group dry-real"

# branding set (it has `branding diff` too) and the image uploads, which have no diff.
dry "branding set --dry-run" "^dry run: would update the branding \\(1 field\\); nothing" \
  "$DAOCTL_BIN" branding set --primary-color '#123456' --dry-run -o json
expect_eq "the diff line is printed as by the real run" "$(grep -c '^~ branding: primary_color' <<<"$ERR")" "1"
expect_eq "the machine form has the change" "$(jq -r '.changes[0].to' <<<"$OUT")" "#123456"
dry "branding logo --dry-run" "^dry run: would upload .*/logo\\.png as the logo \\(PNG, [0-9]+ bytes\\); nothing" \
  "$DAOCTL_BIN" branding logo "$FIX/logo.png" --dry-run -o json
expect_eq "the machine form names the slot's path" "$(jq -r .request.path <<<"$OUT")" "/api/v1/settings/branding/logo"
expect_exit 1 "a dry run still refuses a bad image" "$DAOCTL_BIN" branding logo "$FIX/favicon.ico" --dry-run
check "branding after the dry runs" "$DAOCTL_BIN" branding get -o json
expect_eq "no logo" "$(jq -r .logo_url <<<"$OUT")" "null"

# backup create and restore
dry "backup create --dry-run" "^dry run: would start a backup of db and files on .* \\(20 users\\) with the note \"dry\"; nothing" \
  "$DAOCTL_BIN" backup create --note dry --dry-run -o json
expect_eq "the machine form has the request body" "$(jq -c .request.body <<<"$OUT")" '{"include":["db","files"],"note":"dry"}'
check "backup list after the dry run" "$DAOCTL_BIN" backup list -o json
expect_eq "no backup was made" "$(jq length <<<"$OUT")" "0"
check "a real backup" "$DAOCTL_BIN" backup create --wait -o json
BID=$(jq -r .id <<<"$OUT")
check "a user made after the backup" "$DAOCTL_BIN" users create --user-name dry.after --email dry.after@corp.example \
  --given-name A --family-name B
dry "backup restore --dry-run needs no confirmation" "^dry run: would replace all data on $SIM_URL with backup $BID; nothing" \
  "$DAOCTL_BIN" backup restore "$BID" --dry-run -o json </dev/null
expect_eq "the machine form names the backup" "$(jq -r .backup_id <<<"$OUT")" "$BID"
check "the user made after the backup is still there" "$DAOCTL_BIN" users get dry.after
expect_exit 7 "a dry run of an unknown backup fails as the real run would" "$DAOCTL_BIN" backup restore 999999 --dry-run

# deprovision user and reactivate (ad hoc: no job file)
U=$("$DAOCTL_BIN" users list -o json | jq -r '.[3].userName')
dry "deprovision user --dry-run needs no confirmation" \
  "^dry run: would offboard user $U \\(id [^)]+\\): block, revoke_sessions, revoke_tokens now; remove_from_groups, archive now; nothing" \
  "$DAOCTL_BIN" deprovision user "$U" --dry-run -o json </dev/null
expect_eq "the machine form lists the steps" "$(jq -c '[.now, .then]' <<<"$OUT")" \
  '[["block","revoke_sessions","revoke_tokens"],["remove_from_groups","archive"]]'
check "$U after the dry run" "$DAOCTL_BIN" users get "$U" -o json
expect_eq "$U still active" "$(jq -r .active <<<"$OUT")" "true"
check "deprovision user for real" "$DAOCTL_BIN" deprovision user "$U" --yes
dry "deprovision reactivate --dry-run" "^dry run: would reactivate user $U \\(id [^)]+\\) and cancel its pending deprovisioning steps; nothing" \
  "$DAOCTL_BIN" deprovision reactivate "$U" --dry-run -o json
expect_eq "the machine form says who blocked it" "$(jq -r .blocked_by <<<"$OUT")" "manual:$(id -un)"
check "$U after the reactivate dry run" "$DAOCTL_BIN" users get "$U" -o json
expect_eq "$U still blocked" "$(jq -r .active <<<"$OUT")" "false"

# config: set-context, use-context, delete-context (the file keeps its comments).
CFG="$XDG_CONFIG_HOME/daoctl/config.yaml"
check "a first context" "$DAOCTL_BIN" config set-context one --url https://one.example
check "a second context" "$DAOCTL_BIN" config set-context two --url https://two.example -o json
expect_eq "set-context -o json prints the context it wrote" "$(jq -r .context.url <<<"$OUT")" "https://two.example"
sed -i '1i # my contexts' "$CFG"
dry "set-context --dry-run" "^dry run: would create context three in $CFG and make it current; nothing" \
  "$DAOCTL_BIN" config set-context three --url https://three.example --use --dry-run -o json
expect_eq "the machine form has the context" "$(jq -r .context.url <<<"$OUT")" "https://three.example"
dry "use-context --dry-run" "^dry run: would switch to context two; nothing" \
  "$DAOCTL_BIN" config use-context two --dry-run
dry "delete-context --dry-run" "^dry run: would delete context one from $CFG \\(it was the current one\\); nothing" \
  "$DAOCTL_BIN" config delete-context one --dry-run -o json
expect_eq "the machine form names the deleted context" "$(jq -r .deleted <<<"$OUT")" "one"
check "delete-context" "$DAOCTL_BIN" config delete-context one
check "contexts after the delete" "$DAOCTL_BIN" config get-contexts -o json
expect_eq "only two is left" "$(jq -c '[.[].name]' <<<"$OUT")" '["two"]'
expect_eq "the comment stayed" "$(head -n1 "$CFG")" "# my contexts"
expect_exit 7 "delete of an unknown context is not found" "$DAOCTL_BIN" config delete-context nope --dry-run
finish
