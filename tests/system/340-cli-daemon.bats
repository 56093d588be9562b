#!/usr/bin/env bats
# berth against what the daemon does over a container's life: restart policies, live restore
# after kill -9 of berthd, pause through the freezer, memory and pids limits in the cgroups,
# -it on a real terminal, a socket shared with a group of non-root users, and bad input.

load cli_helpers

setup_file() { cli_setup_file; }
teardown_file() { cli_teardown_file; }

teardown() {
  # A failed live-restore test may leave the file's berthd killed: bring it back for the rest.
  if [ -z "${BERTH_TEST_HOST:-}" ] && [ -n "${BERTHD_DIR:-}" ] &&
    ! curl -sf --unix-socket "$BERTHD_DIR/sock" http://x/_ping >/dev/null 2>&1; then
    berthd_launch || true
  fi
  cli_teardown
  sock_users_cleanup
}

# cg_file PID CONTROLLER V1FILE V2FILE: the path of a file of PID's cgroup: the v1 hierarchy of
# CONTROLLER when it is mounted, else the unified one.
cg_file() {
  local rel
  if [ -d "/sys/fs/cgroup/$2" ]; then
    rel=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
      "/proc/$1/cgroup")
    echo "/sys/fs/cgroup/$2$rel/$3"
  else
    rel=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
    echo "/sys/fs/cgroup$rel/$4"
  fi
}

# freezer_state PID: FROZEN or THAWED (v2's cgroup.freeze named like v1's states).
freezer_state() {
  local f
  f=$(cg_file "$1" freezer freezer.state cgroup.freeze)
  case $(cat "$f") in
    1) echo FROZEN ;;
    0) echo THAWED ;;
    *) cat "$f" ;;
  esac
}

# until_ok TRIES CMD...: runs CMD every 0.2 s until it succeeds, TRIES times at most.
until_ok() {
  local _tries=$1 _i
  shift
  for _i in $(seq "$_tries"); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}

# Predicates for until_ok.
settled_exited() {
  [ "$(b inspect -f '{{.State.Restarting}} {{.State.Status}}' "$1")" = "false exited" ]
}
restarted_at_least() { [ "$(b inspect -f '{{.RestartCount}}' "$2")" -ge "$1" ]; }
logs_have_line() { b logs "$1" | grep -qx "$2"; }
logs_longer_than() { [ "$(b logs "$1" | wc -l)" -gt "$2" ]; }
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# A second private berthd owned by a temporary group, and the users of the socket test; all of
# it goes in teardown, whatever happened.
SOCK_DIR=""
SOCK_USERS=()
SOCK_GROUP=""

sock_users_cleanup() {
  local u
  if [ -n "$SOCK_DIR" ]; then
    (BERTHD_DIR=$SOCK_DIR BERTHD_CGROUP=berthtest-${SOCK_DIR##*.} \
      DOCKER_HOST=unix://$SOCK_DIR/sock berthd_stop)
    SOCK_DIR=""
  fi
  for u in "${SOCK_USERS[@]}"; do
    userdel "$u" >/dev/null 2>&1 || true
  done
  SOCK_USERS=()
  [ -z "$SOCK_GROUP" ] || groupdel "$SOCK_GROUP" >/dev/null 2>&1 || true
  SOCK_GROUP=""
}

# sock_berthd_start GROUP: a berthd with `-G GROUP` on $SOCK_DIR/sock (its directory open to
# everyone, so that only the socket's own mode decides), started by tests/lib/berthd.bash's
# berthd_launch through a wrapper that adds the flag.
sock_berthd_start() {
  SOCK_DIR=$(mktemp -d /tmp/berthd.XXXXXX)
  chmod 0711 "$SOCK_DIR"
  printf '#!/bin/sh\nexec %q -G %q "$@"\n' "$BERTHD" "$1" >"$SOCK_DIR/berthd-group"
  chmod 0755 "$SOCK_DIR/berthd-group"
  (BERTHD=$SOCK_DIR/berthd-group BERTHD_DIR=$SOCK_DIR BERTHD_CGROUP=berthtest-${SOCK_DIR##*.} \
    berthd_launch)
}

@test "restart on-failure:3 restarts a failing container three times, then leaves it exited" {
  local n
  n=$(cname onfail)
  run b run -d --name "$n" --restart on-failure:3 busybox sh -c 'echo try; exit 1'
  [ "$status" -eq 0 ]
  run b inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' "$n"
  [ "$output" = "on-failure 3" ]
  # Until it is no longer restarting (backoff 0.1 + 0.2 + 0.4 s; 30 s at most).
  until_ok 150 settled_exited "$n"
  run b inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' "$n"
  [ "$output" = "3 exited 1 false" ]
  # The first run and the three restarts all wrote to the same log.
  run b logs "$n"
  [ "$output" = $'try\ntry\ntry\ntry' ]
}

@test "restart always restarts a container whose process exited, until stop" {
  local n count
  n=$(cname always)
  run b run -d --name "$n" --restart always busybox sh -c 'echo up; sleep 0.3'
  [ "$status" -eq 0 ]
  # Exit status 0 and still restarted: at least twice, each time a new process.
  until_ok 150 restarted_at_least 2 "$n"
  run b logs "$n"
  [ "${#lines[@]}" -ge 2 ]
  [ "${lines[0]}" = up ]
  run b stop -t 1 "$n"
  [ "$status" -eq 0 ]
  [ "$output" = "$n" ]
  run b inspect -f '{{.State.Status}} {{.State.Restarting}} {{.State.Running}}' "$n"
  [ "$output" = "exited false false" ]
  count=$(b inspect -f '{{.RestartCount}}' "$n")
  # A stopped container stays stopped: no restart later either.
  sleep 1
  run b inspect -f '{{.State.Status}} {{.RestartCount}}' "$n"
  [ "$output" = "exited $count" ]
}

@test "live restore: after kill -9 of berthd, containers keep running, logs, attach and exec work" {
  berthd_only "kills the private berthd"
  local live short sig pid before after
  live=$(cname live)
  short=$(cname short)
  sig=$BATS_TEST_TMPDIR/sig
  mkdir -p "$sig"
  run b run -d --name "$live" busybox sh -c \
    'i=0; while [ ! -e /tmp/stop ]; do i=$((i+1)); echo line$i; [ -e /tmp/go ] && echo tick; sleep 0.1; done; exit 4'
  [ "$status" -eq 0 ]
  # This one exits while berthd is down: when the test touches $sig/go.
  run b run -d --name "$short" -v "$sig:/sig" busybox sh -c \
    'while [ ! -e /sig/go ]; do sleep 0.05; done; exit 7'
  [ "$status" -eq 0 ]
  wait_state "$short" running
  pid=$(b inspect -f '{{.State.Pid}}' "$short")
  [ "$pid" -gt 0 ]
  until_ok 50 logs_have_line "$live" line3
  before=$(b logs "$live")

  berthd_kill9
  run b version
  [ "$status" -ne 0 ]
  touch "$sig/go"
  until_ok 100 pid_gone "$pid"
  berthd_launch

  run b inspect -f '{{.State.Running}} {{.State.Status}}' "$live"
  [ "$output" = "true running" ]
  run b inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' "$short"
  [ "$output" = "exited 7 false" ]
  run b ps -a --filter "name=$short" --format '{{.Status}}'
  [[ $output == "Exited (7) "* ]]
  # The log has what came before, and nothing written while berthd was down is missing.
  after=$(b logs "$live")
  [[ $after == "$before"* ]]
  b logs "$live" | grep '^line' | awk '$0 != "line" NR { bad = 1 } END { exit bad }'
  # And it grows after the restore.
  until_ok 50 logs_longer_than "$live" "$(echo "$after" | wc -l)"

  run b exec "$live" sh -c 'echo exec-ok; exit 6'
  [ "$status" -eq 6 ]
  [ "$output" = exec-ok ]
  # attach sees the new output and returns the exit status of the container.
  timeout 20 "$BERTH" attach --no-stdin "$live" >"$BATS_TEST_TMPDIR/attach.out" 2>&1 &
  local apid=$! rc=0
  b exec "$live" touch /tmp/go
  until_ok 100 grep -qx tick "$BATS_TEST_TMPDIR/attach.out"
  b exec "$live" touch /tmp/stop
  wait "$apid" || rc=$?
  [ "$rc" -eq 4 ]
  grep -qx tick "$BATS_TEST_TMPDIR/attach.out"
  run b inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$live"
  [ "$output" = "exited 4" ]
}

# launcher_of BERTHD_PID: the pid of berthd's shim launcher (berth-shim --launcher).
launcher_of() { pgrep -P "$1" -f 'berth-shim --launcher'; }

@test "shims are forked by berthd's launcher, named by their container, and outlive it" {
  berthd_only "looks at the private berthd's processes"
  local c id bpid launcher shim again
  c=$(cname fork)
  bpid=$(cat "$BERTHD_DIR/berthd.pid")
  launcher=$(launcher_of "$bpid")
  [ -n "$launcher" ]
  id=$(b run -d --name "$c" busybox sleep 300)
  shim=$(pgrep -f "berth-shim --id $id ")
  # Its command line names the container (a restored berthd finds its shims by it), its
  # parent is the launcher, it leads a session of its own, and only its own fds are open.
  grep -q -- "--bundle $BERTHD_DIR/" "/proc/$shim/cmdline"
  [ "$(ps -o ppid= -p "$shim" | tr -d ' ')" = "$launcher" ]
  [ "$(ps -o sid= -p "$shim" | tr -d ' ')" = "$shim" ]
  [ "$(readlink "/proc/$shim/fd/0")" = /dev/null ]
  [ "$(readlink "/proc/$shim/fd/2")" = /dev/null ]
  run ls -l "/proc/$shim/fd"
  [[ $output != *signalfd*signalfd* ]]

  # A killed launcher: its shims run on, berthd starts another at the next run and reaps the
  # old one, and it still hears when a shim forked by the old one ends.
  kill -KILL "$launcher"
  run b run --rm busybox echo after-kill
  [ "$status" -eq 0 ]
  [ "$output" = after-kill ]
  again=$(launcher_of "$bpid")
  [ -n "$again" ] && [ "$again" != "$launcher" ]
  ! ps -o stat= --ppid "$bpid" | grep -q Z
  kill -0 "$shim"
  b stop -t 1 "$c"
  run b inspect -f '{{.State.Status}}' "$c"
  [ "$output" = exited ]
  # Started again at once: berthd has seen the old shim end.
  b start "$c"
  wait_state "$c" running

  # berthd killed: the launcher goes with it, the shims stay; the restored berthd has a new one.
  shim=$(pgrep -f "berth-shim --id $id ")
  berthd_kill9
  until_ok 50 pid_gone "$again"
  kill -0 "$shim"
  berthd_launch
  launcher=$(launcher_of "$(cat "$BERTHD_DIR/berthd.pid")")
  [ -n "$launcher" ]
  run b inspect -f '{{.State.Status}}' "$c"
  [ "$output" = running ]
  b rm -f "$c"
}

@test "pause freezes the container's cgroup and unpause thaws it" {
  local n pid
  n=$(cname pause)
  b run -d --name "$n" busybox sh -c 'while :; do sleep 0.1; done' >/dev/null
  wait_state "$n" running
  pid=$(b inspect -f '{{.State.Pid}}' "$n")
  [ "$pid" -gt 0 ]
  [ "$(freezer_state "$pid")" = THAWED ]
  run b pause "$n"
  [ "$status" -eq 0 ]
  [ "$output" = "$n" ]
  run b inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' "$n"
  [ "$output" = "paused true true" ]
  [ "$(freezer_state "$pid")" = FROZEN ]
  run --separate-stderr b exec "$n" true
  [ "$status" -ne 0 ]
  [[ $stderr == *"is paused"* ]]
  run b unpause "$n"
  [ "$status" -eq 0 ]
  [ "$output" = "$n" ]
  run b inspect -f '{{.State.Status}} {{.State.Paused}}' "$n"
  [ "$output" = "running false" ]
  [ "$(freezer_state "$pid")" = THAWED ]
  run b exec "$n" echo thawed
  [ "$output" = thawed ]
}

@test "run -m and --pids-limit set the container's memory and pids cgroups" {
  local n pid
  n=$(cname limits)
  b run -d --name "$n" -m 64m --pids-limit 10 busybox sleep 100 >/dev/null
  wait_state "$n" running
  run b inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' "$n"
  [ "$output" = "67108864 10" ]
  pid=$(b inspect -f '{{.State.Pid}}' "$n")
  [ "$pid" -gt 0 ]
  [ "$(cat "$(cg_file "$pid" memory memory.limit_in_bytes memory.max)")" = 67108864 ]
  [ "$(cat "$(cg_file "$pid" pids pids.max pids.max)")" = 10 ]
}

@test "run -it under script(1) gets a /dev/pts terminal and returns the exit status" {
  command -v script >/dev/null || skip "script (util-linux) not installed"
  run script -qec "$(printf '%q' "$BERTH") run --rm -it busybox sh -c 'tty; exit 3'" /dev/null \
    </dev/null
  [ "$status" -eq 3 ]
  [[ $output =~ /dev/pts/[0-9]+ ]]
  [[ $output != *"not a tty"* ]]
  [[ $output != *"not a TTY"* ]]
}

@test "a non-root user in the socket's group can use berthd; one outside it is refused" {
  berthd_only "starts a berthd of its own"
  SOCK_GROUP=bclg$$${RANDOM}
  groupadd "$SOCK_GROUP"
  SOCK_USERS=("bclu$$${RANDOM}" "bclo$$${RANDOM}")
  useradd -M -N -G "$SOCK_GROUP" -s /bin/sh "${SOCK_USERS[0]}"
  useradd -M -N -s /bin/sh "${SOCK_USERS[1]}"
  sock_berthd_start "$SOCK_GROUP"
  run stat -c '%a %U %G' "$SOCK_DIR/sock"
  [ "$output" = "660 root $SOCK_GROUP" ]
  # The users' own environment: no DOCKER_CONFIG of root's, the host given by -H.
  run runuser -u "${SOCK_USERS[0]}" -- env -u DOCKER_CONFIG -u DOCKER_HOST \
    "$BERTH" -H "unix://$SOCK_DIR/sock" ps
  [ "$status" -eq 0 ]
  [[ ${lines[0]} =~ ^CONTAINER\ ID\ +IMAGE ]]
  run runuser -u "${SOCK_USERS[0]}" -- env -u DOCKER_CONFIG -u DOCKER_HOST \
    "$BERTH" -H "unix://$SOCK_DIR/sock" version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  [ -n "$output" ]
  run --separate-stderr runuser -u "${SOCK_USERS[1]}" -- env -u DOCKER_CONFIG -u DOCKER_HOST \
    "$BERTH" -H "unix://$SOCK_DIR/sock" ps
  [ "$status" -ne 0 ]
  [ -z "$output" ]
  [[ $stderr == *"$SOCK_DIR/sock"* ]]
  [[ ${stderr,,} == *"permission denied"* ]]
}

@test "bad input through berth: clear messages, docker's exit codes, and berthd keeps serving" {
  local n
  n=$(cname bad)
  # Unknown image: 125, the message names it, and no container is left behind.
  run --separate-stderr b run --name "$n-img" cli-no-such-image:9 true
  [ "$status" -eq 125 ]
  [[ $stderr == *"cli-no-such-image:9"* ]]
  run b ps -aq --filter "name=$n-img"
  [ -z "$output" ]
  # Unknown container.
  local cmd
  for cmd in stop rm logs; do
    run --separate-stderr b "$cmd" "$n-nosuch"
    [ "$status" -ne 0 ]
    [[ $stderr == *"No such container: $n-nosuch"* ]]
  done
  # The same name twice.
  b run -d --name "$n" busybox sleep 100 >/dev/null
  run --separate-stderr b run --name "$n" busybox true
  [ "$status" -eq 125 ]
  [[ $stderr == *"\"/$n\" is already in use"* ]]
  run b ps -a --filter "name=$n" --format '{{.Names}}'
  [ "$output" = "$n" ]
  # Bad flag values, refused before anything is created.
  run --separate-stderr b run --rm --name "$n-port" -p abc busybox true
  [ "$status" -eq 125 ]
  [[ $stderr == *"invalid containerPort: abc"* ]]
  run --separate-stderr b run --rm --name "$n-mem" -m 12zz busybox true
  [ "$status" -eq 125 ]
  [[ $stderr == *'invalid argument "12zz" for "-m, --memory" flag'* ]]
  run b ps -aq --filter "name=$n-"
  [ -z "$output" ]
  # berthd still answers.
  run b version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  [ -n "$output" ]
  run b run --rm busybox echo still-serving
  [ "$output" = still-serving ]
}
