#!/usr/bin/env bats
# berth's command line itself: help, management-command aliases, usage errors, daemon
# selection (-H, BERTH_HOST, DOCKER_HOST) and what it says when no daemon answers.

load cli_helpers
load ../lib/tls_certs.bash

setup_file() { cli_setup_file; }
teardown_file() { cli_teardown_file; }
teardown() { cli_teardown; }

@test "berth with no arguments prints the command overview" {
  run b
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Usage:  berth [OPTIONS] COMMAND" ]
  [[ $output == *"Common Commands:"*"  run "*"Management Commands:"*"  container "*"Commands:"*"  attach "*"Global Options:"* ]]
}

@test "every command has --help in docker's layout" {
  run b run --help
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Usage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]" ]
  [[ $output == *"Aliases:"*"berth container run, berth run"* ]]
  [[ $output == *"  -d, --detach "*"Run container in background and"* ]]
  [[ $output == *"      --restart string "*'(default "no")'* ]]
  local cmd
  for cmd in create start stop restart kill pause unpause rm ps logs attach exec inspect wait \
    rename top diff export cp commit port images tag rmi history save load import pull events \
    version info "container prune" "image prune" "volume create" "volume ls" "volume inspect" \
    "volume rm" "volume prune" "system df" "system prune"; do
    # shellcheck disable=SC2086 # management commands are two words
    run b $cmd --help
    [ "$status" -eq 0 ] || {
      echo "berth $cmd --help: $output"
      return 1
    }
    [[ ${lines[0]} == "Usage:  berth $cmd"* ]]
  done
}

@test "management commands list their subcommands and reach the same commands" {
  run b container
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "Usage:  berth container COMMAND" ]
  [[ $output == *"  ls          List containers"* ]]
  run b image ls --format '{{.Repository}}' busybox
  [ "$output" = busybox ]
  run b container ls -a --format '{{.ID}}'
  [ "$status" -eq 0 ]
  run b container list -q
  [ "$status" -eq 0 ]
  run b image list -q busybox
  [ -n "$output" ]
}

@test "usage errors are worded as docker words them" {
  run --separate-stderr b run --foo
  [ "$status" -eq 125 ]
  [ "$stderr" = $'unknown flag: --foo\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun \'berth run --help\' for more information' ]
  run --separate-stderr b ps -x
  [ "$status" -eq 125 ]
  [[ $stderr == "unknown shorthand flag: 'x' in -x"* ]]
  run --separate-stderr b rm
  [ "$status" -eq 1 ]
  [[ $stderr == "berth: 'berth rm' requires at least 1 argument"* ]]
  run --separate-stderr b ps extra
  [ "$status" -eq 1 ]
  [[ $stderr == "berth: 'berth ps' accepts no arguments"* ]]
  run --separate-stderr b rename a
  [ "$status" -eq 1 ]
  [[ $stderr == "berth: 'berth rename' requires 2 arguments"* ]]
  run --separate-stderr b frobnicate
  [ "$status" -eq 1 ]
  [[ $stderr == "berth: unknown command: berth frobnicate"* ]]
  run --separate-stderr b ps -n abc
  [ "$status" -eq 125 ]
  [[ $stderr == 'invalid argument "abc" for "-n, --last" flag: strconv.ParseInt: parsing "abc": invalid syntax'* ]]
}

@test "daemon errors are printed as 'Error response from daemon'" {
  run --separate-stderr b stop cli-nosuch
  [ "$status" -eq 1 ]
  [ "$stderr" = "Error response from daemon: No such container: cli-nosuch" ]
  run --separate-stderr b logs cli-nosuch
  [ "$status" -eq 1 ]
  [ "$stderr" = "Error response from daemon: No such container: cli-nosuch" ]
}

@test "-H beats BERTH_HOST, which beats DOCKER_HOST" {
  local sock=$DOCKER_HOST
  run env DOCKER_HOST=unix:///nonexistent/d.sock BERTH_HOST="$sock" "$BERTH" ps -q
  [ "$status" -eq 0 ]
  run env BERTH_HOST=unix:///nonexistent/b.sock "$BERTH" -H "$sock" ps -q
  [ "$status" -eq 0 ]
  run --separate-stderr env DOCKER_HOST=unix:///nonexistent/d.sock "$BERTH" ps
  [ "$status" -eq 1 ]
  [ "$stderr" = "Cannot connect to the berth daemon at unix:///nonexistent/d.sock. Is berthd running?" ]
  run --separate-stderr "$BERTH" -H tcp://127.0.0.1:1 version
  [ "$status" -eq 1 ]
  [[ $stderr == *"Cannot connect to the berth daemon at tcp://127.0.0.1:1"* ]]
  run --separate-stderr "$BERTH" -H bogus://x ps
  [ "$status" -eq 1 ]
  [ "$stderr" = "unsupported proto 'bogus'" ]
}

@test "--version prints the client version without a daemon" {
  run env DOCKER_HOST=unix:///nonexistent/d.sock "$BERTH" --version
  [ "$status" -eq 0 ]
  [[ $output =~ ^berth\ version\ [0-9]+\.[0-9]+ ]]
}

@test "the default socket starts berthd when nothing listens" {
  berthd_only "starts berthd with its defaults"
  command -v unshare >/dev/null || skip "unshare not installed"
  local d=$BATS_TEST_TMPDIR/auto
  mkdir -p "$d"
  cp "$BERTH" "$d/berth"
  ln -s "$BERTHD" "$d/berthd"
  # A private mount namespace with empty /run and /var/lib: berthd's defaults
  # (/run/berth/berth.sock, /var/lib/berth) exist only there, and the host's stay untouched.
  # berth finds berthd next to itself; the daemon it starts is stopped by its pid before the
  # namespace goes away.
  run unshare -m --propagation private bash -c '
    mount -t tmpfs none /run && mount -t tmpfs none /var/lib || exit 99
    unset DOCKER_HOST BERTH_HOST
    "$0/berth" ps -q
    rc=$?
    [ -S /run/berth/berth.sock ] || rc=98
    for p in /proc/[0-9]*; do
      if [ "$(tr "\0" " " 2>/dev/null <"$p/cmdline")" = "$0/berthd " ]; then
        kill "${p#/proc/}"
        while kill -0 "${p#/proc/}" 2>/dev/null; do sleep 0.1; done
      fi
    done
    exit $rc' "$d"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "TLS: --tlsverify with client certificates, and DOCKER_CERT_PATH/DOCKER_TLS_VERIFY" {
  berthd_only "starts its own berthd on TCP"
  command -v openssl >/dev/null || skip "openssl not installed"
  local d=$BATS_TEST_TMPDIR/tls port=$((20000 + $$ % 20000)) pid i
  make_tls_certs "$d"
  # A second daemon of its own (the file's berthd holds the data root).
  setsid "$BERTHD" -H "unix://$d/sock" -H "tcp://127.0.0.1:$port" --tlsverify \
    --tlscacert "$d/ca.pem" --tlscert "$d/server-cert.pem" --tlskey "$d/server-key.pem" \
    --data-root "$d/data" --exec-root "$d/exec" --cgroup-parent "/$BERTHD_CGROUP-tls" \
    --pidfile "$d/pid" </dev/null >"$d/log" 2>&1 &
  for i in $(seq 50); do
    curl -sf --unix-socket "$d/sock" http://x/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  run "$BERTH" -H "tcp://127.0.0.1:$port" --tlsverify --tlscacert "$d/ca.pem" \
    --tlscert "$d/cert.pem" --tlskey "$d/key.pem" version --format '{{.Server.Version}}'
  local rc1=$status out1=$output
  run env DOCKER_CERT_PATH="$d" DOCKER_TLS_VERIFY=1 DOCKER_HOST="tcp://localhost:$port" "$BERTH" ps -q
  local rc2=$status
  run --separate-stderr "$BERTH" -H "tcp://127.0.0.1:$port" --tlsverify ps
  local rc3=$status err3=$stderr
  pid=$(cat "$d/pid" 2>/dev/null)
  [ -z "$pid" ] || kill "$pid"
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rmdir /sys/fs/cgroup/*/"$BERTHD_CGROUP-tls" 2>/dev/null || true
  [ "$rc1" -eq 0 ]
  [ -n "$out1" ]
  [ "$rc2" -eq 0 ]
  [ "$rc3" -eq 1 ]
  [[ $err3 == *"certificate"* ]]
}
