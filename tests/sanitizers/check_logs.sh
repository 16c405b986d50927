#!/usr/bin/env bash
# The "sanitizer: ..." tests of a DAOCTL_SANITIZE build (tests/CMakeLists.txt).
# Every sanitized process a test starts (unit tests, daoctl, daoctl-sim, the
# contract probe, started directly or by an e2e script) writes its ASan, LSan
# and UBSan reports to LOG_DIR/<test>.<pid> instead of stderr, because an e2e
# script sends daoctl-sim's stderr to a file nobody reads.
#   check_logs.sh clear LOG_DIR   before the first test: removes old reports
#   check_logs.sh check LOG_DIR   after the last one: fails and prints them if any
set -u
mode=$1 dir=$2
case $mode in
clear)
  rm -rf "$dir" && mkdir -p "$dir"
  ;;
check)
  shopt -s nullglob
  logs=("$dir"/*)
  if [ ${#logs[@]} -eq 0 ]; then
    echo "no sanitizer reports in $dir"
    exit 0
  fi
  echo "${#logs[@]} sanitizer report file(s) in $dir:" >&2
  for f in "${logs[@]}"; do
    echo "===== $(basename "$f")" >&2
    head -n 60 "$f" >&2
  done
  exit 1
  ;;
*)
  echo "usage: check_logs.sh clear|check LOG_DIR" >&2
  exit 2
  ;;
esac
