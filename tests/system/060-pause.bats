#!/usr/bin/env bats
# pause and resume through the freezer.

load helpers

freezer_state() {
  if [ -d "$CGROUP_ROOT/freezer" ]; then
    cat "$(cgroup_dir freezer)/freezer.state"
  else
    # v2: cgroup.freeze 1/0 named like v1's states.
    [ "$(cat "$CGROUP_ROOT/$CGROUP_PARENT/$ID/cgroup.freeze")" = 1 ] && echo FROZEN || echo THAWED
  fi
}

@test "pause freezes and resume thaws" {
  start_ctr /testbin sig
  wait_for "$LOG" ready
  rt pause "$ID"
  [ "$(status_of)" = paused ]
  [ "$(freezer_state)" = FROZEN ]
  # A frozen process does not handle signals until thawed.
  rt kill "$ID" USR1
  sleep 0.3
  ! grep -q SIGUSR1 "$LOG"
  rt resume "$ID"
  [ "$(freezer_state)" = THAWED ]
  wait_for "$LOG" SIGUSR1
  wait_status stopped
}

@test "pause freezes every process in the container" {
  start_ctr sh -c '/testbin sleep 100 & /testbin sleep 100 & wait'
  sleep 0.2
  rt pause "$ID"
  for pid in $(rt ps --format json "$ID" | jq '.[]'); do
    # State D or S with the freezer; what matters is that the cgroup says frozen for all.
    [ ! -d "$CGROUP_ROOT/freezer" ] || grep -qx "$pid" "$(cgroup_dir freezer)/cgroup.procs"
  done
  [ "$(freezer_state)" = FROZEN ]
  rt resume "$ID"
  [ "$(status_of)" = running ]
}

@test "state lists paused in list too" {
  start_ctr /testbin sleep 100
  rt pause "$ID"
  [ "$(rt list --format json | jq -r '.[0].status')" = paused ]
  rt resume "$ID"
}

@test "a paused container can be killed and force-deleted" {
  start_ctr /testbin sleep 100
  rt pause "$ID"
  rt delete --force "$ID"
  run ! rt state "$ID"
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "resume of a running container fails" {
  start_ctr /testbin sleep 100
  run ! rt resume "$ID"
  [ "$(status_of)" = running ]
}

@test "pause of a stopped container fails" {
  start_ctr /testbin exit 0
  wait_status stopped
  run ! rt pause "$ID"
  [ "$(status_of)" = stopped ]
}

@test "pause and resume of an unknown id fail" {
  run ! rt pause berthtest-nope-$$
  run ! rt resume berthtest-nope-$$
}
