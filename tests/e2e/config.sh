#!/usr/bin/env bash
# config: contexts, precedence, secret file permissions, token_command.
source "$(dirname "$0")/lib.sh"
start_sim
CFG="$XDG_CONFIG_HOME/daoctl/config.yaml"
SIM_TOKEN=$DAOCTL_TOKEN
unset DAOCTL_URL DAOCTL_TOKEN

TOKEN_FILE="$E2E_DIR/sim.token"
printf '%s\n' "$SIM_TOKEN" >"$TOKEN_FILE"
chmod 600 "$TOKEN_FILE"

check "set-context with a token file" "$DAOCTL_BIN" config set-context sim --url "$SIM_URL" --token-file "$TOKEN_FILE"
expect_eq "config file is 0600" "$(stat -c %a "$CFG")" "600"
check "first context becomes current" "$DAOCTL_BIN" config get-contexts
expect_match "current marked" "$OUT" '^\* +sim '
check "commands use the current context" "$DAOCTL_BIN" api GET /api/v1/me
expect_match "me answered" "$OUT" '"subject"'

check "set-context with a token command" "$DAOCTL_BIN" config set-context cmd --url "$SIM_URL" \
  --token-command "cat '$TOKEN_FILE'"
check "--context selects it" "$DAOCTL_BIN" --context cmd api GET /api/v1/me
check "DAOCTL_CONTEXT selects it" env DAOCTL_CONTEXT=cmd "$DAOCTL_BIN" api GET /api/v1/me
check "set-context with a bad token command" "$DAOCTL_BIN" config set-context broken --url "$SIM_URL" \
  --token-command "exit 9"
expect_exit 2 "failing token_command exits 2" "$DAOCTL_BIN" --context broken users list
expect_match "failure names the context" "$ERR" 'token_command failed \(context broken\): it exited with status 9'

check "use-context" "$DAOCTL_BIN" config use-context cmd
check "view" "$DAOCTL_BIN" config view
expect_match "view shows current-context" "$OUT" 'current-context: cmd'
expect_exit 7 "use-context of an unknown name" "$DAOCTL_BIN" config use-context nope
expect_exit 2 "--context of an unknown name" "$DAOCTL_BIN" --context nope users list
expect_match "unknown context lists known ones" "$ERR" 'known contexts: sim, cmd, broken'
# A config file named on purpose that is not there is an error (a typo must
# not quietly fall back to the environment or the defaults); set-context creates it.
expect_exit 2 "--config naming a missing file" "$DAOCTL_BIN" --config "$E2E_DIR/no-such.yaml" users list
expect_match "names the file and the flag" "$ERR" 'the config file does not exist \(.*no-such\.yaml\): named by --config'
expect_exit 2 "DAOCTL_CONFIG naming a missing file, even with DAOCTL_URL set" \
  env DAOCTL_CONFIG="$E2E_DIR/no-such.yaml" DAOCTL_URL="$SIM_URL" DAOCTL_TOKEN="$SIM_TOKEN" "$DAOCTL_BIN" users list
expect_match "names the variable" "$ERR" 'named by DAOCTL_CONFIG'
check "set-context creates a file --config names" "$DAOCTL_BIN" --config "$E2E_DIR/new.yaml" config set-context n --url "$SIM_URL" --token-file "$TOKEN_FILE"
check "which is then used" "$DAOCTL_BIN" --config "$E2E_DIR/new.yaml" api GET /api/v1/me

check "flag beats env beats file: --url wins" env DAOCTL_URL=http://127.0.0.1:1 "$DAOCTL_BIN" --url "$SIM_URL" api GET /api/v1/me
expect_exit 1 "env URL beats the file" env DAOCTL_URL=http://127.0.0.1:1 "$DAOCTL_BIN" --timeout 2 api GET /api/v1/me

chmod 644 "$TOKEN_FILE"
expect_exit 2 "group-readable token file refused" "$DAOCTL_BIN" --context sim users list
expect_match "refusal says chmod 600" "$ERR" "chmod 600 $TOKEN_FILE"
expect_no_match "refusal does not print the token" "$ERR" "$SIM_TOKEN"
chmod 600 "$TOKEN_FILE"

cat >"$CFG" <<YAML
current-context: inline
contexts:
  - name: inline
    url: $SIM_URL
    token: $SIM_TOKEN
YAML
chmod 644 "$CFG"
expect_exit 2 "inline token in a readable config refused" "$DAOCTL_BIN" users list
expect_match "says chmod 600 on the config file" "$ERR" "chmod 600 $CFG"
expect_no_match "refusal never shows the inline token" "$ERR$OUT" "$SIM_TOKEN"
chmod 600 "$CFG"
check "inline token in a 0600 config works" "$DAOCTL_BIN" api GET /api/v1/me
check "view redacts the inline token" "$DAOCTL_BIN" config view
expect_match "REDACTED" "$OUT" 'token: REDACTED'
expect_no_match "no token in view" "$OUT" "$SIM_TOKEN"

chmod 640 "$CFG"
expect_exit 2 "inline token in a group-readable (0640) config refused" "$DAOCTL_BIN" users list
expect_match "the message gives the chmod" "$ERR" "chmod 600 $CFG"
chmod 600 "$CFG"

# What README.md says is checked: a config file naming only a token_file may
# be readable by others (it holds no secret); the token file may not.
cat >"$CFG" <<YAML
current-context: sim
contexts:
  - name: sim
    url: $SIM_URL
    token_file: $TOKEN_FILE
YAML
chmod 644 "$CFG"
check "a readable config naming a private token file is used" "$DAOCTL_BIN" api GET /api/v1/me
# Whoever can write the config file picks the token_command run as you and
# the URL your token goes to: group/other-writable or someone else's file is
# refused whatever it holds, as ssh refuses such a ~/.ssh/config.
chmod 664 "$CFG"
expect_exit 2 "a group-writable config file is refused" "$DAOCTL_BIN" api GET /api/v1/me
expect_eq "the first line names the file and the cause once" "$(head -n1 <<<"$ERR")" \
  "daoctl: error: refusing to use a config file writable by group or others ($CFG): its mode is 664; whoever can write it chooses the token_command run as you and the URL your token goes to"
expect_match "the hint is the chmod to run" "$ERR" "hint: chmod go-w $CFG"
chmod 644 "$CFG"
chown 65534 "$CFG"
expect_exit 2 "a config file owned by another user is refused" "$DAOCTL_BIN" api GET /api/v1/me
expect_match "...naming the owner" "$ERR" "refusing to use a config file owned by another user \\($CFG\\): it is owned by uid 65534, not by you"
chown "$(id -u)" "$CFG"
check "the file is used again once it is yours and not writable by others" "$DAOCTL_BIN" api GET /api/v1/me

# set-context and use-context edit the file line by line: comments stay.
cat >"$CFG" <<YAML
# daoctl contexts: hand-kept notes survive daoctl's edits
current-context: sim   # the default

contexts:
  # the simulator
  - name: sim
    url: $SIM_URL   # started by the test
    token_file: $TOKEN_FILE
# trailing note
YAML
chmod 600 "$CFG"
ORIGINAL=$(cat "$CFG")
check "set-context on a commented file" "$DAOCTL_BIN" config set-context sim --timeout 45
check "set-context adds a context" "$DAOCTL_BIN" config set-context other --url "$SIM_URL" --token-file "$TOKEN_FILE"
check "use-context" "$DAOCTL_BIN" config use-context other
for comment in "# daoctl contexts: hand-kept notes survive daoctl's edits" "# the default" "# the simulator" \
  "# started by the test" "# trailing note"; do
  expect_match "comment kept: $comment" "$(cat "$CFG")" "$comment"
done
expect_match "the changed value is in place, its comment after it" "$(cat "$CFG")" "current-context: other   # the default"
expect_match "the new key sits in its context" "$(cat "$CFG")" "token_file: $TOKEN_FILE"$'\n'"    timeout: 45"
expect_eq "only the edited lines differ" "$(diff <(printf '%s\n' "$ORIGINAL") "$CFG" | grep -c '^[<>]')" "6"
check "the edited file works" "$DAOCTL_BIN" api GET /api/v1/me

printf 'contexts:\n  - name: x\n    url: [oops\n' >"$CFG"
expect_exit 2 "YAML error exits 2" "$DAOCTL_BIN" config view
expect_match "YAML error names file:line:column" "$ERR" "$CFG:[0-9]+:[0-9]+"

finish
