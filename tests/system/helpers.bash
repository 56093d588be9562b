# Shared setup for the berth-runtime system tests. Every test gets a private --root, a fresh
# bundle copied from a template (busybox + /testbin, see tests/lib/mkbundle.sh), a unique
# container id and cgroupsPath /berthtest/<id>; teardown force-deletes whatever is left and fails
# the test if it finds leaked state dirs, cgroups, mounts or processes.
#
# BERTH_RUNTIME picks the runtime under test (default: the build tree's berth-runtime); the
# suite is written against runc's behaviour, so BERTH_RUNTIME=runc must pass too, except tests
# that call berth_only. BERTH_TESTBIN points at the static helper.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${BERTH_RUNTIME:-$REPO/build/tools/berth-runtime/berth-runtime}
TESTBIN=${BERTH_TESTBIN:-$REPO/build/tests/testbin/berth-testbin}
export BERTH_RUNTIME=$RUNTIME BERTH_TESTBIN=$TESTBIN

CGROUP_PARENT=berthtest
CGROUP_ROOT=/sys/fs/cgroup

is_runc() {
  [[ $("$RUNTIME" --version 2>/dev/null | head -1) == runc* ]]
}

# Skips a test that checks berth's own (stricter or extra) behaviour where runc differs.
berth_only() {
  if is_runc; then skip "berth-only: ${1:-runc behaves differently}"; fi
}

# The bundle template is made once per bats run and copied (hardlinks kept) for every test.
template_bundle() {
  local tpl=$BATS_RUN_TMPDIR/template
  if [ ! -f "$tpl/config.json" ]; then
    [ -x "$TESTBIN" ] || {
      echo "berth-testbin not built: $TESTBIN (set BERTH_TESTBIN)" >&2
      return 1
    }
    rm -rf "$tpl.new"
    "$REPO/tests/lib/mkbundle.sh" "$tpl.new" /testbin sleep >/dev/null
    mv "$tpl.new" "$tpl"
  fi
  echo "$tpl"
}

setup() {
  berth_setup
}

teardown() {
  berth_teardown
}

teardown_file() {
  # The shared parent cgroup; rmdir only succeeds when empty, so a concurrent run is safe.
  rmdir "$CGROUP_ROOT"/*/"$CGROUP_PARENT" "$CGROUP_ROOT/$CGROUP_PARENT" 2>/dev/null || true
}

berth_setup() {
  local file=${BATS_TEST_FILENAME##*/}
  ID=berthtest-${file%%-*}-$BATS_TEST_NUMBER-$$
  ROOT=$BATS_TEST_TMPDIR/root
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  LOG=$BATS_TEST_TMPDIR/container.log
  mkdir -p "$ROOT"
  local tpl
  tpl=$(template_bundle)
  cp -a "$tpl" "$BUNDLE"
  cfg --arg p "/$CGROUP_PARENT/$ID" '.linux.cgroupsPath = $p | .hostname = "berthtest"'
  EXTRA_IDS=()
}

# rt ARGS...: the runtime under test with this test's private root.
rt() {
  "$RUNTIME" --root "$ROOT" "$@"
}

# cfg JQ-ARGS... FILTER: edits the bundle's config.json in place.
cfg() {
  local tmp=$BUNDLE/config.json.tmp
  jq "$@" "$BUNDLE/config.json" >"$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# set_args ARG...: the container's process.args.
set_args() {
  local a
  a=$(jq -cn '$ARGS.positional' --args -- "$@")
  cfg --argjson a "$a" '.process.args = $a'
}

# run_ctr [STATUS] ARG...: runs the container in the foreground with ARGS as process.args; the
# container's output lands in $output. With a leading -N or ! it checks the exit status as
# bats' run does.
run_ctr() {
  local expect=()
  if [[ $1 == -* || $1 == '!' ]]; then
    expect=("$1")
    shift
  fi
  set_args "$@"
  run "${expect[@]}" rt run --bundle "$BUNDLE" "$ID" </dev/null
}

# start_ctr ARG...: runs the container detached with ARGS; its stdout/stderr go to $LOG.
start_ctr() {
  set_args "$@"
  rt run -d --bundle "$BUNDLE" "$ID" </dev/null >"$LOG" 2>&1
}

# create_ctr ARG...: creates (not starts) the container; output to $LOG.
create_ctr() {
  set_args "$@"
  rt create --bundle "$BUNDLE" "$ID" </dev/null >"$LOG" 2>&1
}

status_of() {
  rt state "${1:-$ID}" | jq -r .status
}

pid_of() {
  rt state "${1:-$ID}" | jq -r .pid
}

# wait_status STATUS [ID]: polls state for up to 5s.
wait_status() {
  local want=$1 id=${2:-$ID} i got
  for i in $(seq 100); do
    got=$(status_of "$id" 2>/dev/null) || got=gone
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  echo "container $id: status $got, want $want" >&2
  return 1
}

# wait_for FILE PATTERN [SECONDS]: polls until FILE has a line matching PATTERN.
wait_for() {
  local file=$1 pattern=$2 tries=$((${3:-5} * 20)) i
  for i in $(seq "$tries"); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timed out waiting for '$pattern' in $file:" >&2
  cat "$file" >&2 2>/dev/null
  return 1
}

# json_line PATTERN: the last line of $output that is JSON containing PATTERN (runtimes may
# print warnings around the container's output).
json_line() {
  grep -F -- "${1:-}" <<<"$output" | grep '^[{[]' | tail -1
}

# jqo FILTER [PATTERN]: applies FILTER to the last JSON line in $output (containing PATTERN).
jqo() {
  json_line "${2:-}" | jq -rc "$1"
}

cgroup_dir() {
  echo "$CGROUP_ROOT/$1/$CGROUP_PARENT/${2:-$ID}"
}

# Lists cgroup dirs left for container ID on any v1 hierarchy or the v2 one.
leaked_cgroups() {
  local id=$1 d
  for d in "$CGROUP_ROOT"/*/"$CGROUP_PARENT/$id" "$CGROUP_ROOT/$CGROUP_PARENT/$id"; do
    [ -d "$d" ] && echo "$d"
  done
  return 0
}

berth_teardown() {
  local leaks=() id d pid
  # Shown only when the test failed: what the last `run` saw.
  if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
    local o=${output:-}
    ((${#o} <= 1500)) || o="...${o: -1500}"
    echo "# last output (status ${status:-}): $o"
  fi
  [ -n "${ROOT:-}" ] || return 0
  # Only what list reports: a delete per test of an already deleted id costs time, and a state
  # dir list does not see is still caught below.
  for id in $(rt list -q 2>/dev/null); do
    rt delete --force "$id" >/dev/null 2>&1 || true
  done
  for id in "$ID" "${EXTRA_IDS[@]}"; do
    for d in $(leaked_cgroups "$id"); do
      for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do
        leaks+=("process $pid in $d")
        kill -9 "$pid" 2>/dev/null || true
      done
      leaks+=("cgroup $d")
      sleep 0.1
      rmdir "$d" 2>/dev/null || true
    done
  done
  if grep -qF -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo; then
    leaks+=("mounts: $(grep -F -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')")
    grep -F -- "$BATS_TEST_TMPDIR" /proc/self/mountinfo | awk '{print $5}' | sort -r |
      xargs -r -n1 umount -l 2>/dev/null || true
  fi
  # Compiled seccomp programs are a cache the runtime keeps beside the containers' state.
  if [ -n "$(ls -A "$ROOT" 2>/dev/null | grep -vx .seccomp-cache)" ]; then
    leaks+=("state under --root: $(ls -A "$ROOT" | grep -vx .seccomp-cache | tr '\n' ' ')")
  fi
  rm -rf "$ROOT"
  if [ ${#leaks[@]} -gt 0 ]; then
    printf 'leaked: %s\n' "${leaks[@]}" >&2
    return 1
  fi
}
