#!/usr/bin/env bats
# exec: extra processes inside a running container.

load helpers

setup() {
  berth_setup
  cfg '.process.env = ["PATH=/bin:/usr/bin", "FROM_CONFIG=1"] | .process.cwd = "/"'
  start_ctr /testbin sleep 100
}

@test "exec runs in the container's namespaces" {
  pid=$(pid_of)
  run -0 rt exec "$ID" /testbin ns
  for ns in ipc mnt net pid uts; do
    [ "$(jqo ".$ns")" = "$(readlink "/proc/$pid/ns/$ns")" ]
  done
  run -0 rt exec "$ID" /testbin pid
  [ "$(jqo .pid)" -gt 1 ]
}

@test "exec joins the container's cgroup" {
  run -0 rt exec "$ID" /testbin cgroup
  # Inside the container's cgroup namespace its own cgroup is "/"; runc 1.1 joins the cgroup
  # after the namespace and shows the host path instead.
  [[ "$(jqo .pids)" == @(/|/$CGROUP_PARENT/$ID) ]]
  # Either way the process is in the container's cgroup on the host.
  rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" /testbin sleep 30
  grep -qx "$(cat "$BATS_TEST_TMPDIR/exec.pid")" "/sys/fs/cgroup/pids/$CGROUP_PARENT/$ID/cgroup.procs"
}

@test "exec propagates the exit status" {
  run -7 rt exec "$ID" sh -c 'exit 7'
  run -0 rt exec "$ID" /testbin exit 0
}

@test "exec passes output through" {
  run -0 rt exec "$ID" sh -c 'echo out-line; echo err-line >&2'
  [[ $output == *out-line* ]]
  [[ $output == *err-line* ]]
}

@test "exec keeps the config's env and adds -e" {
  run -0 rt exec -e ADDED=two -e "SPACED=a b" "$ID" /testbin env
  [ "$(jqo .FROM_CONFIG)" = 1 ]
  [ "$(jqo .ADDED)" = two ]
  [ "$(jqo .SPACED)" = "a b" ]
}

@test "exec --cwd" {
  run -0 rt exec --cwd /tmp "$ID" /testbin cwd
  [ "$(jqo .cwd)" = /tmp ]
}

@test "exec -u uid:gid" {
  run -0 rt exec -u 1000:1000 "$ID" /testbin ids
  [ "$(jqo .uid)" -eq 1000 ]
  [ "$(jqo .gid)" -eq 1000 ]
  run -0 rt exec -u 1234 "$ID" /testbin ids
  [ "$(jqo .uid)" -eq 1234 ]
}

@test "exec --process takes a process.json" {
  cat >"$BATS_TEST_TMPDIR/process.json" <<'JSON'
{"terminal": false, "user": {"uid": 1000, "gid": 1000, "additionalGids": [10]},
 "args": ["/testbin", "env"], "env": ["PATH=/bin", "ONLY=process-json"], "cwd": "/tmp",
 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
 "noNewPrivileges": true}
JSON
  run -0 rt exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
  [ "$(jqo .ONLY)" = process-json ]
  [ "$(jqo .FROM_CONFIG)" = null ]
  jq '.args = ["/testbin", "ids"]' "$BATS_TEST_TMPDIR/process.json" >"$BATS_TEST_TMPDIR/p2.json"
  run -0 rt exec --process "$BATS_TEST_TMPDIR/p2.json" "$ID"
  [ "$(jqo .uid)" -eq 1000 ]
  [ "$(jqo .groups)" = '[10]' ]
  jq '.args = ["/testbin", "caps"]' "$BATS_TEST_TMPDIR/process.json" >"$BATS_TEST_TMPDIR/p3.json"
  run -0 rt exec --process "$BATS_TEST_TMPDIR/p3.json" "$ID"
  [ "$(jqo .CapBnd)" = 0000000000000020 ]
  [ "$(jqo .NoNewPrivs)" -eq 1 ]
}

@test "exec -d --pid-file leaves the process running in the container" {
  rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" /testbin sleep 100 </dev/null \
    >"$BATS_TEST_TMPDIR/exec.log" 2>&1
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  kill -0 "$pid"
  rt ps --format json "$ID" | jq -e --argjson p "$pid" 'index($p) != null'
  [ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(pid_of)/ns/pid")" ]
}

@test "exec'd processes die with the container" {
  rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" /testbin sleep 100 </dev/null \
    >"$BATS_TEST_TMPDIR/exec.log" 2>&1
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  rt delete --force "$ID"
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  ! kill -0 "$pid" 2>/dev/null
}

@test "exec of a missing binary fails and the container keeps running" {
  run ! rt exec "$ID" /no/such/binary
  [ "$(status_of)" = running ]
}

@test "exec into a stopped or unknown container fails" {
  run ! rt exec berthtest-nope-$$ /testbin exit 0
  rt kill "$ID" KILL
  wait_status stopped
  run ! rt exec "$ID" /testbin exit 0
}
