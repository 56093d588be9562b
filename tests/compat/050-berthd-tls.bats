#!/usr/bin/env bats
# The real docker CLI against berthd over TCP with TLS and client certificates: hijacked
# streams (attach, stdin with its end, exec, a tty) behave as over the unix socket. Go's TLS
# CloseWrite sends only a close_notify, which berthd must take for the end of stdin.

bats_require_minimum_version 1.5.0

load ../lib/berthd.bash
load ../lib/tls_certs.bash

setup_file() {
  command -v openssl >/dev/null || skip "openssl not installed"
  berthd_start
  local d=$BERTHD_DIR/tls
  make_tls_certs "$d"
  # The file's berthd again, now also on TCP with TLS (the unix socket stays for cleanup).
  TLS_PORT=$((21000 + $$ % 20000))
  export TLS_PORT
  berthd_restart -H "tcp://127.0.0.1:$TLS_PORT" --tlsverify --tlscacert "$d/ca.pem" \
    --tlscert "$d/server-cert.pem" --tlskey "$d/server-key.pem"
}
teardown_file() { berthd_stop; }
teardown() { berthd_test_teardown tl; }

n() { echo "tl$BATS_TEST_NUMBER-$1"; }

# tdocker ARGS...: the docker CLI over TLS, with a time limit; SIGQUIT at its end makes the Go
# runtime print every goroutine's stack, which shows where a hung client waited.
tdocker() {
  DOCKER_HOST="tcp://127.0.0.1:$TLS_PORT" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$BERTHD_DIR/tls" \
    timeout -s QUIT -k 5 30 docker "$@"
}

@test "over TLS: run streams output and the exit code; stdin ends where the client's ends" {
  run --separate-stderr tdocker run --rm busybox sh -c 'echo out; echo err >&2; exit 3'
  [ "$status" -eq 3 ]
  [ "$output" = out ]
  [ "$stderr" = err ]
  run tdocker run -i --rm busybox cat <<<"piped"
  [ "$status" -eq 0 ]
  [ "$output" = piped ]
  run bash -c "seq 1 20000 | DOCKER_HOST=tcp://127.0.0.1:$TLS_PORT DOCKER_TLS_VERIFY=1 \
    DOCKER_CERT_PATH=$BERTHD_DIR/tls timeout -s QUIT -k 5 30 docker run -i --rm busybox wc -l"
  [ "$status" -eq 0 ]
  [ "$output" = 20000 ]
}

@test "over TLS: exec -i ends with its input, exec -it gets a terminal, attach follows output" {
  tdocker run -d --name "$(n c)" busybox sleep 60
  run tdocker exec -i "$(n c)" sh -c 'cat; echo done' <<<"x"
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'x\ndone')" ]
  # --foreground: script's shell (dash when SHELL is unset, as in CI) may not exec timeout, and a
  # timeout in its own process group would put docker in the background, stopped by SIGTTOU.
  run script -qec "DOCKER_HOST=tcp://127.0.0.1:$TLS_PORT DOCKER_TLS_VERIFY=1 \
    DOCKER_CERT_PATH=$BERTHD_DIR/tls timeout --foreground -s QUIT -k 5 30 docker exec -it $(n c) \
    sh -c 'tty >/dev/null && echo tty; exit 4'" /dev/null
  [ "$status" -eq 4 ]
  # script(1) types a NUL when its own stdin (none here) ends; the tty may echo it first.
  [[ ${output#^@} == tty* ]]
  # attach gets what the container prints after it attached, and its exit status.
  tdocker run -d --name "$(n a)" busybox sh -c 'sleep 2; echo attached; exit 5'
  run tdocker attach --no-stdin "$(n a)"
  [ "$status" -eq 5 ]
  [ "$output" = attached ]
}
