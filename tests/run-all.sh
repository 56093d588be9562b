#!/bin/bash
# run-all.sh: every suite of `make test` (unit through CTest, system and compat through bats),
# each run even when an earlier one failed, then one line adding them up:
# "total: N passed, N failed, N skipped". Exits non-zero when any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
export BERTH_SUMMARY
BERTH_SUMMARY=$(mktemp)
trap 'rm -f "$BERTH_SUMMARY"' EXIT
rc=0
ctest_out=$(mktemp)
ctest --test-dir "$build" --output-on-failure -j"${JOBS:-2}" | tee "$ctest_out"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
# "100% tests passed, 0 tests failed out of 234"
read -r total failed < <(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2 \1/p' "$ctest_out")
rm -f "$ctest_out"
echo "$((${total:-0} - ${failed:-0})) ${failed:-0} 0" >>"$BERTH_SUMMARY"
make --no-print-directory test-system || rc=1
make --no-print-directory test-compat || rc=1
awk '{p += $1; f += $2; s += $3} END {printf "total: %d passed, %d failed, %d skipped\n", p, f, s}' \
  "$BERTH_SUMMARY"
exit $rc
