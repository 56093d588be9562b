#!/usr/bin/env bats
# Container lifecycle: create/start/state/kill/delete, run's exit status, pid files, list, ps.

load helpers

@test "create, start, exit, delete walks through created, running, stopped" {
  create_ctr /testbin sleep 0.5
  [ "$(status_of)" = created ]
  run rt state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r .id <<<"$output")" = "$ID" ]
  [ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
  [ "$(jq -r .ociVersion <<<"$output")" != null ]
  pid=$(jq -r .pid <<<"$output")
  [ "$pid" -gt 0 ]
  kill -0 "$pid"
  rt start "$ID"
  [ "$(status_of)" = running ]
  wait_status stopped
  rt delete "$ID"
  run ! rt state "$ID"
  [ -z "$(ls -A "$ROOT")" ]
}

@test "state of a created container carries the config's annotations" {
  cfg '.annotations = {"org.berth.test": "yes"}'
  create_ctr /testbin sleep 10
  [ "$(rt state "$ID" | jq -r '.annotations["org.berth.test"]')" = yes ]
}

@test "created container has not run its process yet" {
  create_ctr /testbin write /tmp/ran
  [ ! -e "$BUNDLE/rootfs/tmp/ran" ]
  rt start "$ID"
  wait_status stopped
  [ -e "$BUNDLE/rootfs/tmp/ran" ]
}

@test "run propagates the exit status" {
  run_ctr -3 sh -c 'exit 3'
  run_ctr -0 /testbin exit 0
  run_ctr -42 /testbin exit 42
}

@test "run of a process killed by a signal exits 128+N" {
  set_args /testbin sleep 100
  rt run --bundle "$BUNDLE" "$ID" </dev/null >"$LOG" 2>&1 &
  runner=$!
  wait_status running
  rt kill "$ID" KILL
  rc=0
  wait "$runner" || rc=$?
  [ "$rc" -eq 137 ]
}

@test "run passes the container's output through" {
  run_ctr -0 sh -c 'echo hello-out; echo hello-err >&2'
  [[ $output == *hello-out* ]]
  [[ $output == *hello-err* ]]
}

@test "run of a missing executable fails and leaves nothing behind" {
  run_ctr ! /does/not/exist
  run ! rt state "$ID"
}

@test "create --pid-file writes the init pid" {
  set_args /testbin sleep 10
  rt create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" </dev/null >"$LOG" 2>&1
  [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(pid_of)" ]
}

@test "run -d --pid-file writes the pid and returns while the container runs" {
  set_args /testbin sleep 10
  rt run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" </dev/null >"$LOG" 2>&1
  [ "$(status_of)" = running ]
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  [ "$pid" = "$(pid_of)" ]
  kill -0 "$pid"
}

@test "a duplicate id is refused" {
  create_ctr /testbin sleep 10
  run ! rt create --bundle "$BUNDLE" "$ID" </dev/null
  [[ $output == *"$ID"* || $output == *exist* ]]
  [ "$(status_of)" = created ]
}

@test "delete of a running container is refused without --force" {
  start_ctr /testbin sleep 10
  run ! rt delete "$ID"
  [ "$(status_of)" = running ]
  pid=$(pid_of)
  rt delete --force "$ID"
  run ! rt state "$ID"
  ! kill -0 "$pid" 2>/dev/null
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "delete of a created container kills its init" {
  create_ctr /testbin sleep 10
  pid=$(pid_of)
  rt delete "$ID"
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  ! kill -0 "$pid" 2>/dev/null
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "kill delivers the named signal" {
  start_ctr /testbin sig
  wait_for "$LOG" ready
  rt kill "$ID" USR1
  wait_for "$LOG" SIGUSR1
  wait_status stopped
}

@test "kill accepts numbers and SIG-prefixed names; default is TERM" {
  start_ctr /testbin sig 3
  wait_for "$LOG" ready
  rt kill "$ID" 10
  wait_for "$LOG" SIGUSR1
  rt kill "$ID" SIGUSR2
  wait_for "$LOG" SIGUSR2
  rt kill "$ID"
  wait_for "$LOG" SIGTERM
  wait_status stopped
}

@test "kill KILL stops the container" {
  start_ctr /testbin sleep 100
  rt kill "$ID" KILL
  wait_status stopped
  rt delete "$ID"
}

@test "kill --all reaches every process in the container" {
  start_ctr sh -c '/testbin sleep 100 & /testbin sleep 100 & wait'
  sleep 0.2
  [ "$(rt ps --format json "$ID" | jq length)" -ge 3 ]
  rt kill --all "$ID" KILL
  wait_status stopped
  [ -z "$(cat "$(cgroup_dir pids)/cgroup.procs" 2>/dev/null)" ]
}

@test "kill of a stopped container fails" {
  start_ctr /testbin exit 0
  wait_status stopped
  run ! rt kill "$ID" KILL
}

@test "state, kill, start and delete of an unknown id fail" {
  run ! rt state berthtest-nope-$$
  [[ $output == *berthtest-nope-$$* || $output == *"not exist"* || $output == *"not found"* ]]
  run ! rt kill berthtest-nope-$$ KILL
  run ! rt start berthtest-nope-$$
  run ! rt delete berthtest-nope-$$
}

@test "start twice fails" {
  create_ctr /testbin sleep 10
  rt start "$ID"
  run ! rt start "$ID"
}

@test "list shows containers with their status" {
  create_ctr /testbin sleep 10
  EXTRA_IDS=("$ID-b")
  set_args /testbin sleep 10
  rt run -d --bundle "$BUNDLE" "$ID-b" </dev/null >"$LOG" 2>&1
  run -0 rt list -q
  [[ $output == *"$ID"* ]]
  [[ $output == *"$ID-b"* ]]
  run -0 rt list --format json
  [ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .status' <<<"$output")" = created ]
  [ "$(jq -r --arg id "$ID-b" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
  run -0 rt list
  [[ ${lines[0]} == *ID*PID*STATUS* ]]
}

@test "list of an empty root prints nothing" {
  run -0 rt list -q
  [ -z "$output" ]
}

@test "ps lists the container's processes" {
  start_ctr sh -c '/testbin sleep 100 & wait'
  sleep 0.2
  run -0 rt ps --format json "$ID"
  [ "$(jq length <<<"$output")" -eq 2 ]
  jq -e --argjson p "$(pid_of)" 'index($p) != null' <<<"$output"
  run -0 rt ps "$ID"
  [[ ${lines[0]} == *PID* ]]
  [[ $output == *sleep* ]]
}

@test "a stopped container can be deleted and the id reused" {
  run_ctr -0 /testbin exit 0
  run_ctr -0 /testbin exit 0
}

@test "zombies left by the init do not stop kill and delete" {
  start_ctr /testbin fork-zombies 3
  wait_for "$LOG" zombies
  rt kill "$ID" KILL
  wait_status stopped
  rt delete "$ID"
}

@test "--version prints a version" {
  run -0 "$RUNTIME" --version
  [[ $output == *version* ]]
}
