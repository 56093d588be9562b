#!/usr/bin/env bats
# Seccomp through the real docker CLI against a private berthd, as Docker sets it: the builtin
# default profile unless --security-opt seccomp=unconfined|PROFILE.json or --privileged, with
# the profile's conditional rules following the container's capabilities.

bats_require_minimum_version 1.5.0

load ../lib/berthd.bash

setup_file() { berthd_start; }
teardown_file() { berthd_stop; }
teardown() { berthd_test_teardown bs; }

n() { echo "bs$BATS_TEST_NUMBER-$1"; }

# drun ARGS...: docker run --rm with a timeout, stdout in $output, stderr in $stderr.
drun() {
  run --separate-stderr timeout 60 docker run --rm "$@"
}

@test "docker info lists the builtin seccomp profile" {
  run docker info --format '{{json .SecurityOptions}}'
  [ "$status" -eq 0 ]
  [ "$output" = '["name=seccomp,profile=builtin"]' ]
}

@test "containers and their execs are filtered by default; unconfined is not" {
  drun busybox grep Seccomp: /proc/self/status
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'Seccomp:\t2')" ]
  drun --security-opt seccomp=unconfined busybox grep Seccomp: /proc/self/status
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'Seccomp:\t0')" ]
  docker run -d --name "$(n d)" busybox sleep 60
  run docker exec "$(n d)" grep Seccomp: /proc/self/status
  [ "$output" = "$(printf 'Seccomp:\t2')" ]
}

@test "--privileged runs without seccomp, with every capability the host has" {
  # Every capability of berthd's bounding set (this host kind lacks CAP_SYS_RESOURCE).
  drun --privileged busybox grep -E '^(Seccomp|CapBnd):' /proc/self/status
  [ "$status" -eq 0 ]
  local host
  host=$(awk '/^CapBnd/ { print "CapBnd:\t" $2 }' /proc/self/status)
  [ "${lines[0]}" = "$host" ]
  [ "${lines[1]}" = "$(printf 'Seccomp:\t0')" ]
  docker run -d --name "$(n p)" busybox sleep 60
  run docker exec --privileged "$(n p)" grep CapEff: /proc/self/status
  [ "$status" -eq 0 ]
  [ "$output" = "${host/CapBnd/CapEff}" ]
}

@test "a call outside the default profile fails with EPERM until unconfined or its capability" {
  # unshare(CLONE_NEWUSER) needs no capability from the kernel: only the profile refuses it.
  drun busybox unshare -U true
  [ "$status" -eq 1 ]
  [[ $stderr == *"Operation not permitted"* ]]
  drun --security-opt seccomp=unconfined busybox unshare -U true
  [ "$status" -eq 0 ]
  drun --cap-add SYS_ADMIN busybox unshare -U true
  [ "$status" -eq 0 ]
  drun --cap-add SYS_ADMIN busybox sh -c 'mkdir /m && mount -t tmpfs none /m && echo mounted'
  [ "$status" -eq 0 ]
  [ "$output" = mounted ]
}

@test "the default profile keeps busybox's everyday calls: sh, ps, top, chroot, pipes" {
  drun busybox sh -c 'ps -o pid,comm | grep -c ps; top -b -n1 | grep -c "^Mem:"; chroot / true && echo chroot; echo a | cat'
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf '1\n1\nchroot\na')" ]
  # --cap-drop SYS_CHROOT takes chroot out of the profile too.
  drun --cap-drop SYS_CHROOT busybox chroot / true
  [ "$status" -ne 0 ]
}

@test "a profile file: the CLI sends it, its includes and excludes follow the capabilities" {
  local p=$BERTHD_DIR/mkdir-denied.json
  cat >"$p" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
               "excludes": {"caps": ["CAP_SYS_ADMIN"]}}]}
EOF
  drun --security-opt "seccomp=$p" busybox sh -c 'grep Seccomp: /proc/self/status; mkdir /x'
  [ "$status" -eq 1 ]
  [ "$output" = "$(printf 'Seccomp:\t2')" ]
  [[ $stderr == *"Permission denied"* ]]
  drun --cap-add SYS_ADMIN --security-opt "seccomp=$p" busybox sh -c 'mkdir /x && echo made'
  [ "$status" -eq 0 ]
  [ "$output" = made ]
  # A profile with no default action and no rules turns seccomp off, as in Docker.
  echo '{}' >"$BERTHD_DIR/empty.json"
  drun --security-opt "seccomp=$BERTHD_DIR/empty.json" busybox grep Seccomp: /proc/self/status
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'Seccomp:\t0')" ]
}

@test "a bad profile fails the run with the profile's error" {
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"],
        "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "4"}}]}' >"$BERTHD_DIR/bad.json"
  drun --name "$(n bad)" --security-opt "seccomp=$BERTHD_DIR/bad.json" busybox true
  [ "$status" -eq 125 ]
  [[ $stderr == *'invalid kernel version: "4"'* ]]
}

@test "berthd --seccomp-profile: a file or unconfined is the default; a bad file stops berthd" {
  local p=$BERTHD_DIR/daemon-mkdir-denied.json
  cat >"$p" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
JSON
  berthd_restart --seccomp-profile "$p"
  run docker info --format '{{json .SecurityOptions}}'
  [ "$output" = "[\"name=seccomp,profile=$p\"]" ]
  drun busybox mkdir /x
  [ "$status" -eq 1 ]
  [[ $stderr == *"Operation not permitted"* ]]
  # A container's own choice still wins over the daemon's.
  drun --security-opt seccomp=unconfined busybox sh -c 'mkdir /x && echo made'
  [ "$status" -eq 0 ]
  [ "$output" = made ]

  berthd_restart --seccomp-profile unconfined
  run docker info --format '{{json .SecurityOptions}}'
  [ "$output" = '["name=seccomp,profile=unconfined"]' ]
  drun busybox grep Seccomp: /proc/self/status
  [ "$output" = "$(printf 'Seccomp:\t0')" ]

  # A file that is missing or not a JSON object keeps berthd from starting, and says why.
  echo 'not json' >"$BERTHD_DIR/daemon-bad.json"
  run berthd_restart --seccomp-profile "$BERTHD_DIR/daemon-bad.json"
  [ "$status" -ne 0 ]
  grep -q -- "--seccomp-profile.*daemon-bad.json" "$BERTHD_DIR/berthd.log"
  run berthd_restart --seccomp-profile "$BERTHD_DIR/missing.json"
  [ "$status" -ne 0 ]
  grep -q -- "--seccomp-profile.*missing.json" "$BERTHD_DIR/berthd.log"

  berthd_restart
  run docker info --format '{{json .SecurityOptions}}'
  [ "$output" = '["name=seccomp,profile=builtin"]' ]
}
