#!/usr/bin/env bash
# Generated documentation stays current and valid:
#  1. man/ and completions/ equal what daoctl-gendocs writes from the code;
#  2. every man page renders without groff warnings;
#  3. bash completion completes commands, subcommands, flags and choices;
#  4. the zsh and fish scripts load in real shells and complete.
# Usage: check_docs.sh GENDOCS DAOCTL SOURCE_DIR
set -u
gendocs=$1 daoctl=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1" >&2; [ $# -gt 1 ] && echo "$2" | head -20 >&2; }

"$gendocs" "$tmp/gen" || { echo "daoctl-gendocs failed" >&2; exit 1; }
for d in man completions; do
  if out=$(diff -r "$tmp/gen/$d" "$src/$d" 2>&1 | grep -v '^Only in .*/man: daoctl-.*\.5$' ); [ -z "$out" ]; then
    ok "$d/ is what the command tree generates"
  else
    bad "$d/ drifted from the code: run 'daoctl-gendocs $src' and commit" "$out"
  fi
done

for page in "$src"/man/*.[15]; do
  warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  if [ -z "$warnings" ]; then ok "$(basename "$page") renders without warnings"; else bad "$(basename "$page") has groff warnings" "$warnings"; fi
done

complete_bash() {  # complete_bash WORDS... -> COMPREPLY on stdout, one per line
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _daoctl; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$src/completions/daoctl.bash" "$@"
}
expect_completion() {  # expect_completion NAME EXPECTED-WORD WORDS...
  local name=$1 want=$2
  shift 2
  if complete_bash "$@" | grep -qx -- "$want"; then ok "bash: $name"; else bad "bash: $name" "$(complete_bash "$@")"; fi
}
expect_completion "top-level command" sync daoctl sy
expect_completion "subcommand" plan daoctl sync pl
expect_completion "flag of a subcommand" --detailed-exitcode daoctl sync plan --det
expect_completion "global flag after a command" --output daoctl users list --out
expect_completion "flag choices" yaml daoctl users list -o y
expect_completion "completion shells" fish daoctl completion f
# -o offers each command's own formats (commands/common/output_formats.cpp).
expect_completion "stats export formats" ndjson daoctl stats export -o n
expect_completion "api prints json" json daoctl api -o j
if complete_bash daoctl doctor -o c | grep -qx csv; then bad "bash: doctor -o offers csv, which it does not print"; else ok "bash: doctor -o offers no csv"; fi
if complete_bash daoctl api -o y | grep -qx yaml; then bad "bash: api -o offers yaml"; else ok "bash: api -o offers no yaml"; fi

# Man pages: ENVIRONMENT names every DAOCTL_* variable the code reads, every
# page carries EXIT STATUS with the README's codes.
env_section=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$src/man/daoctl.1")
for var in $(grep -rhoE '"DAOCTL_[A-Z_]+"' "$src"/cli "$src"/commands "$src"/core "$src"/connectors | tr -d '"' | sort -u); do
  if grep -qx "\.B $var" <<<"$env_section"; then ok "daoctl(1) ENVIRONMENT names $var"; else bad "daoctl(1) ENVIRONMENT lacks $var (cli/docs.cpp kEnvironment)"; fi
done
for page in "$src"/man/daoctl*.1; do
  for section in "EXIT STATUS" "ENVIRONMENT"; do
    if grep -q "^\.SH $section" "$page"; then ok "$(basename "$page") has $section"; else bad "$(basename "$page") lacks $section"; fi
  done
done
# What the README says once is on the command's own page too: guarantees,
# safety stops, confirmations, photos (cli/docs.cpp group_sections).
for want in "sync:GUARANTEES" "sync:SAFETY STOPS" "sync:PHOTOS" "deprovision:SAFETY STOPS" "deprovision:CONFIRMATIONS" \
  "users:CONFIRMATIONS" "groups:CONFIRMATIONS" "backup:GUARANTEES" "backup:CONFIRMATIONS"; do
  page="$src/man/daoctl-${want%%:*}.1"
  if grep -q "^\.SH ${want#*:}\$" "$page"; then ok "daoctl-${want%%:*}(1) has ${want#*:}"; else bad "daoctl-${want%%:*}(1) lacks ${want#*:}"; fi
done
exit_section=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$src/man/daoctl.1")
for code in $(grep -oE '^\| [0-9]+ \|' "$src/README.md" | tr -dc '0-9\n'); do
  if grep -qx "\.B $code" <<<"$exit_section"; then ok "EXIT STATUS has README's exit code $code"; else bad "EXIT STATUS lacks exit code $code from README.md"; fi
done

if zsh -fc "autoload -U compinit && compinit -u -D; source '$src/completions/_daoctl'; (( \$+functions[_daoctl] ))" 2>"$tmp/zsh.err"; then
  ok "zsh: the script loads and defines _daoctl"
else
  bad "zsh: the script does not load" "$(cat "$tmp/zsh.err")"
fi
fish_out=$(fish -c "source '$src/completions/daoctl.fish'; complete -C 'daoctl sync pl'" 2>&1)
if echo "$fish_out" | grep -q '^plan'; then ok "fish: completes 'daoctl sync pl' to plan"; else bad "fish: no completion for 'daoctl sync pl'" "$fish_out"; fi

if diff <("$daoctl" completion bash) "$src/completions/daoctl.bash" >/dev/null; then
  ok "'daoctl completion bash' prints the installed script"
else
  bad "'daoctl completion bash' differs from completions/daoctl.bash"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
