#!/bin/bash
# run-bats.sh NAME DIR...: runs bats suites with TAP output and ends with a plain summary line
# ("NAME: N passed, N failed, N skipped"), which CI reads; exits non-zero when a test failed.
# Removes the empty cgroup parents the suites use, whatever happened.
set -uo pipefail
name=$1  # one word: the summary line is "NAME: N passed, N failed"
shift
out=$(mktemp)
cleanup() {
  rm -f "$out"
  for d in /sys/fs/cgroup/*/berthtest /sys/fs/cgroup/*/berthcompat-*; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  return 0
}
trap cleanup EXIT
bats --tap "$@" | tee "$out"
rc=${PIPESTATUS[0]}
passed=$(grep -cE '^ok [0-9]+' "$out" | tr -d ' ')
skipped=$(grep -cE '^ok [0-9]+ .*# skip' "$out" | tr -d ' ')
failed=$(grep -cE '^not ok [0-9]+' "$out" | tr -d ' ')
echo "$name: $((passed - skipped)) passed, $failed failed, $skipped skipped"
[ -n "${BERTH_SUMMARY:-}" ] && echo "$((passed - skipped)) $failed $skipped" >>"$BERTH_SUMMARY"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
