#!/usr/bin/env bats
# berth-shim driven directly, the test playing berthd: it makes the state dir, starts the shim
# in the background with a ready pipe, and talks to shim.sock through a small python client.
# The runtime under test is BERTH_RUNTIME (berth-runtime or runc); BERTH_SHIM is the shim.

load helpers

SHIM=${BERTH_SHIM:-$REPO/build/tools/berth-shim/berth-shim}
# The system python when there is one: a pyenv shim takes over a second to start.
PYTHON=$(command -v /usr/bin/python3 || command -v python3)

setup_file() {
  # ctl.py SOCK REQUEST [options]: sends REQUEST, prints the answer line, then (with --out DIR)
  # appends each frame's payload to DIR/<stream byte> until the shim closes the stream.
  cat >"$BATS_FILE_TMPDIR/ctl.py" <<'EOF'
import argparse, os, socket, sys, time
p = argparse.ArgumentParser()
p.add_argument("sock")
p.add_argument("request")
p.add_argument("--stdin", default=None, help="bytes sent after the request, then EOF")
p.add_argument("--stdin-after", default=None, help="send --stdin once this file exists")
p.add_argument("--keep-stdin", action="store_true", help="no EOF after the request")
p.add_argument("--out", default=None)
p.add_argument("--reply-only", action="store_true", help="leave after the answer line")
p.add_argument("--stall", type=float, default=0, help="after the answer, read nothing for S s")
p.add_argument("--timeout", type=float, default=60)
p.add_argument("--announce", default=None, help="file made once the request is sent")
a = p.parse_args()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(a.timeout)
s.connect(a.sock)
s.sendall(a.request.encode() + b"\n")
if a.announce:
    open(a.announce, "w").close()
def send_stdin():
    if a.stdin is not None:
        s.sendall(a.stdin.encode())
    if not a.keep_stdin:
        s.shutdown(socket.SHUT_WR)
if not a.stdin_after:
    send_stdin()
buf = b""
while b"\n" not in buf:
    chunk = s.recv(1)
    if not chunk:
        break
    buf += chunk
print(buf.decode().rstrip("\n"), flush=True)
if a.reply_only:
    sys.exit(0)
if a.stall:
    time.sleep(a.stall)
    sys.exit(0)
if a.stdin_after:
    while not os.path.exists(a.stdin_after):
        time.sleep(0.02)
    send_stdin()
if a.out:
    os.makedirs(a.out, exist_ok=True)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        while len(data) >= 8:
            n = int.from_bytes(data[4:8], "big")
            if len(data) < 8 + n:
                break
            with open(os.path.join(a.out, str(data[0])), "ab") as f:
                f.write(data[8:8 + n])
            data = data[8 + n:]
    if data:
        print("partial frame at the end: %r" % data[:16], file=sys.stderr)
        sys.exit(1)
EOF
}

setup() {
  berth_setup
  STATE=$BATS_TEST_TMPDIR/state
  CTRLOG=$BATS_TEST_TMPDIR/ctr-json.log
  T=$BATS_TEST_TMPDIR
  SHIM_PID=
  WAITER=
  BG=()
  mkdir -p "$STATE"
}

teardown() {
  local pid leaked=
  for pid in "${BG[@]}" $WAITER; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$SHIM_PID" ] && kill -0 "$SHIM_PID" 2>/dev/null; then
    leaked="shim $SHIM_PID still running; its stderr: $(cat "$T/shim.err" 2>/dev/null)"
    kill -9 "$SHIM_PID" 2>/dev/null || true
    wait "$SHIM_PID" 2>/dev/null || true
  fi
  berth_teardown
  if [ -n "$leaked" ]; then
    echo "leaked: $leaked" >&2
    return 1
  fi
}

# shim_start [FLAG...]: starts berth-shim for $BUNDLE and reads its ready line into $READY
# ("ok": its socket is bound; the container runs at "start"). berth-runtime runs linked into the
# shim (--runtime-linked), as berthd runs it; any other runtime (runc) is exec'd.
shim_start() {
  local runtime linked=()
  runtime=$(command -v "$RUNTIME")
  [ "$(basename "$runtime")" = berth-runtime ] && linked=(--runtime-linked)
  mkfifo "$T/ready"
  "$SHIM" --id "$ID" --bundle "$BUNDLE" --state-dir "$STATE" --runtime "$runtime" \
    --runtime-root "$ROOT" --log "$CTRLOG" --ready-fd 3 "${linked[@]}" "$@" \
    3>"$T/ready" </dev/null >"$T/shim.out" 2>"$T/shim.err" &
  SHIM_PID=$!
  READY=
  read -r -t 30 READY <"$T/ready" || true
  INIT_PID=
  [ "$READY" = ok ] || echo "# ready line: '$READY'; shim stderr: $(cat "$T/shim.err")" >&2
}

# start_init: "start" on shim.sock, which runs the container; its answer ("ok <init pid>") in
# $STARTED, the pid in $INIT_PID. Fails when the start did.
start_init() {
  STARTED=$(ctl start)
  INIT_PID=
  if [[ $STARTED =~ ^ok\ ([0-9]+)$ ]]; then INIT_PID=${BASH_REMATCH[1]}; fi
  [ -n "$INIT_PID" ] || echo "# start: '$STARTED'; shim stderr: $(cat "$T/shim.err")" >&2
  [ -n "$INIT_PID" ]
}

# shim_exit: waits (10s at most) for the shim to exit and sets $SHIM_RC.
shim_exit() {
  local i
  for i in $(seq 200); do
    kill -0 "$SHIM_PID" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$SHIM_PID" 2>/dev/null; then
    echo "shim $SHIM_PID did not exit" >&2
    return 1
  fi
  SHIM_RC=0
  wait "$SHIM_PID" || SHIM_RC=$?
  SHIM_PID=
}

# ctl REQUEST [OPTION...]: one request on shim.sock; prints the answer (and with --out, the
# stream lands in a directory).
ctl() {
  "$PYTHON" "$BATS_FILE_TMPDIR/ctl.py" "$STATE/shim.sock" "$@"
}

# ctl_bg NAME REQUEST [OPTION...]: ctl in the background, answer in $T/NAME.reply, stream in
# $T/NAME/; waits until the answer is there.
ctl_bg() {
  local name=$1
  shift
  ctl "$@" --out "$T/$name" >"$T/$name.reply" 2>"$T/$name.err" &
  BG+=($!)
  wait_for "$T/$name.reply" '^ok'
}

# start_waiter: a `wait` request in the background, sent before it returns: a container that
# exits at once takes its shim and shim.sock with it before a later `ctl wait` could connect.
start_waiter() {
  local i
  ctl wait --announce "$T/wait.sent" >"$T/wait.reply" 2>"$T/wait.err" &
  WAITER=$!
  for i in $(seq 250); do
    [ -e "$T/wait.sent" ] && return 0
    sleep 0.02
  done
  return 1
}

# waited: the waiter's answer (30s at most). Polls: it runs in $(...), where the waiter is no
# child to `wait` for.
waited() {
  local i
  for i in $(seq 600); do
    kill -0 "$WAITER" 2>/dev/null || break
    sleep 0.05
  done
  cat "$T/wait.reply"
}

# wait_bg: waits for the background clients (they end when the shim closes their streams).
wait_bg() {
  local pid
  for pid in "${BG[@]}"; do wait "$pid"; done
  BG=()
}

# process_json FILE ARG...: an exec process.json from the bundle's process with ARGS.
process_json() {
  local file=$1 a
  shift
  a=$(jq -cn '$ARGS.positional' --args -- "$@")
  jq --argjson a "$a" '.process | .args = $a | .terminal = false' "$BUNDLE/config.json" >"$file"
}

@test "the shim is ready before the container exists; start runs it and answers the init pid" {
  set_args sleep 100
  shim_start
  [ "$READY" = ok ]
  [ "$(cat "$STATE/shim.pid")" = "$SHIM_PID" ]
  [ -S "$STATE/shim.sock" ]
  [ "$(ctl status)" = "ok created" ]
  # Nothing runs before start: the runtime does not know the container yet.
  run rt state "$ID"
  [ "$status" -ne 0 ]
  start_waiter
  start_init
  [ "$(cat "$STATE/init.pid")" = "$INIT_PID" ]
  [ "$(status_of)" = running ]
  [ "$(ctl status)" = "ok running $INIT_PID" ]
  # The runtime has exited: its init is the shim's child now (the shim is a subreaper).
  [ "$(awk '/^PPid:/ {print $2}' "/proc/$INIT_PID/status")" = "$SHIM_PID" ]
  rt kill "$ID" KILL
  [ "$(waited)" = "ok 137" ]
  shim_exit
  [ "$SHIM_RC" -eq 0 ]
}

@test "wait returns the exit code, the exit file records it and the shim cleans up" {
  set_args sh -c 'exit 3'
  shim_start
  start_waiter
  start_init
  [ "$(waited)" = "ok 3" ]
  shim_exit
  [ "$SHIM_RC" -eq 0 ]
  [ "$(jq -r .exitCode "$STATE/exit")" = 3 ]
  [ "$(jq -r .pid "$STATE/exit")" = "$INIT_PID" ]
  [[ $(jq -r .exitedAt "$STATE/exit") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z$ ]]
  [ ! -e "$STATE/shim.sock" ]
  run rt state "$ID"
  [ "$status" -ne 0 ]
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "waiters hear the exit before runtime delete is done; the shim ends only after it" {
  set_args sh -c 'exit 5'
  local real
  real=$(command -v "$RUNTIME")
  # A runtime whose delete holds until the test lets it go.
  cat >"$T/rt-held" <<EOF
#!/bin/bash
for a in "\$@"; do
  if [ "\$a" = delete ]; then
    touch "$T/delete.started"
    while [ ! -e "$T/delete.go" ]; do sleep 0.02; done
    break
  fi
done
exec "$real" "\$@"
EOF
  chmod +x "$T/rt-held"
  RUNTIME="$T/rt-held" shim_start
  start_waiter
  start_init
  [ "$(waited)" = "ok 5" ]
  [ "$(jq -r .exitCode "$STATE/exit")" = 5 ]
  local i
  for i in $(seq 250); do
    [ -e "$T/delete.started" ] && break
    sleep 0.02
  done
  [ -e "$T/delete.started" ]
  # The runtime still knows the container and the shim waits for its delete.
  rt state "$ID" >/dev/null
  kill -0 "$SHIM_PID"
  touch "$T/delete.go"
  shim_exit
  [ "$SHIM_RC" -eq 0 ]
  run rt state "$ID"
  [ "$status" -ne 0 ]
  [ -z "$(leaked_cgroups "$ID")" ]
  [ ! -e "$STATE/shim.sock" ]
}

@test "stdout and stderr land in the json log with their streams" {
  set_args sh -c 'echo out1; echo err1 >&2; printf "tab\there <&> \"q\"\n"; printf no-newline'
  shim_start
  start_waiter
  start_init
  [ "$(waited)" = "ok 0" ]
  shim_exit
  jq -e . "$CTRLOG" >/dev/null
  [ "$(wc -l <"$CTRLOG")" -eq 4 ]
  [ "$(jq -r 'select(.stream == "stderr") | .log' "$CTRLOG")" = err1 ]
  [ "$(jq -rj 'select(.stream == "stdout") | .log' "$CTRLOG")" = $'out1\ntab\there <&> "q"\nno-newline' ]
  # Docker's bytes exactly: moby escapes tab as \u0009 and < > & as in HTML; an unterminated
  # last line is logged without a newline.
  grep -qF '{"log":"tab\u0009here \u003c\u0026\u003e \"q\"\n","stream":"stdout","time":"' "$CTRLOG"
  grep -qF '{"log":"no-newline","stream":"stdout","time":"' "$CTRLOG"
  ! grep -vE '"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z"}$' "$CTRLOG"
}

@test "attached clients see the output from when they attached, several at once" {
  set_args sh -c 'echo first; read line; echo "second:$line"; echo err >&2'
  shim_start --stdin
  ctl_bg a "attach stdout,stderr"
  start_waiter
  start_init
  wait_for "$T/a/1" first
  ctl_bg b "attach stdout"
  [ "$(ctl 'attach stdin' --stdin $'hello\n' --reply-only)" = ok ]
  [ "$(waited)" = "ok 0" ]
  wait_bg
  [ "$(cat "$T/a/1")" = $'first\nsecond:hello' ]
  [ "$(cat "$T/a/2")" = err ]
  [ "$(cat "$T/b/1")" = second:hello ]
  [ ! -e "$T/b/2" ]
  shim_exit
}

@test "with --stdin-once the container's stdin closes when the attached client's input ends" {
  set_args sh -c 'cat; echo done'
  shim_start --stdin --stdin-once
  start_init
  run ctl "attach stdin,stdout" --stdin $'line1\nline2\n' --out "$T/att"
  [ "$status" -eq 0 ]
  [ "$output" = ok ]
  [ "$(cat "$T/att/1")" = $'line1\nline2\ndone' ]
  shim_exit
  [ "$(jq -r .exitCode "$STATE/exit")" = 0 ]
}

@test "without --stdin-once stdin stays open for the next client" {
  set_args sh -c 'read a; read b; echo "$a+$b"'
  shim_start --stdin
  start_init
  [ "$(ctl 'attach stdin' --stdin $'x\n' --reply-only)" = ok ]
  run ctl "attach stdin,stdout" --stdin $'y\n' --out "$T/att"
  [ "$(cat "$T/att/1")" = x+y ]
  shim_exit
}

@test "a tty container writes through the pty and resize sets its size" {
  cfg '.process.terminal = true'
  # The size given before start reaches the pty once the shim has it (the runtime may start the
  # process a moment before: berthd puts the first size in the spec's consoleSize); a resize
  # while it runs ends the second loop.
  set_args sh -c 'until [ "$(stty size)" = "30 100" ]; do sleep 0.02; done; stty size; tty; echo tty-ok >&2; while [ "$(stty size)" = "30 100" ]; do sleep 0.05; done; stty size'
  shim_start --tty
  [ "$(ctl 'resize 30 100')" = ok ]
  ctl_bg a "attach stdout,stderr"
  start_waiter
  start_init
  wait_for "$T/a/1" tty-ok
  [ "$(ctl 'resize 41 120')" = ok ]
  [ "$(waited)" = "ok 0" ]
  wait_bg
  # With a tty everything is stream 1, lines end in \r\n.
  grep -q $'^30 100\r$' "$T/a/1"
  grep -q '^/dev/pts/' "$T/a/1"
  grep -q $'^tty-ok\r$' "$T/a/1"
  grep -q $'^41 120\r$' "$T/a/1"
  [ ! -e "$T/a/2" ]
  grep -qF '{"log":"30 100\r\n","stream":"stdout"' "$CTRLOG"
  ! grep -q '"stream":"stderr"' "$CTRLOG"
  shim_exit
  [ ! -e "$STATE/console.sock" ]
}

@test "with a tty and --stdin, what an attached client sends is typed into the pty" {
  cfg '.process.terminal = true'
  set_args sh -c 'read line; echo "got:$line"'
  shim_start --tty --stdin
  start_init
  run ctl "attach stdin,stdout" --stdin $'typed\n' --out "$T/att"
  [ "$status" -eq 0 ]
  # The pty echoes the input, then the process answers.
  grep -q $'^typed\r$' "$T/att/1"
  grep -q $'^got:typed\r$' "$T/att/1"
  shim_exit
  [ "$(jq -r .exitCode "$STATE/exit")" = 0 ]
}

@test "resize of a container without a tty is refused" {
  set_args true
  shim_start
  [[ $(ctl 'resize 30 100') == error* ]]
  start_init
  shim_exit
}

@test "exec streams its output to its client only and ends with an exit frame" {
  set_args sleep 100
  shim_start
  [[ $(ctl "exec e0 /nonexistent.json -") == "error container is not running" ]]
  start_init
  process_json "$T/p1.json" sh -c 'echo exec-out; echo exec-err >&2; exit 7'
  run ctl "exec e1 $T/p1.json -" --out "$T/e1"
  [ "$status" -eq 0 ]
  [[ $output =~ ^ok\ [0-9]+$ ]]
  [ "$(cat "$T/e1/1")" = exec-out ]
  [ "$(cat "$T/e1/2")" = exec-err ]
  [ "$(cat "$T/e1/255")" = 7 ]
  process_json "$T/p2.json" cat
  run ctl "exec e2 $T/p2.json stdin" --stdin $'piped\n' --out "$T/e2"
  [ "$(cat "$T/e2/1")" = piped ]
  [ "$(cat "$T/e2/255")" = 0 ]
  ! grep -q exec- "$CTRLOG"
  ls "$STATE" >"$T/files"
  [ "$(sort "$T/files" | tr '\n' ' ')" = "init.pid shim.pid shim.sock " ]
  start_waiter
  rt kill "$ID" KILL
  [ "$(waited)" = "ok 137" ]
  shim_exit
  [ "$(jq -r .exitCode "$STATE/exit")" = 137 ]
}

@test "a failing exec answers with the runtime's error" {
  set_args sleep 100
  shim_start
  start_init
  process_json "$T/p.json" /no/such/binary
  run ctl "exec e1 $T/p.json -"
  [[ $output == error* ]]
  [ "$(ctl status)" = "ok running $INIT_PID" ]
  rt kill "$ID" KILL
  shim_exit
}

@test "a tty exec gets a pty and exec-resize sets its size" {
  set_args sleep 100
  shim_start
  start_init
  jq '.process | .args = ["sh", "-c", "read x; stty size"] | .terminal = true' \
    "$BUNDLE/config.json" >"$T/p.json"
  ctl_bg e "exec e1 $T/p.json tty,stdin" --stdin $'go\n' --stdin-after "$T/resized" --keep-stdin
  [ "$(ctl 'exec-resize e1 40 120')" = ok ]
  [[ $(ctl 'exec-resize nope 40 120') == error* ]]
  touch "$T/resized"
  wait_bg
  grep -q $'^40 120\r$' "$T/e/1"
  [ "$(cat "$T/e/255")" = 0 ]
  rt kill "$ID" KILL
  shim_exit
}

@test "a signalled init is recorded as 128 plus the signal" {
  set_args sleep 100
  shim_start
  start_init
  start_waiter
  rt kill "$ID" TERM
  # sleep as pid 1 ignores TERM without a handler: the kernel protects a namespace's init.
  sleep 0.2
  rt kill "$ID" KILL
  [ "$(waited)" = "ok 137" ]
  shim_exit
  [ "$(jq -r .exitCode "$STATE/exit")" = 137 ]
}

@test "a failing start answers the runtime's error, lets its clients go and leaves nothing behind" {
  echo '{' >"$BUNDLE/config.json"
  shim_start
  [ "$READY" = ok ]
  ctl_bg a "attach stdout,stderr"
  start_waiter
  run ctl start
  [[ $output == "error "* ]]
  [[ $(waited) == "error container failed to start" ]]
  wait_bg
  shim_exit
  [ -z "$(ls -A "$STATE")" ]
  [ -z "$(rt list -q)" ]
}

@test "stdin an attached client sends before start reaches the container" {
  set_args sh -c 'cat; echo done'
  shim_start --stdin --stdin-once
  ctl_bg a "attach stdin,stdout" --stdin $'early1\nearly2\n'
  start_waiter
  start_init
  [ "$(waited)" = "ok 0" ]
  wait_bg
  [ "$(cat "$T/a/1")" = $'early1\nearly2\ndone' ]
  shim_exit
}

@test "a background process holding stdout open does not hold back the exit" {
  # Without its own pid namespace the init's death does not kill the background sleep.
  cfg '.linux.namespaces |= map(select(.type != "pid"))'
  set_args sh -c 'sleep 30 & echo started; exit 4'
  shim_start
  start_waiter
  start_init
  SECONDS=0
  [ "$(waited)" = "ok 4" ]
  ((SECONDS <= 4))
  grep -q started "$CTRLOG"
  shim_exit
  [ "$(jq -r .exitCode "$STATE/exit")" = 4 ]
}

@test "a client that stops reading is dropped while the container and the log go on" {
  set_args sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123 | head -n 40000; echo end'
  shim_start
  ctl "attach stdout" --stall 60 >"$T/slow.reply" &
  BG+=($!)
  wait_for "$T/slow.reply" '^ok'
  ctl_bg fast "attach stdout"
  start_waiter
  start_init
  SECONDS=0
  [ "$(waited)" = "ok 0" ]
  ((SECONDS <= 20))
  grep -q 'dropping a client' "$T/shim.err"
  [ "$(wc -l <"$CTRLOG")" -eq 40001 ]
  tail -1 "$CTRLOG" | grep -q '"log":"end\\n"'
  kill "${BG[0]}"
  BG=("${BG[@]:1}")
  wait_bg
  [ "$(wc -l <"$T/fast/1")" -eq 40001 ]
  shim_exit
}

@test "clients that leave at any point or send nonsense do not disturb the shim" {
  set_args sh -c 'read x; echo "got:$x"'
  shim_start --stdin
  "$PYTHON" - "$STATE/shim.sock" <<'EOF'
import socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    return s
conn().close()                                  # nothing sent
s = conn(); s.sendall(b"sta"); s.close()        # half a request
s = conn(); s.sendall(b"attach stdout\n"); s.close()
s = conn(); s.sendall(b"wait\n"); s.close()
s = conn(); s.sendall(b"attach stdout,stdin\n"); s.shutdown(socket.SHUT_WR); s.close()
s = conn(); s.sendall(b"x" * 20000); s.close()   # an overlong line
EOF
  [[ $(ctl bogus) == "error unknown request 'bogus'" ]]
  [[ $(ctl 'resize 1') == error* ]]
  [ "$(ctl status)" = "ok created" ]
  start_init
  [[ $(ctl start) == "error container is already running" ]]
  run ctl "attach stdin,stdout" --stdin $'still here\n' --out "$T/att"
  [ "$(cat "$T/att/1")" = "got:still here" ]
  shim_exit
  [ "$SHIM_RC" -eq 0 ]
}

@test "the log rotates by --log-max-size and --log-max-file" {
  set_args sh -c 'i=1; while [ $i -le 300 ]; do echo line-$i; i=$((i + 1)); done'
  shim_start --log-max-size 2000 --log-max-file 3
  start_init
  shim_exit
  [ -f "$CTRLOG.1" ]
  [ -f "$CTRLOG.2" ]
  [ ! -e "$CTRLOG.3" ]
  tail -1 "$CTRLOG" | grep -q '"log":"line-300\\n"'
  # The three files hold the newest lines, in order, without a gap.
  cat "$CTRLOG.2" "$CTRLOG.1" "$CTRLOG" | jq -j .log | sed 's/line-//' >"$T/n"
  [ "$(tail -1 "$T/n")" = 300 ]
  [ "$(awk 'NR > 1 && $1 != prev + 1 {bad = 1} {prev = $1} END {print bad + 0}' "$T/n")" = 0 ]
  for f in "$CTRLOG" "$CTRLOG.1"; do [ "$(stat -c %s "$f")" -lt 2200 ]; done
}
