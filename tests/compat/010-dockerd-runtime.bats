#!/usr/bin/env bats
# berth-runtime as a runtime of the real Docker: a private dockerd (see helpers.bash) with
# `--add-runtime berth=...`; every test runs the same container with --runtime runc and
# --runtime berth and wants berth to behave as runc does.

load helpers

setup_file() {
  dockerd_start
}

teardown_file() {
  dockerd_stop
}

teardown() {
  compat_teardown
}

@test "docker run --runtime berth: echo hi" {
  both busybox echo hi
  same_as_runc
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
}

@test "docker run --runtime berth: exit code propagates" {
  both busybox sh -c 'exit 7'
  same_as_runc
  [ "$status" -eq 7 ]
}

@test "docker run --runtime berth: env, workdir, hostname, args" {
  both -e FOO=bar -w /tmp --hostname hx busybox sh -c 'echo "$FOO $(pwd) $(hostname) $0 $1"' a1 a2
  same_as_runc
  [ "$output" = "bar /tmp hx a1 a2" ]
}

@test "docker run --runtime berth -m 64m: memory limit visible in the container's cgroup" {
  both -m 64m busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes
  same_as_runc
  [ "$output" = 67108864 ]
}

@test "docker run --runtime berth --pids-limit 10: pids.max" {
  both --pids-limit 10 busybox cat /sys/fs/cgroup/pids/pids.max
  same_as_runc
  [ "$output" = 10 ]
}

@test "docker run --runtime berth --cap-drop ALL: no effective capabilities" {
  both --cap-drop ALL busybox sh -c 'grep ^CapEff /proc/self/status'
  same_as_runc
  [[ $output =~ ^CapEff:[[:space:]]+0+$ ]]
  # and the default set is not empty
  both busybox sh -c 'grep ^CapEff /proc/self/status'
  same_as_runc
  [[ ! $output =~ ^CapEff:[[:space:]]+0+$ ]]
}

@test "docker run --runtime berth --read-only: the rootfs is read-only" {
  both --read-only busybox sh -c 'touch /x 2>&1; echo rc=$?'
  same_as_runc
  [[ $output == *"Read-only file system"*"rc=1" ]]
  # without --read-only the same works
  both busybox sh -c 'touch /x && echo ok'
  same_as_runc
  [ "$output" = ok ]
}

@test "docker run --runtime berth --user 1000: uid and gid" {
  both --user 1000 busybox sh -c 'echo $(id -u) $(id -g)'
  same_as_runc
  [ "$output" = "1000 1000" ]
  both --user 1000:2000 busybox sh -c 'echo $(id -u) $(id -g)'
  same_as_runc
  [ "$output" = "1000 2000" ]
}

@test "docker run --runtime berth -it: a pty at /dev/pts" {
  local rt out=()
  for rt in runc berth; do
    run timeout 60 script -qec "docker run ${COMPAT_RUN_OPTS:-} -it --rm --runtime $rt --name $(cname "$rt") busybox sh -c 'tty; echo \$TERM'" /dev/null
    echo "$rt: status $status: $output" >&2
    [ "$status" -eq 0 ]
    [[ $output =~ /dev/pts/[0-9]+ ]]
    [[ $output == *xterm* ]]
    out+=("$(tr -d '\r' <<<"$output")")
  done
  [ "${out[0]}" = "${out[1]}" ]
}

@test "docker exec into a detached berth container, with stdin" {
  local rt n
  for rt in runc berth; do
    n=$(cname "$rt")
    d run -d --runtime "$rt" --name "$n" busybox sleep 1000
    wait_running "$n"
    run -0 d exec "$n" sh -c 'echo hi from $(hostname) pid1=$(cat /proc/1/comm)'
    [[ $output == "hi from "*" pid1=sleep" ]]
    echo x | d exec -i "$n" sh -c 'cat >> /f'
    echo y | d exec -i "$n" sh -c 'cat >> /f'
    run -0 d exec "$n" cat /f
    [ "$output" = "$(printf 'x\ny')" ]
    run -3 d exec "$n" sh -c 'exit 3'
    run -0 d exec -u 1000 -w /tmp -e A=b "$n" sh -c 'echo $(id -u) $(pwd) $A'
    [ "$output" = "1000 /tmp b" ]
    d rm -f "$n" >/dev/null
  done
}

@test "docker pause/unpause of a berth container" {
  local rt n
  for rt in runc berth; do
    n=$(cname "$rt")
    d run -d --runtime "$rt" --name "$n" busybox sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tick; sleep 0.05; done'
    wait_running "$n"
    # the container's /tick, read from the host through the overlay's upper dir
    local tick t1 t2
    tick=$(d inspect -f '{{.GraphDriver.Data.UpperDir}}' "$n")/tick
    d pause "$n"
    run -0 d inspect -f '{{.State.Paused}} {{.State.Status}}' "$n"
    [ "$output" = "true paused" ]
    t1=$(cat "$tick")
    sleep 0.3
    t2=$(cat "$tick")
    [ "$t1" = "$t2" ]
    d unpause "$n"
    run -0 d inspect -f '{{.State.Paused}} {{.State.Status}}' "$n"
    [ "$output" = "false running" ]
    # it runs again: the tick moves
    sleep 0.3
    t2=$(cat "$tick")
    [ "$t1" != "$t2" ]
    d rm -f "$n" >/dev/null
  done
}

# stop_case RT NAME RUN-ARGS...: starts a detached container (RUN-ARGS: options, image,
# command), stops it with --time 1; prints "EXITCODE MILLISECONDS".
stop_case() {
  local rt=$1 n=$2 t0 t1
  shift 2
  d run -d --runtime "$rt" --name "$n" "$@" >/dev/null
  wait_running "$n"
  sleep 0.3 # let the shell install its traps
  t0=$(date +%s%N)
  timeout 60 docker stop --time 1 "$n" >/dev/null
  t1=$(date +%s%N)
  echo "$(d inspect -f '{{.State.ExitCode}}' "$n") $(((t1 - t0) / 1000000))"
  d rm -f "$n" >/dev/null
}

@test "docker stop: SIGTERM ignored -> SIGKILL after --time, exit 137" {
  local rt code ms
  for rt in runc berth; do
    read -r code ms < <(stop_case "$rt" "$(cname "$rt")" busybox sh -c 'trap "" TERM; while :; do sleep 1; done')
    echo "$rt: exit $code after $ms ms" >&2
    [ "$code" = 137 ]
    ((ms >= 900))
  done
}

@test "docker stop: SIGTERM handled -> exits with the handler's code, before the timeout" {
  local rt code ms
  for rt in runc berth; do
    read -r code ms < <(stop_case "$rt" "$(cname "$rt")" busybox sh -c 'trap "exit 3" TERM; sleep 1000 & wait')
    echo "$rt: exit $code after $ms ms" >&2
    [ "$code" = 3 ]
    ((ms < 900))
  done
}

@test "docker stop: plain sleep and top as pid 1 exit as with runc" {
  local rt code ms cmd codes=()
  for cmd in "sleep 1000" "top -b"; do
    for rt in runc berth; do
      # shellcheck disable=SC2086 # cmd is a word list
      read -r code ms < <(stop_case "$rt" "$(cname "$rt")" busybox $cmd)
      echo "$cmd on $rt: exit $code after $ms ms" >&2
      [[ $code == 137 || $code == 143 ]]
      codes+=("$code")
    done
    [ "${codes[0]}" = "${codes[1]}" ]
    codes=()
  done
}

@test "docker kill -s USR1 reaches the container's process" {
  local rt n
  for rt in runc berth; do
    n=$(cname "$rt")
    d run -d --runtime "$rt" --name "$n" busybox sh -c 'trap "echo got-usr1 >/sig" USR1; while :; do sleep 0.1; done'
    wait_running "$n"
    sleep 0.3
    d kill -s USR1 "$n" >/dev/null
    # read from the host (overlay upper dir): this test does not depend on docker exec
    local sig i
    sig=$(d inspect -f '{{.GraphDriver.Data.UpperDir}}' "$n")/sig
    for i in $(seq 30); do
      grep -q got-usr1 "$sig" 2>/dev/null && break
      sleep 0.1
    done
    run -0 cat "$sig"
    [ "$output" = got-usr1 ]
    d rm -f "$n" >/dev/null
  done
}

@test "docker update -m on a running berth container changes its memory limit" {
  local rt n
  for rt in runc berth; do
    n=$(cname "$rt")
    d run -d --runtime "$rt" --name "$n" -m 64m --memory-swap 256m busybox sleep 1000
    wait_running "$n"
    d update -m 128m "$n" >/dev/null
    # the container's cgroup as the host sees it (docker's cgroupfs driver: PARENT/ID)
    run -0 cat "/sys/fs/cgroup/memory/$COMPAT_CGROUP/$(d inspect -f '{{.Id}}' "$n")/memory.limit_in_bytes"
    [ "$output" = 134217728 ]
    d rm -f "$n" >/dev/null
  done
}

@test "docker run --runtime berth --init: docker-init as pid 1, signals forwarded" {
  command -v docker-init >/dev/null || skip "docker-init (tini) not installed"
  both --init busybox sh -c 'cat /proc/1/comm'
  same_as_runc
  [[ $output == docker-init || $output == tini ]]
  local rt code ms
  for rt in runc berth; do
    read -r code ms < <(stop_case "$rt" "$(cname "$rt")-init" --init busybox sleep 1000)
    echo "$rt: exit $code after $ms ms" >&2
    [ "$code" = 143 ]
  done
}

@test "docker run -d --runtime berth, docker logs and docker wait" {
  local rt n
  for rt in runc berth; do
    n=$(cname "$rt")
    d run -d --runtime "$rt" --name "$n" busybox sh -c 'echo out; echo err >&2; exit 5' >/dev/null
    run -0 timeout 30 docker wait "$n"
    [ "$output" = 5 ]
    run -0 d logs "$n"
    [[ $output == *out* && $output == *err* ]]
    d rm -f "$n" >/dev/null
  done
}
