#!/usr/bin/env bats
# berth run --init: berthd's init (berth-init, mounted at /sbin/docker-init as Docker mounts
# tini) runs as PID 1, forwards signals to the command, reaps orphans and exits with the
# command's status; inspect still shows the user's command.

load cli_helpers

setup_file() { cli_setup_file; }
teardown_file() { cli_teardown_file; }

teardown() {
  # The missing-init test relaunches the file's berthd with a bad --init-path: put it back.
  if [ -z "${BERTH_TEST_HOST:-}" ] && [ -n "${BERTHD_DIR:-}" ] && [ -n "${INIT_RELAUNCHED:-}" ]; then
    berthd_kill9 || true
    berthd_launch || true
  fi
  cli_teardown
}

@test "run --init runs the command under docker-init as PID 1, with its exit status" {
  run --separate-stderr b run --rm --init busybox ps -o pid,ppid,comm
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | awk '$1 == 1 { print $3 }')" = docker-init ]
  [ "$(echo "$output" | awk '$3 == "ps" { print $2 }')" = 1 ]
  run b run --rm --init busybox sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run b run --rm --init busybox sh -c 'kill -KILL $$'
  [ "$status" -eq 137 ]
}

@test "run --init of a missing command exits 127, of one that cannot run 126, naming it" {
  run -127 --separate-stderr b run --rm --init busybox /no/such/binary
  [[ $stderr == *"/no/such/binary"* ]]
  run -126 --separate-stderr b run --rm --init busybox /etc/passwd
  [[ $stderr == *"/etc/passwd"* ]]
}

@test "run --init reaps orphaned zombies" {
  # The orphan (a sleep) is the init's child once its subshell is gone; when it ends, only the
  # init can reap it. The loop is bounded: a zombie stays "Z".
  run b run --rm --init busybox sh -c '
    for k in 1 2 3; do (sleep 2 & echo $! >>/tmp/pids); done
    for p in $(cat /tmp/pids); do echo "ppid $(cut -d" " -f4 /proc/$p/stat)"; done
    for p in $(cat /tmp/pids); do
      i=0
      while [ -e /proc/$p ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
      if [ -e /proc/$p ]; then echo "left $(cut -d" " -f3 /proc/$p/stat)"; else echo reaped; fi
    done'
  [ "$status" -eq 0 ]
  [ "$output" = $'ppid 1\nppid 1\nppid 1\nreaped\nreaped\nreaped' ]
}

@test "stop of a --init container forwards SIGTERM to the command (143); inspect shows the user's command" {
  local n
  n=$(cname stop)
  b run -d --init --name "$n" busybox sleep 100 >/dev/null
  wait_state "$n" running
  run b inspect -f '{{.Path}} {{json .Args}} {{.HostConfig.Init}}' "$n"
  [ "$output" = 'sleep ["100"] true' ]
  run b stop -t 10 "$n"
  [ "$status" -eq 0 ]
  run b inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$n"
  [ "$output" = "exited 143" ]
}

@test "kill -s of a --init container forwards the signal to the command" {
  local n
  n=$(cname kill)
  b run -d --init --name "$n" busybox sh -c \
    'trap "echo got-usr1; exit 5" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
  for _ in $(seq 100); do
    [ "$(b logs "$n" 2>&1)" = ready ] && break
    sleep 0.1
  done
  b kill -s USR1 "$n"
  run b wait "$n"
  [ "$output" = 5 ]
  run b logs "$n"
  [ "$output" = $'ready\ngot-usr1' ]
}

@test "run -t --init puts the command in the terminal's foreground; -it drives a shell" {
  # /proc/PID/stat fields 5 and 8: the process group and the terminal's foreground group.
  local pgrp tpgid
  run b run --rm -t --init busybox sh -c 'set -- $(cat /proc/$$/stat); echo "$5 $8"'
  [ "$status" -eq 0 ]
  read -r pgrp tpgid <<<"${output//$'\r'/}"
  [ "$pgrp" -gt 1 ]
  [ "$pgrp" = "$tpgid" ]
  run pty_session run --rm -it --init busybox sh
  [[ $output == *$'\n30 100\n'* ]]
  [[ $output == *$'\n40 120\n'* ]]
  [ "${lines[-1]}" = "exit 5" ]
}

@test "run --init with berthd's init binary missing fails to start, naming the path" {
  berthd_only "relaunches berthd with a bad --init-path"
  INIT_RELAUNCHED=1
  berthd_kill9
  BERTH_INIT=$BERTHD_DIR/no-such-init berthd_launch
  run --separate-stderr b run --rm --init busybox true
  [ "$status" -eq 125 ]
  [[ $stderr == *"$BERTHD_DIR/no-such-init"* ]]
  [[ $stderr == *"--init-path"* ]]
  # Without --init nothing changes.
  run b run --rm busybox echo fine
  [ "$status" -eq 0 ]
  [ "$output" = fine ]
}
