#!/usr/bin/env bash
# Man page doctest: the example of every command (EXAMPLES in man/*.1, the
# `Example:` of each command's help, written by cli/docs.cpp) runs, as
# written, against a real daoctl-sim (issue 19, "Docs that run").
#
# Each example runs on a platform of its own (a fresh daoctl-sim data
# directory with the people the examples name: ivanov.i, petrov.p, admin,
# jdoe, and the group intranet-admins), in a directory holding the files the
# examples name, after the hidden setup the table below gives it. Paths of a
# reader's machine map into the test's directory as in readme_doctest.sh.
# An example must exit 0 unless the table states another code and why; an
# example the table names that no longer exists fails too, so the table
# cannot rot either.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib_doctest.sh"
source "$HERE/lib_ldap.sh"
mkdir -p "$W/var/backups/daoffice" "$W/var/log/daoctl" "$HOME/.local/share/bash-completion/completions" \
  "$XDG_CONFIG_HOME/daoctl" "$HOME/.config/daoctl"
install -m 600 "$W/etc/daoctl/prod.token" "$HOME/.config/daoctl/prod.token"
cp "$W/nightly.yaml" "$W/employees.csv" "$W/etc/daoctl/"

declare -A SETUP WANT WHY RUNS
# ---------------------------------------------------------------- the table
# SETUP[example]: commands run first on that example's platform (must pass).
# WANT[example] / WHY[example]: an exit code other than 0, and why it is right.
SETUP['daoctl backup show 12']='make_backups 12'
SETUP['daoctl backup download 12 --dir /var/backups/daoffice']='make_backups 12'
SETUP['daoctl backup restore 12 --confirm 12']='make_backups 12'
SETUP['daoctl backup verify daoctl-backup-12-20261126T233724Z.tar.zst --read-data']='make_backups 12; daoctl backup download 12 -O daoctl-backup-12-20261126T233724Z.tar.zst'
SETUP['daoctl groups delete intranet-admins --yes']=''
SETUP['daoctl groups remove-member intranet-admins ivanov.i']='daoctl groups add-member intranet-admins ivanov.i'
SETUP['daoctl users reactivate ivanov.i']='daoctl users deactivate ivanov.i'
SETUP['daoctl sync status -f nightly.yaml -o json']='daoctl sync apply -f nightly.yaml'
SETUP['daoctl deprovision reactivate ivanov.i -f nightly.yaml']='daoctl deprovision user ivanov.i -f nightly.yaml --yes'
SETUP['daoctl config get-contexts -o json']='daoctl config set-context prod --url https://intranet.example.com --token-file ~/.config/daoctl/prod.token'
SETUP['daoctl departments tree -o json']='daoctl apply -f env.yaml'
SETUP['daoctl stats export activity --since 30d --group-by department -O activity.csv']='activity_platform'
SETUP['daoctl stats export activity --since 7d -o xlsx -O week.xlsx']='activity_platform'
SETUP['daoctl stats report --since 90d --group-by department -O report.html']='activity_platform'
WANT['daoctl diff -f env.yaml']=8
WHY['daoctl diff -f env.yaml']='a new platform differs from the file'
WANT['daoctl branding diff -f branding.yaml']=8
WHY['daoctl branding diff -f branding.yaml']='the default colours differ from the file'
WANT['daoctl policy password diff -f password.yaml']=8
WHY['daoctl policy password diff -f password.yaml']='the default policy differs from the file'
WANT['daoctl policy registration diff -f registration.yaml']=8
WHY['daoctl policy registration diff -f registration.yaml']='the default registration mode differs'
WANT['daoctl policy keywords diff -f keywords.yaml']=8
WHY['daoctl policy keywords diff -f keywords.yaml']='a new platform has no rules'
SETUP['daoctl config use-context prod']='daoctl config set-context prod --url https://intranet.example.com --token-file ~/.config/daoctl/prod.token'
SETUP['daoctl config delete-context staging']='daoctl config set-context staging --url https://staging.example.com'
# RUNS[example]: a long-running command (a watcher): it must still be running
# after that many seconds, have done the CHECK[example] by then, and end with
# exit 0 on SIGTERM, as under systemd.
declare -A CHECK
SETUP['daoctl sync watch -f /etc/daoctl/directory.yaml --interval 1']='directory_job'
RUNS['daoctl sync watch -f /etc/daoctl/directory.yaml --interval 1']=20
CHECK['daoctl sync watch -f /etc/daoctl/directory.yaml --interval 1']='watched_people_arrived'
WANT['daoctl sync plan -f nightly.yaml --out plan.json --detailed-exitcode']=8
WHY['daoctl sync plan -f nightly.yaml --out plan.json --detailed-exitcode']='changes pending on an empty platform'

# Platforms are made once as templates and copied for each example (the
# simulator is stopped while its directory is copied): "people" holds the
# people the examples name; "backups" also 12 backups (ids count from 1).
make_template() {  # make_template NAME [COMMANDS]
  local dir="$E2E_DIR/template-$1" i
  [ -d "$dir" ] && return 0
  stop_sim
  start_sim --data "$dir"
  make_people
  mkuser jdoe "" "John Doe" >/dev/null
  if [ "$1" = backups ]; then
    for ((i = 0; i < 12; i++)); do "$DAOCTL_BIN" -q backup create --wait >/dev/null || return; done
  fi
  stop_sim
}
make_backups() {  # make_backups 12: the platform of this example gets 12 backups
  [ "$1" = 12 ] || return 2
  make_template backups || return
  use_platform backups
}
use_platform() {
  make_template "$1" || return
  stop_sim
  FRESH=$((${FRESH:-0} + 1))
  cp -a "$E2E_DIR/template-$1" "$E2E_DIR/platform-$FRESH"
  start_sim --data "$E2E_DIR/platform-$FRESH"
  export DAOCTL_STATE_DIR="$E2E_DIR/state-$FRESH"
}
# A platform with 90 days of activity ending today (stats examples).
activity_platform() {
  stop_sim
  FRESH=$((FRESH + 1))
  "$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/platform-$FRESH" --users 200 --departments 10 --activity-days 90 \
    --activity-until today 2>/dev/null || return
  start_sim --data "$E2E_DIR/platform-$FRESH"
}
# A directory for the watcher's example: slapd with syncprov (started once)
# holding three people, and the job /etc/daoctl/directory.yaml following it.
directory_job() {
  if [ -z "${LDAP_URL:-}" ]; then
    local b="dc=corp,dc=test" i
    {
      printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n' "$b"
      printf 'dn: ou=People,%s\nobjectClass: organizationalUnit\nou: People\n\n' "$b"
      for i in 1 2 3; do
        printf 'dn: uid=watched%s,ou=People,%s\nobjectClass: inetOrgPerson\nuid: watched%s\ncn: Watched %s\nsn: W\nmail: watched%s@corp.example\n\n' \
          "$i" "$b" "$i" "$i" "$i"
      done
    } >"$E2E_DIR/directory.ldif"
    start_slapd "$E2E_DIR/slapd" "$E2E_DIR/directory.ldif" "${LDAP_SYNCPROV[@]}" || {
      failed "slapd with syncprov starts for the watcher's example"; finish; exit 1; }
  fi
  printf '%s' "$LDAP_BIND_PASSWORD" >"$W/etc/daoctl/directory.pass"
  chmod 600 "$W/etc/daoctl/directory.pass"
  cat >"$W/etc/daoctl/directory.yaml" <<YAML
version: 1
name: directory
sources:
  ldap:
    type: ldap
    url: $LDAP_URL
    bind_dn: "$LDAP_BIND_DN"
    bind_password_file: directory.pass
    base_dn: "ou=People,dc=corp,dc=test"
mapping:
  externalId: "{ldap.entryUUID}"
  userName: "{ldap.uid}"
  email: "{ldap.mail | first | lower}"
  displayName: "{ldap.cn}"
YAML
}
watched_people_arrived() {
  [ "$("$DAOCTL_BIN" users list -o json | jq '[.[] | select(.userName | startswith("watched"))] | length')" = 3 ]
}

# A platform of its own for every example.
fresh_platform() { use_platform people; }

map_paths() {
  local c=$1
  c=${c//https:\/\/intranet.example.com/$SIM_URL}
  c=${c//\/etc\/daoctl\//$W/etc/daoctl/}
  c=${c//\/var\/lib\//$W/var/lib/}
  c=${c//\/var\/backups\//$W/var/backups/}
  c=${c//\/var\/log\//$W/var/log/}
  printf '%s' "$c"
}

declare -A SEEN
doc_example() {
  local where=$1 cmd=$2 want=${WANT[$2]:-0} rc=0
  SEEN[$cmd]=1
  fresh_platform
  cd "$W" || return
  if [ -n "${SETUP[$cmd]:-}" ]; then
    { eval "$(map_paths "${SETUP[$cmd]}")"; } >"$E2E_DIR/doc.out" 2>"$E2E_DIR/doc.err" </dev/null || rc=$?
    if [ "$rc" -ne 0 ]; then
      failed "$where: setup for: $cmd" "setup: ${SETUP[$cmd]}" "exit $rc" "stderr: $(head -c 1500 "$E2E_DIR/doc.err")"
      cd "$E2E_DIR" || true
      return
    fi
  fi
  if [ -n "${RUNS[$cmd]:-}" ]; then
    doc_long_running "$where" "$cmd"
    cd "$E2E_DIR" || true
    return
  fi
  { eval "$(map_paths "$cmd")"; } >"$E2E_DIR/doc.out" 2>"$E2E_DIR/doc.err" </dev/null
  doc_check "$where" "$want" $? "$cmd"
  cd "$E2E_DIR" || true
}

# The example runs as written (exec'd by a shell of its own, so SIGTERM
# reaches daoctl and never this script's EXIT trap), must do CHECK within
# RUNS seconds while still running, and exit 0 on SIGTERM.
doc_long_running() {
  local where=$1 cmd=$2 pid i done_check=0 rc=0
  local line
  line=$(map_paths "$cmd")
  # `daoctl` is a function here; the shell of its own gets the binary.
  bash -c "exec \"\$DAOCTL_BIN\" ${line#daoctl }" >"$E2E_DIR/doc.out" 2>"$E2E_DIR/doc.err" </dev/null &
  pid=$!
  E2E_PIDS+=("$pid")
  for ((i = 0; i < RUNS[$cmd] * 4; i++)); do
    sleep 0.25
    kill -0 "$pid" 2>/dev/null || break
    if "${CHECK[$cmd]}"; then done_check=1; break; fi
  done
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"
    failed "$where: $cmd keeps running" "it ended with exit $?" "stderr: $(head -c 1500 "$E2E_DIR/doc.err")"
    return
  fi
  expect_eq "$where: $cmd: ${CHECK[$cmd]} within ${RUNS[$cmd]} s" "$done_check" 1
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  expect_eq "$where: $cmd ends with exit 0 on SIGTERM" "$rc" 0
}

script="$E2E_DIR/man.sh"
python3 "$HERE/readme_doctest.py" --man "$SRC/man" >"$script" || { failed "man/ parses into examples"; finish; exit 1; }
expect_match "every command page has examples" "$(grep -c '^doc_example' "$script")" '^[1-9][0-9]+$'
# shellcheck disable=SC1090
source "$script"
for k in "${!SETUP[@]}" "${!WANT[@]}" "${!RUNS[@]}"; do
  [ -n "${SEEN[$k]:-}" ] || failed "the table names an example no man page has any more: $k"
done
finish
