#!/usr/bin/env bash
# README doctest: every command line in README.md's ```sh blocks runs, as
# written, against a real daoctl-sim, in the order a reader meets them; a
# README example that fails fails CI (issue 19, "Docs that run").
#
# How a block is run (tests/e2e/readme_doctest.py turns README.md into one
# bash script, sourced here so `export` lines carry over like in a shell):
#  - Each command (continuation lines joined) must exit 0, or the code its
#    comment states: `... --detailed-exitcode   # exit 8: changes pending`.
#  - `daoctl` and `daoctl-sim` are the binaries under test. `daoctl-sim
#    seed --data D` seeds D and from then on the harness's simulator serves D
#    (DAOCTL_URL follows), as a reader would start it; `daoctl-sim --listen`
#    must print its URL within 30 s and is then stopped. `man SECTION PAGE`
#    renders the checked-in page from man/ (the pages are not installed here).
#  - Paths a reader's machine has are mapped into the test's directory, and
#    nothing else is changed: https://intranet.example.com -> the simulator,
#    /etc/daoctl/ /var/lib/ /tmp/sim -> under $W, 127.0.0.1:8080 ->
#    127.0.0.1:0 (a free port).
#  - Files the examples name (nightly.yaml, env.yaml, rules.yaml, logo.svg,
#    mattermost.jsonl, slack-export.zip, export.xml, authors.yaml) are made
#    below from examples/ and ../shared/realdata, and the people the examples
#    name (ivanov.i, petrov.p, intranet-admins) exist on the platform.
#  - `<!-- doctest: setup: CMD -->` before a block runs CMD first (must pass);
#    `<!-- doctest: skip: WHY -->` leaves a block out and says why in the
#    output; every ```sh block without it is run.
#  - What a command writes with -O/--out/--summary-file/--metrics-file must
#    exist and not be empty, and a CSV must have a row below its header.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "readme_doctest: python3 is required (scripts/install-deps.sh)" >&2; exit 1; }
command -v zip >/dev/null || { echo "readme_doctest: zip is required (scripts/install-deps.sh)" >&2; exit 1; }
SRC=$DAOCTL_SOURCE_DIR
RD="$DAOCTL_SHARED_DIR/realdata"
W="$E2E_DIR/w"
mkdir -p "$W/etc/daoctl" "$W/var/lib/daoctl" "$W/var/lib/node_exporter/textfile" "$W/var/lib/node_exporter"
export DAOCTL_STATE_DIR="$W/var/lib/daoctl/state"
start_sim

api_post() {
  curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" -H "Content-Type: ${3:-application/scim+json}" \
    -d "$2" "$SIM_URL$1"
}
mkuser() {
  api_post /scim/v2/Users "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"$1\",\"displayName\":\"$2\",\"emails\":[{\"value\":\"$1@corp.example\",\"primary\":true}]}" >/dev/null
}
# ---------------------------------------------------------------- the reader's files
install -m 600 /dev/null "$W/etc/daoctl/prod.token"
printf '%s\n' "$DAOCTL_SIM_TOKEN" >"$W/etc/daoctl/prod.token"
# The nightly job: the demo's 1C export, with deprovisioning as the README
# describes it (dismissal date column, block now, groups after 30 days).
cp "$SRC/examples/demo/employees.csv" "$W/employees.csv"
sed -e 's/^name: demo-employees/name: nightly/' "$SRC/examples/demo/sync.yaml" >"$W/nightly.yaml"
cat >>"$W/nightly.yaml" <<'YAML'
deprovision:
  dismissed_when:
    - "hr.'Дата увольнения' | date('dd.MM.yyyy') <= today"
  now: [block, revoke_sessions]
  after_days: 30
  then: [remove_from_groups]
YAML
cp -r "$SRC/examples/env.yaml" "$SRC/examples/branding" "$W/"
cp "$SRC/examples/branding/logo.svg" "$W/logo.svg"
cat >"$W/rules.yaml" <<'YAML'
- {pattern: "(?i)паспорт\\s*\\d{4}\\s*\\d{6}", action: flag, scope: all}
YAML
cp "$RD/zulip/zerver/tests/fixtures/mattermost_fixtures/export.json" "$W/mattermost.jsonl"
(cd "$RD/zulip/zerver/tests/fixtures/slack_fixtures/test_slack_importer" && zip -qr "$W/slack-export.zip" .)
cp "$RD/wordpress-importer/phpunit/data/valid-wxr-1.1.xml" "$W/export.xml"
cat >"$W/authors.yaml" <<'YAML'
harry@zulip.com: petrov.p
YAML
# The people the examples name, on whichever platform data the simulator serves.
make_people() {
  mkuser ivanov.i "Иван Иванов"
  mkuser petrov.p "Пётр Петров"
  mkuser admin "Administrator"
  api_post /scim/v2/Groups '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"intranet-admins"}' >/dev/null
}
make_people

# ---------------------------------------------------------------- the commands' stand-ins
daoctl() { "$DAOCTL_BIN" "$@"; }
daoctl-sim() {
  case "${1:-}" in
    seed)
      "$DAOCTL_SIM_BIN" "$@" || return
      local a data=""
      for a in "$@"; do [ "$data" = next ] && data=$a; [ "$a" = --data ] && data=next; done
      stop_sim
      start_sim --data "$data"
      make_people
      echo "readme_doctest: the simulator now serves $data at $SIM_URL" >&2 ;;
    *)
      if [[ " $* " == *" --listen "* ]]; then
        local log="$E2E_DIR/listen.$RANDOM" pid url
        "$DAOCTL_SIM_BIN" "$@" >"$log" 2>&1 &
        pid=$!
        url=$(wait_for_line "$log" 'https?://127\.0\.0\.1:[0-9]+' 30)
        kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
        [ -n "$url" ] && echo "$url"
        [ -n "$url" ]
      else
        "$DAOCTL_SIM_BIN" "$@"
      fi ;;
  esac
}
man() {
  local sec=1 page
  [[ "$1" =~ ^[0-9]$ ]] && { sec=$1; shift; }
  page="$SRC/man/$1.$sec"
  [ -s "$page" ] || { echo "man: no page $1($sec) in man/" >&2; return 16; }
  if command -v groff >/dev/null; then groff -man -Tutf8 -ww -z "$page"; fi
}

# Checks what a command line wrote. Args: line number, expected exit, exit, command text.
doc_check() {
  local line=$1 want=$2 got=$3 cmd=$4 name f
  name="README.md:$line: ${cmd:0:110}"
  if [ "$got" -ne "$want" ]; then
    failed "$name" "expected exit $want, got $got" "stdout: $(head -c 1500 "$E2E_DIR/doc.out")" \
      "stderr: $(head -c 1500 "$E2E_DIR/doc.err")"
    return
  fi
  if [ "$(tr -d ' \n' <"$E2E_DIR/doc.out")" = "[]" ]; then
    failed "$name" "it printed an empty list"; return; fi
  for f in $(grep -oE '(-O|--out|--summary-file|--metrics-file|--output-file)[ =][^ ]+' <<<"$cmd" | sed -E 's/^[^ =]+[ =]//'); do
    f=${f/#\/var\/lib\//$W/var/lib/}
    [ -d "$f" ] && continue
    if [ ! -s "$f" ]; then failed "$name" "it should have written $f"; return; fi
    if [[ "$f" == *.csv ]] && [ "$(wc -l <"$f")" -lt 2 ]; then
      failed "$name" "$f has no row below its header:" "$(head -c 500 "$f")"; return; fi
  done
  pass "$name"
}

cd "$W" || exit 1
# The harness first proves it can fail: a README whose examples are wrong
# (a missing user, a wrong stated exit code, a CSV with no row) fails three checks.
cat >"$E2E_DIR/wrong.md" <<'MD'
```sh
daoctl users get no.such.person
daoctl sync validate -f nightly.yaml   # exit 3: stated wrongly
daoctl stats export activity --from 2001-01-01 --to 2001-02-01 -O empty.csv
```
MD
wrong=$( E2E_PASSED=0 E2E_FAILED=0
  # shellcheck disable=SC1090
  source <(python3 "$HERE/readme_doctest.py" "$E2E_DIR/wrong.md" "$W") 2>/dev/null >/dev/null
  echo "$E2E_FAILED" )
expect_eq "the doctest fails a README whose examples are wrong (3 of 3)" "$wrong" "3"
script="$E2E_DIR/readme.sh"
python3 "$HERE/readme_doctest.py" "$SRC/README.md" "$W" >"$script" || {
  failed "README.md parses into runnable blocks"; finish; exit 1; }
# shellcheck disable=SC1090
source "$script"
cd "$E2E_DIR" || exit 1
expect_match "README: every runnable block ran (none silently dropped)" "$DOC_BLOCKS_RUN" '^[1-9][0-9]*$'
finish
