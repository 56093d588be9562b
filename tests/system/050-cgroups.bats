#!/usr/bin/env bats
# cgroup limits as the host sees them under /sys/fs/cgroup (v1 or hybrid: one hierarchy per
# controller at <controller>/berthtest/<id>; v2: one dir with unified file names), and as the
# container feels them.

load helpers

is_v2() {
  [ ! -d "$CGROUP_ROOT/memory" ]
}

# cg_value CONTROLLER V1FILE V2FILE: a file of this container's cgroup.
cg_value() {
  if is_v2; then
    cat "$CGROUP_ROOT/$CGROUP_PARENT/$ID/$3"
  else
    cat "$(cgroup_dir "$1")/$2"
  fi
}

@test "the container's processes are in cgroupsPath" {
  start_ctr /testbin sleep 100
  pid=$(pid_of)
  run -0 grep -c ":/$CGROUP_PARENT/$ID\$" "/proc/$pid/cgroup"
  is_v2 || grep -qx "$pid" "$(cgroup_dir pids)/cgroup.procs"
  is_v2 || grep -qx "$pid" "$(cgroup_dir memory)/cgroup.procs"
}

@test "memory limit and reservation" {
  cfg '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}'
  start_ctr /testbin sleep 100
  [ "$(cg_value memory memory.limit_in_bytes memory.max)" -eq 67108864 ]
  [ "$(cg_value memory memory.soft_limit_in_bytes memory.low)" -eq 33554432 ]
}

@test "memory limit is enforced by the OOM killer" {
  cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
  run_ctr -137 /testbin alloc 200
  run_ctr -0 /testbin alloc 8
}

@test "pids limit stops a fork bomb" {
  cfg '.linux.resources.pids = {"limit": 10}'
  run_ctr -0 /testbin forks 50
  [ "$(jqo .forked)" -lt 10 ]
  [ "$(jqo .errno)" = EAGAIN ]
  start_ctr /testbin sleep 100
  [ "$(cg_value pids pids.max pids.max)" -eq 10 ]
}

@test "cpu shares, quota and period" {
  cfg '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
  start_ctr /testbin sleep 100
  if is_v2; then
    [ "$(cg_value cpu - cpu.max)" = "50000 100000" ]
  else
    [ "$(cg_value cpu cpu.shares -)" -eq 512 ]
    [ "$(cg_value cpu cpu.cfs_quota_us -)" -eq 50000 ]
    [ "$(cg_value cpu cpu.cfs_period_us -)" -eq 100000 ]
  fi
}

@test "cpu quota throttles a busy process" {
  cfg '.linux.resources.cpu = {"quota": 20000, "period": 100000}'
  run_ctr -0 /testbin cpu 100
  # 100 ms of CPU at 20% of one CPU takes about 500 ms of wall time.
  [ "$(jqo .wall_ms)" -ge 300 ]
}

@test "cpuset cpus and mems" {
  cfg '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
  run_ctr -0 sh -c '/testbin cpus; cat /proc/self/status | grep Cpus_allowed_list'
  [ "$(jqo .cpus)" = '[0]' ]
  start_ctr /testbin sleep 100
  [ "$(cg_value cpuset cpuset.cpus cpuset.cpus)" = 0 ]
  [ "$(cg_value cpuset cpuset.mems cpuset.mems)" = 0 ]
}

@test "devices: a device node without an allow rule cannot be opened" {
  # Block 7:0 (loop0) is in no runtime's default allow list and is harmless to open.
  cfg '.linux.devices = [{"path": "/dev/berthloop", "type": "b", "major": 7, "minor": 0, "fileMode": 438}]'
  run_ctr -1 /testbin read /dev/berthloop
  [ "$(jqo .errno)" = EPERM ]
  cfg '.linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]'
  run_ctr /testbin read /dev/berthloop
  [ "$(jqo .errno)" != EPERM ]
}

@test "devices: the default devices stay usable under deny-all" {
  cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  run_ctr -0 sh -c 'echo x >/dev/null && head -c 1 /dev/zero >/dev/null && head -c 1 /dev/urandom >/dev/null && echo ok'
  [[ $output == *ok* ]]
}

@test "cgroups are removed after delete" {
  cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 100}'
  start_ctr /testbin sleep 100
  [ -n "$(leaked_cgroups "$ID")" ]
  rt delete --force "$ID"
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "cgroups are removed after run exits" {
  run_ctr -0 /testbin exit 0
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "events --stats reports pids and memory" {
  cfg '.linux.resources.memory = {"limit": 67108864}'
  start_ctr /testbin sleep 100
  run -0 rt events --stats "$ID"
  [ "$(jq -r .type <<<"$output")" = stats ]
  [ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
  [ "$(jq -r .data.memory.usage.limit <<<"$output")" -eq 67108864 ]
}
