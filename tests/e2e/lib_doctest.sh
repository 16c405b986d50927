# Shared by the doctests (readme_doctest.sh, man_doctest.sh): the reader's
# files and people, the stand-ins for `daoctl`, `daoctl-sim` and `man`, and
# doc_check. Sourced after lib.sh; starts the simulator.
command -v python3 >/dev/null || { echo "readme_doctest: python3 is required (scripts/install-deps.sh)" >&2; exit 1; }
command -v zip >/dev/null || { echo "readme_doctest: zip is required (scripts/install-deps.sh)" >&2; exit 1; }
SRC=$DAOCTL_SOURCE_DIR
RD="$DAOCTL_SHARED_DIR/realdata"
W="$E2E_DIR/w"
mkdir -p "$W/etc/daoctl" "$W/var/lib/daoctl" "$W/var/lib/node_exporter/textfile" "$W/var/lib/node_exporter"
export DAOCTL_STATE_DIR="$W/var/lib/daoctl/state"
start_sim

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
h: petrov.p
YAML
# Files the commands' own examples name (man_doctest.sh).
cp "$W/rules.yaml" "$W/keywords.yaml"
printf 'min_length: 15\nhistory: 5\nlockout_threshold: 10\nlockout_minutes: 15\n' >"$W/password.yaml"
printf 'mode: domains\nallowed_domains: [corp.example]\n' >"$W/registration.yaml"
printf 'primary_color: "#0B5FFF"\nbackground_color: "#FFFFFF"\n' >"$W/branding.yaml"
cp "$RD/wordpress-importer/phpunit/data/valid-wxr-1.1.xml" "$W/wordpress.xml"
cat >"$W/content.yaml" <<'YAML'
version: 1
namespace: welcome
users:
  - {key: h, userName: petrov.p}
communities:
  - {id: c, name: Новости компании}
posts:
  - {id: p1, author: h, community: c, body: "Добро пожаловать!", created_at: "2026-01-01T10:00:00Z"}
YAML
{
  echo '{"kind":"header","version":1,"namespace":"jl"}'
  echo '{"kind":"user","key":"h","userName":"petrov.p"}'
  echo '{"kind":"community","id":"c","name":"Streamed"}'
  echo '{"kind":"post","id":"p1","author":"h","community":"c","body":"line 1","created_at":"2021-01-01T00:00:00Z"}'
} >"$W/export.jsonl"
# The people the examples name, on whichever platform data the simulator serves.
make_people() {
  mkuser ivanov.i "" "Иван Иванов" >/dev/null
  mkuser petrov.p "" "Пётр Петров" >/dev/null
  mkuser admin "" "Administrator" >/dev/null
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

# Checks what a command line wrote. Args: file:line, expected exit, exit, command text.
doc_check() {
  local where=$1 want=$2 got=$3 cmd=$4 name f
  name="$where: ${cmd:0:110}"
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

