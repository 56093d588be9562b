#!/usr/bin/env bats
# Terminals: the pty master travels over --console-socket to `testbin console-recv`, which copies
# what the container writes to a file.

load helpers

# recv_start [INPUT]: starts the receiver on $SOCK, output to $TTYOUT, and waits for it to listen.
recv_start() {
  SOCK=$BATS_TEST_TMPDIR/console.sock
  TTYOUT=$BATS_TEST_TMPDIR/tty.out
  "$TESTBIN" console-recv "$SOCK" "$@" >"$TTYOUT" 2>"$BATS_TEST_TMPDIR/recv.err" &
  RECV=$!
  for i in $(seq 100); do
    [ -S "$SOCK" ] && return 0
    sleep 0.02
  done
  echo "console-recv did not listen" >&2
  return 1
}

# recv_wait: waits (5s at most) for the receiver to see the pty close.
recv_wait() {
  for i in $(seq 100); do
    kill -0 "$RECV" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$RECV" 2>/dev/null; then
    kill "$RECV"
    echo "pty never closed; got: $(cat "$TTYOUT")" >&2
    return 1
  fi
  wait "$RECV"
}

# run_tty ARG...: runs ARGS detached with a terminal and waits for the output.
run_tty() {
  cfg '.process.terminal = true'
  set_args "$@"
  rt run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID" </dev/null >"$LOG" 2>&1
  recv_wait
}

@test "a terminal process has a tty on stdin, stdout and stderr" {
  recv_start
  run_tty sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; /testbin tty'
  grep -q '^/dev/pts/0' "$TTYOUT"
  grep -q stdin-is-tty "$TTYOUT"
  line=$(grep '^{' "$TTYOUT" | tr -d '\r')
  [ "$(jq -r '.isatty0 and .isatty1 and .isatty2' <<<"$line")" = true ]
  [ "$(jq -r .ttyname1 <<<"$line")" = /dev/pts/0 ]
}

@test "input typed into the master reaches the process" {
  recv_start 'hello-berth
'
  run_tty sh -c 'read line; echo "got:$line"'
  grep -q 'got:hello-berth' "$TTYOUT"
}

@test "the terminal process leads its session" {
  recv_start
  run_tty /testbin pid
  [ "$(grep '^{' "$TTYOUT" | tr -d '\r' | jq .sid)" -eq 1 ]
}

@test "/dev/console is the container's pty" {
  recv_start
  run_tty /testbin stat /dev/console
  line=$(grep '^{' "$TTYOUT" | tr -d '\r')
  [ "$(jq -r .type <<<"$line")" = char ]
  [ "$(jq -r .major <<<"$line")" -eq 136 ]
}

@test "create with a terminal and a console socket, then start" {
  recv_start
  cfg '.process.terminal = true'
  set_args sh -c 'tty'
  rt create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID" </dev/null >"$LOG" 2>&1
  [ "$(status_of)" = created ]
  rt start "$ID"
  recv_wait
  grep -q '^/dev/pts/0' "$TTYOUT"
}

@test "a detached terminal without --console-socket is refused" {
  cfg '.process.terminal = true'
  set_args /testbin exit 0
  run ! rt run -d --bundle "$BUNDLE" "$ID" </dev/null
  [[ $output == *console* ]]
  run ! rt state "$ID"
}

@test "a console socket path that does not exist is refused" {
  cfg '.process.terminal = true'
  set_args /testbin exit 0
  run ! rt run -d --console-socket "$BATS_TEST_TMPDIR/none.sock" --bundle "$BUNDLE" "$ID" </dev/null
  run ! rt state "$ID"
}

@test "exec -t with a console socket" {
  start_ctr /testbin sleep 100
  recv_start
  rt exec -t -d --console-socket "$SOCK" "$ID" sh -c 'tty; [ -t 1 ] && echo stdout-is-tty' \
    </dev/null >"$BATS_TEST_TMPDIR/exec.log" 2>&1
  recv_wait
  grep -q '^/dev/pts/' "$TTYOUT"
  grep -q stdout-is-tty "$TTYOUT"
}
