#!/usr/bin/env bash
# Terminal UX under a real pseudo-terminal (util-linux `script`) and through
# pipes: progress lines (done/total, rate, ETA) appear only when stderr is a
# terminal; colour follows the TTY, NO_COLOR, CLICOLOR_FORCE, TERM=dumb and
# --no-color; long lists go through the pager only on a terminal; every
# command's --help has an example.
source "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { failed "util-linux script(1) is installed (scripts/install-deps.sh)"; finish; exit 1; }

"$DAOCTL_SIM_BIN" seed --data "$E2E_DIR/sim" --users 120 --departments 5 --activity-days 3 \
  >/dev/null 2>"$E2E_DIR/seed.err" || failed "seed" "$(cat "$E2E_DIR/seed.err")"
start_sim
D=$DAOCTL_BIN
cp "$DAOCTL_SOURCE_DIR"/examples/demo/sync.yaml "$DAOCTL_SOURCE_DIR"/examples/demo/employees.csv "$E2E_DIR/"
STATE=$E2E_DIR/state

# Runs a shell command line under a pty; the terminal's output -> $TTY_OUT.
# The pty has no size (stdin is not a terminal), so LINES decides the height.
in_pty() {
  TTY_OUT=$(LINES=30 TERM=${TTY_TERM:-xterm} script -qfec "$1" /dev/null </dev/null 2>&1)
  TTY_STATUS=$?
}
q() { printf '%q' "$1"; }

# --- progress: sync apply
in_pty "$(q "$D") sync apply -f $(q "$E2E_DIR/sync.yaml") --state-dir $(q "$STATE")"
expect_eq "pty: sync apply succeeds" "$TTY_STATUS" "0"
expect_match "pty: sync apply draws a progress line with done/total, percent, bar and rate" "$TTY_OUT" \
  $'\rapplying  [0-9]+/[0-9]+ +[0-9]+% \\[[#.]{30}\\]  [0-9.k]+/s  (ETA [0-9:-]+|done)'
expect_match "pty: the progress line ends complete" "$TTY_OUT" 'applying  ([0-9]+)/\1  100% \[#{30}\]'

# Through a pipe (stderr not a terminal): no progress, no carriage returns.
run "$D" sync apply -f "$E2E_DIR/sync.yaml" --state-dir "$STATE"
expect_eq "pipe: sync apply succeeds" "$STATUS" "0"
expect_no_match "pipe: no progress line on stderr" "$ERR" 'applying  [0-9]'
expect_no_match "pipe: no carriage return on stderr" "$ERR" $'\r'

# --- progress: stderr alone decides; stdout redirected to a file still shows it.
in_pty "$(q "$D") backup create --wait -o json > $(q "$E2E_DIR/backup.json")"
BACKUP_ID=$(jq -r .id "$E2E_DIR/backup.json")
expect_match "pty: backup create gave an id" "$BACKUP_ID" '^[A-Za-z0-9_-]+$'
in_pty "$(q "$D") backup download $(q "$BACKUP_ID") --dir $(q "$E2E_DIR/dl") > $(q "$E2E_DIR/dl.out")"
expect_eq "pty: backup download succeeds" "$TTY_STATUS" "0"
expect_match "pty: backup download shows bytes, percent, rate" "$TTY_OUT" \
  "downloading backup $BACKUP_ID  [0-9.]+ (B|KiB|MiB)/[0-9.]+ (B|KiB|MiB) +100% \\[#{30}\\]  [0-9.]+ (B|KiB|MiB|GiB)/s  done"
run "$D" backup download "$BACKUP_ID" -O "$E2E_DIR/dl2.tar.zst"
expect_no_match "pipe: backup download draws no progress" "$ERR" 'downloading backup .*%'

# --quiet and --log-format json switch the progress line off on a terminal too.
in_pty "$(q "$D") --quiet backup download $(q "$BACKUP_ID") -O $(q "$E2E_DIR/dl3.tar.zst")"
expect_no_match "pty --quiet: no progress" "$TTY_OUT" 'downloading backup'
in_pty "$(q "$D") --log-format json backup download $(q "$BACKUP_ID") -O $(q "$E2E_DIR/dl4.tar.zst") >/dev/null"
expect_no_match "pty --log-format json: no progress" "$TTY_OUT" 'downloading backup'
expect_match "pty --log-format json: JSON log lines instead" "$TTY_OUT" '"message":"daoctl backup download finished"'

# --- colour: doctor labels its checks in colour on a terminal only.
ESC=$'\033\\['
in_pty "$(q "$D") doctor"
expect_eq "pty: doctor succeeds" "$TTY_STATUS" "0"
expect_match "pty: colour on a terminal" "$TTY_OUT" "${ESC}32mok"
in_pty "NO_COLOR=1 $(q "$D") doctor"
expect_no_match "pty + NO_COLOR: no colour" "$TTY_OUT" "$ESC"
TTY_TERM=dumb in_pty "$(q "$D") doctor"
expect_no_match "pty + TERM=dumb: no colour" "$TTY_OUT" "$ESC"
in_pty "$(q "$D") --no-color doctor"
expect_no_match "pty + --no-color: no colour" "$TTY_OUT" "$ESC"
run "$D" doctor
expect_no_match "pipe: no colour" "$OUT" "$ESC"
run env CLICOLOR_FORCE=1 "$D" doctor
expect_match "pipe + CLICOLOR_FORCE=1: colour forced" "$OUT" "${ESC}32mok"
run env CLICOLOR_FORCE=0 "$D" doctor
expect_no_match "pipe + CLICOLOR_FORCE=0: no colour" "$OUT" "$ESC"

# --- paging: a list taller than the terminal goes through the pager on a TTY.
PAGER_CMD="sed s/^/PAGED:/"
in_pty "DAOCTL_PAGER='$PAGER_CMD' $(q "$D") users list"
expect_eq "pty: users list succeeds" "$TTY_STATUS" "0"
expect_match "pty: a long list is paged, header first" "$TTY_OUT" 'PAGED:.*ID.*USERNAME'
expect_match "pty: every row goes through the pager" "$(grep -c 'PAGED:.*@corp' <<<"$TTY_OUT")" '^[0-9]{3}$'
in_pty "DAOCTL_PAGER='$PAGER_CMD' $(q "$D") users list --filter 'userName eq \"nobody\"'"
expect_no_match "pty: a short list is not paged" "$TTY_OUT" 'PAGED:'
in_pty "DAOCTL_PAGER=cat $(q "$D") users list"
expect_no_match "pty + DAOCTL_PAGER=cat: no pager" "$TTY_OUT" 'PAGED:'
in_pty "DAOCTL_PAGER='$PAGER_CMD' $(q "$D") --no-pager users list"
expect_eq "pty + --no-pager: users list succeeds" "$TTY_STATUS" "0"
expect_no_match "pty + --no-pager: not paged" "$TTY_OUT" 'PAGED:'
expect_match "pty + --no-pager: the rows are printed" "$(grep -c '@corp' <<<"$TTY_OUT")" '^[0-9]{3}$'
run env DAOCTL_PAGER="$PAGER_CMD" "$D" users list
expect_eq "pipe: users list succeeds" "$STATUS" "0"
expect_no_match "pipe: never paged" "$OUT" 'PAGED:'
expect_eq "pipe: every user listed" "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" \
  "$("$D" users list -o json | jq length)"

# --- --help: every command shows an example.
missing=""
while read -r path; do
  help=$("$D" $path --help 2>&1) || { missing+=" $path(--help failed)"; continue; }
  grep -q '^Example:' <<<"$help" && grep -q "^  daoctl " <<<"$help" || missing+=" [$path]"
done < <("$D" completion bash >/dev/null && python3 - "$D" <<'PY'
import re, subprocess, sys
daoctl = sys.argv[1]
def subs(path):
    text = subprocess.run([daoctl, *path, "--help"], capture_output=True, text=True).stdout
    out, on = [], False
    for line in text.splitlines():
        if line.lower().startswith("subcommands:"): on = True; continue
        if on:
            m = re.match(r"^  (\S+)", line)
            if m: out.append(m.group(1))
            elif line and not line.startswith(" "): on = False
    return out
stack = [[]]
while stack:
    p = stack.pop()
    for s in subs(p):
        print(" ".join(p + [s]))
        stack.append(p + [s])
PY
)
expect_eq "every command's --help has an example" "$missing" ""

# --- backup list: sizes in KiB/MiB and a 12-digit digest on a terminal; exact
# values through a pipe and in -o json.
in_pty "$(q "$D") --no-pager backup list"
expect_eq "pty: backup list succeeds" "$TTY_STATUS" "0"
expect_match "pty: backup list shows a human size and a short digest" "$TTY_OUT" \
  "$BACKUP_ID .* [0-9.]+ (B|KiB|MiB|GiB) +[0-9a-f]{12}…"
run "$D" backup list
expect_match "pipe: backup list keeps the exact size and the full digest" "$OUT" " [0-9]+ +[0-9a-f]{64}"
run "$D" backup list -o json
expect_match "json: the full digest" "$(jq -r '.[0].sha256' <<<"$OUT")" '^[0-9a-f]{64}$'

# --- confirmation on a terminal: it says what will happen and asks for the
# name; a wrong answer changes nothing; --yes never asks.
in_pty_typing() {  # in_pty_typing ANSWER COMMAND-LINE
  TTY_OUT=$( { sleep 1; printf '%s\n' "$1"; sleep 2; } | LINES=30 TERM=xterm script -qfec "$2" /dev/null 2>&1)
  TTY_STATUS=$?
}
run "$D" groups create tty-doomed
in_pty_typing "tty-doomd" "$(q "$D") groups delete tty-doomed"
expect_eq "pty: a mistyped name is a safety stop" "$TTY_STATUS" "5"
expect_match "pty: the prompt says what deleting does" "$TTY_OUT" "Deleting removes group tty-doomed \\(id [0-9]+"
expect_match "pty: and asks for the name" "$TTY_OUT" "To delete group tty-doomed, type tty-doomed and press Enter"
run "$D" groups get tty-doomed
expect_eq "pty: the group is still there" "$STATUS" "0"
in_pty_typing "tty-doomed" "$(q "$D") groups delete tty-doomed"
expect_eq "pty: the typed name deletes" "$TTY_STATUS" "0"
run "$D" groups get tty-doomed
expect_eq "pty: the group is gone" "$STATUS" "7"
run "$D" groups create tty-doomed-2
in_pty "$(q "$D") groups delete tty-doomed-2 --yes"
expect_eq "pty: --yes deletes without asking" "$TTY_STATUS" "0"
expect_no_match "pty: --yes prints no question" "$TTY_OUT" "type tty-doomed-2"

finish
