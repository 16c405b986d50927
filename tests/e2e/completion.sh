#!/usr/bin/env bash
# Dynamic completion (issue 19) in the real shells: the generated bash, zsh
# and fish scripts ask the hidden `daoctl __complete` for contexts, job files
# and directories (no space after a directory), backup ids, user and group
# names from daoctl-sim. A platform that never answers costs at most ~2 s and
# prints nothing into the shell; names are cached in the state dir.
source "$(dirname "$0")/lib.sh"
D=$DAOCTL_BIN
export PATH="$(dirname "$D"):$PATH"   # the scripts run `daoctl __complete`
export DAOCTL_STATE_DIR="$E2E_DIR/state"
for sh in zsh fish; do command -v $sh >/dev/null || { failed "$sh is installed (scripts/install-deps.sh)"; finish; exit 1; }; done

start_sim
mkuser e2e.anna anna@corp.example "Anna Petrova" >/dev/null
mkuser e2e.andrei andrei@corp.example "Andrei Sokolov" >/dev/null
mkuser e2e.boris >/dev/null
api_post /scim/v2/Groups '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"e2e-hr"}' >/dev/null
check "a backup to complete" "$D" backup create --wait --note completion -o json
BACKUP_ID=$(jq -r '.backup_id // .backup.id // .id // empty' <<<"$OUT")
[ -n "$BACKUP_ID" ] || BACKUP_ID=$("$D" backup list -o json | jq -r '.[0].id')
echo "secret-not-used" >"$E2E_DIR/token"
chmod 600 "$E2E_DIR/token"
mkdir -p "$XDG_CONFIG_HOME/daoctl"
cat >"$XDG_CONFIG_HOME/daoctl/config.yaml" <<YAML
current-context: sim-prod
contexts:
  - name: sim-prod
    url: $SIM_URL
    token_command: printf %s $DAOCTL_SIM_TOKEN
  - name: sim-staging
    url: http://127.0.0.1:9/
    token_file: $E2E_DIR/token
YAML
chmod 600 "$XDG_CONFIG_HOME/daoctl/config.yaml"
unset DAOCTL_URL DAOCTL_TOKEN   # the context's URL and token are used
mkdir -p "$E2E_DIR/jobs/nightly" "$E2E_DIR/jobs/hr exports"
touch "$E2E_DIR/jobs/sync.yaml" "$E2E_DIR/jobs/env.json" "$E2E_DIR/jobs/readme.txt"
J="$E2E_DIR/jobs"

"$D" completion bash >"$E2E_DIR/daoctl.bash"
"$D" completion zsh >"$E2E_DIR/_daoctl"
"$D" completion fish >"$E2E_DIR/daoctl.fish"

# bash: COMPREPLY of _daoctl for WORDS (the last is the word under the
# cursor); compopt is recorded as "compopt ARGS" lines on stdout.
complete_bash() {
  bash -c 'source "$1"; shift; compopt() { echo "compopt $*"; }; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _daoctl 2>&1; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$E2E_DIR/daoctl.bash" "$@"
}
# zsh: the script loaded as zsh loads it (bashcompinit), run as zsh's
# completion system runs it; compadd prints each match with its suffix in
# brackets: "[ ]" a space follows, "[]" nothing does.
complete_zsh() {
  zsh -fc '
    autoload -U compinit && compinit -u -D
    source "$1"; shift
    compadd() {
      local s="[?]"
      while [[ $# -gt 0 && $1 != - ]]; do
        case $1 in -S) s="[$2]"; shift 2 ;; *) shift ;; esac
      done
      [[ $1 == - ]] && shift
      local m; for m in "$@"; do [[ -n $m && $m == ${PREFIX}* ]] && print -r -- "$m$s"; done
    }
    words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}
    eval "${_comps[daoctl]}"' _ "$E2E_DIR/_daoctl" "$@" 2>&1
}
complete_fish() { fish -c "source '$E2E_DIR/daoctl.fish'; complete -C '$1'" 2>&1; }

has() {  # OUTPUT VALUE: a line that is VALUE, or VALUE<TAB>description (fish)
  local line
  while IFS= read -r line; do
    [ "$line" = "$2" ] && return 0
    [ "${line%%	*}" = "$2" ] && [ "$line" != "${line%%	*}" ] && [[ $2 != *"	"* ]] && return 0
  done <<<"$1"
  return 1
}
expect_has() {  # NAME OUTPUT LINE
  if has "$2" "$3"; then pass "$1"; else failed "$1" "expected the line: $3" "got: ${2:0:1500}"; fi
}
expect_hasnt() {
  if has "$2" "$3"; then failed "$1" "did not expect: $3" "got: ${2:0:1500}"; else pass "$1"; fi
}

# --- the hidden command itself
check "__complete answers" "$D" __complete users get e2e.a
expect_eq "__complete: user names from the platform, with display names" "$(sort <<<"$OUT")" \
  "$(printf ':4\ne2e.andrei\tAndrei Sokolov\ne2e.anna\tAnna Petrova')"
expect_eq "__complete: nothing on stderr" "$ERR" ""
CACHE=$(ls "$DAOCTL_STATE_DIR"/cache/complete-users-*.json 2>/dev/null | head -n1)
expect_match "__complete: the names are cached in the state dir" "$CACHE" "/cache/complete-users-[0-9a-f]{16}\.json$"
expect_eq "__complete: the cache is private" "$(stat -c %a "$CACHE" 2>/dev/null)" "600"
expect_no_match "__complete: the cache holds no token" "$(cat "$CACHE")" "$DAOCTL_SIM_TOKEN"
check "__complete: backup ids" "$D" __complete backup download ""
expect_match "__complete: the backup id with its state" "$OUT" "^$BACKUP_ID	ready "
check "__complete: group names" "$D" __complete groups add-member ""
expect_match "__complete: the group" "$OUT" "^e2e-hr$"
check "__complete: users after the group" "$D" __complete groups add-member e2e-hr e2e.b
expect_match "__complete: the user after the group" "$OUT" "^e2e.boris$"
check "__complete: contexts" "$D" __complete config use-context sim-
expect_eq "__complete: both contexts" "$OUT" "$(printf 'sim-prod\nsim-staging\n:4')"

# --- bash
R=$(complete_bash daoctl users get e2e.an)
expect_has "bash: users get completes user names" "$R" "e2e.anna"
expect_has "bash: ... all that match" "$R" "e2e.andrei"
expect_hasnt "bash: ... without descriptions" "$R" "e2e.anna	Anna Petrova"
R=$(complete_bash daoctl backup verify "")
expect_has "bash: backup verify completes backup ids" "$R" "$BACKUP_ID"
R=$(complete_bash daoctl backup restore "")
expect_has "bash: backup restore completes backup ids" "$R" "$BACKUP_ID"
R=$(complete_bash daoctl groups get e2e)
expect_has "bash: groups get completes group names" "$R" "e2e-hr"
R=$(complete_bash daoctl --context "")
expect_has "bash: --context completes contexts" "$R" "sim-staging"
R=$(complete_bash daoctl config use-context sim-s)
expect_eq "bash: config use-context completes contexts" "$R" "sim-staging"
R=$(complete_bash daoctl sync plan -f "$J/")
expect_has "bash: -f offers job files" "$R" "$J/sync.yaml"
expect_has "bash: -f offers JSON job files" "$R" "$J/env.json"
expect_has "bash: -f offers directories with a slash" "$R" "$J/nightly/"
expect_hasnt "bash: -f leaves out other files" "$R" "$J/readme.txt"
R=$(complete_bash daoctl sync plan -f "$J/ni")
expect_eq "bash: a single directory: no space after it" "$R" "$(printf 'compopt -o nospace\n%s' "$J/nightly/")"
R=$(complete_bash daoctl sync plan -f "$J/sy")
expect_eq "bash: a single file: a space after it (no nospace)" "$R" "$J/sync.yaml"
R=$(complete_bash daoctl stats export -o n)
expect_eq "bash: -o offers the command's own formats" "$R" "ndjson"
R=$(complete_bash daoctl users li)
expect_eq "bash: the static parts still work" "$R" "list"

# --- zsh
R=$(complete_zsh daoctl users get e2e.an)
expect_has "zsh: users get completes user names, a space after" "$R" "e2e.anna[ ]"
R=$(complete_zsh daoctl sync plan -f "$J/ni")
expect_has "zsh: a directory gets no space after it" "$R" "$J/nightly/[]"
R=$(complete_zsh daoctl sync plan -f "$J/sy")
expect_has "zsh: a file gets a space" "$R" "$J/sync.yaml[ ]"
R=$(complete_zsh daoctl --context sim-p)
expect_has "zsh: --context completes contexts" "$R" "sim-prod[ ]"
R=$(complete_zsh daoctl backup download "")
expect_has "zsh: backup download completes ids" "$R" "$BACKUP_ID[ ]"
R=$(complete_zsh daoctl sync pl)
expect_has "zsh: the static parts still work" "$R" "plan[ ]"

# --- fish
R=$(complete_fish "daoctl users get e2e.an")
expect_has "fish: users get completes user names with descriptions" "$R" "e2e.anna	Anna Petrova"
R=$(complete_fish "daoctl groups remove-member e2e-hr e2e.b")
expect_has "fish: remove-member completes users after the group" "$R" "e2e.boris"
R=$(complete_fish "daoctl backup show ")
expect_match "fish: backup show completes ids" "$R" "^$BACKUP_ID	ready"
R=$(complete_fish "daoctl config use-context ")
expect_has "fish: use-context completes contexts" "$R" "sim-staging"
R=$(complete_fish "daoctl --context sim-")
expect_has "fish: --context completes contexts" "$R" "sim-prod"
R=$(complete_fish "daoctl sync apply -f $J/")
expect_has "fish: -f offers directories" "$R" "$J/nightly/"
expect_has "fish: -f offers job files" "$R" "$J/sync.yaml"
expect_hasnt "fish: -f leaves out other files" "$R" "$J/readme.txt"
R=$(complete_fish "daoctl sync pl")
expect_match "fish: the static parts still work" "$R" "^plan"

# --- the cache answers when the platform is gone; a platform that never
# answers costs ~2 s at most and prints nothing.
stop_sim
check "cache: users come from the cache with the platform down" "$D" __complete users get e2e.bo
expect_eq "cache: the cached user" "$OUT" "$(printf 'e2e.boris\n:4')"
# A stale cache (an hour old: past its minute) is asked about again; with the
# platform down, the stale names are still offered rather than none.
jq '.fetched -= 3600' "$CACHE" >"$CACHE.new" && mv "$CACHE.new" "$CACHE" && chmod 600 "$CACHE"
check "stale cache: users come from it with the platform down" "$D" __complete users get e2e.bo
expect_eq "stale cache: the cached user" "$OUT" "$(printf 'e2e.boris\n:4')"
expect_eq "stale cache: kept as it was (nothing newer was learned)" "$(jq -r '.fetched < (now - 3000)' "$CACHE")" "true"
start_http_peer SILENT silent silent
START=$(date +%s%N)
run "$D" __complete --url "$SILENT" users get e2e.
MS=$(( ($(date +%s%N) - START) / 1000000 ))
expect_eq "silent platform: exit 0" "$STATUS" "0"
expect_eq "silent platform: no candidates" "$OUT" ":4"
expect_eq "silent platform: nothing on stderr" "$ERR" ""
if [ "$MS" -le 3000 ]; then pass "silent platform: gave up in $MS ms (<= 3000)"; else failed "silent platform: took $MS ms"; fi
START=$(date +%s%N)
R=$(complete_bash daoctl --url "$SILENT" groups get "" 2>&1)
MS=$(( ($(date +%s%N) - START) / 1000000 ))
expect_eq "silent platform, bash: no candidates and no error text" "$R" ""
if [ "$MS" -le 3500 ]; then pass "silent platform, bash: $MS ms"; else failed "silent platform, bash: took $MS ms"; fi
# A token_command that waits for ever (a vault CLI at its login prompt):
# completion stops it at 1.5 s and offers nothing, silently.
cat >"$XDG_CONFIG_HOME/daoctl/config.yaml" <<YAML
current-context: vault
contexts:
  - name: vault
    url: $SILENT
    token_command: sleep 30
YAML
chmod 600 "$XDG_CONFIG_HOME/daoctl/config.yaml"
START=$(date +%s%N)
run env -u DAOCTL_TOKEN -u DAOCTL_URL "$D" __complete users get e2e.
MS=$(( ($(date +%s%N) - START) / 1000000 ))
expect_eq "hanging token_command: exit 0, no candidates, no error" "$STATUS:$OUT:$ERR" "0::4:"
if [ "$MS" -le 3000 ]; then pass "hanging token_command: gave up in $MS ms (<= 3000)"; else failed "hanging token_command: took $MS ms"; fi
# A broken config file: no candidates, no error.
echo "contexts: [" >"$XDG_CONFIG_HOME/daoctl/config.yaml"
run "$D" __complete --context ""
expect_eq "broken config: exit 0, no candidates" "$STATUS:$OUT:$ERR" "0::4:"

# --- more names than one page (1,500 seeded users): the first page is not
# all, so what was typed is asked of the platform (SCIM `sw`), and a name
# far past the first 1,000 is offered.
echo "contexts: []" >"$XDG_CONFIG_HOME/daoctl/config.yaml"
"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/big" --users 1500 >/dev/null 2>&1 || failed "daoctl-sim seed 1,500 users"
start_sim --data "$E2E_DIR/big"
api_get() { curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" "$SIM_URL$1"; }
far=$(api_get "/scim/v2/Users?startIndex=1450&count=1" | jq -r '.Resources[0].userName')
first_page=$(api_get "/scim/v2/Users?startIndex=1&count=1000" | jq -r '.Resources[].userName')
prefix=${far:0:$((${#far} - 1))}
expect_eq "the chosen name is not on the first page" "$(grep -cxF "$far" <<<"$first_page")" "0"
rm -f "$DAOCTL_STATE_DIR"/cache/complete-users-*.json
check "many users: completion of a prefix" env DAOCTL_URL="$SIM_URL" DAOCTL_TOKEN="$DAOCTL_SIM_TOKEN" \
  "$D" __complete users get "$prefix"
expect_has "many users: a name past the first page is offered" "$OUT" "$far"
expect_eq "many users: only names with the prefix" "$(grep -v '^:' <<<"$OUT" | cut -f1 | grep -vc "^$prefix")" "0"
expect_eq "many users: the cache remembers the first page is not all" \
  "$(jq -r .complete "$DAOCTL_STATE_DIR"/cache/complete-users-*.json)" "false"

finish
