# Shared setup for the CLI system tests (3[1-9]0-cli-*.bats): one private berthd per file
# (tests/lib/berthd.bash), `berth` from the build tree, unique names per test and a teardown
# that removes what the test made.
#
# BERTH (or BERTH_CLI) picks the CLI under test; BERTHD, BERTH_RUNTIME, BERTH_SHIM, BERTH_IMAGE
# the daemon and its helpers (see tests/lib/berthd.bash). BERTH_TEST_HOST=unix:///path runs
# the same tests against a daemon already running there (a private dockerd with
# busybox:latest imported), which is how the CLI is checked against docker itself.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-${BERTH_CLI:-$REPO/build/tools/berth/berth}}
load ../lib/berthd

cli_setup_file() {
  [ -x "$BERTH" ] || {
    echo "berth not built: $BERTH" >&2
    return 1
  }
  export BERTH
  if [ -n "${BERTH_TEST_HOST:-}" ]; then
    export DOCKER_HOST=$BERTH_TEST_HOST
    return 0
  fi
  berthd_start
}

cli_teardown_file() {
  [ -n "${BERTH_TEST_HOST:-}" ] || berthd_stop
}

# Skips checks of berthd's own layout when the tests run against another daemon.
berthd_only() {
  [ -z "${BERTH_TEST_HOST:-}" ] || skip "${1:-checks berthd itself}"
}

# b ARGS...: berth against the private daemon.
b() {
  "$BERTH" "$@"
}

# A name unique to this file and test.
cname() {
  echo "cli${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-$1"
}

# Removes the containers, volumes and image tags this test named with its prefix.
cli_teardown() {
  local prefix ids
  prefix="cli${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}-"
  if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
    echo "# last output (status ${status:-}): ${output:-}"
    [ -z "${BERTHD_DIR:-}" ] ||
      grep -E 'level=(error|warn)|\[error\]' "$BERTHD_DIR/berthd.log" 2>/dev/null | tail -3 | cut -c1-300
  fi
  ids=$("$BERTH" ps -aq --filter "name=$prefix" 2>/dev/null) || true
  # shellcheck disable=SC2086 # a list of IDs
  [ -z "$ids" ] || timeout 60 "$BERTH" rm -f $ids >/dev/null 2>&1 || true
  ids=$("$BERTH" volume ls -q --filter "name=$prefix" 2>/dev/null) || true
  # shellcheck disable=SC2086
  [ -z "$ids" ] || "$BERTH" volume rm -f $ids >/dev/null 2>&1 || true
  ids=$("$BERTH" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep "^$prefix") || true
  # shellcheck disable=SC2086
  [ -z "$ids" ] || "$BERTH" rmi -f $ids >/dev/null 2>&1 || true
  rm -rf "$BATS_TEST_TMPDIR/cli"
}

# wait_state NAME STATE: until .State.Status is STATE (10 s).
wait_state() {
  local i
  for i in $(seq 100); do
    [ "$("$BERTH" inspect -f '{{.State.Status}}' "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  echo "container $1 never reached state $2 (now: $("$BERTH" inspect -f '{{.State.Status}}' "$1" 2>&1))" >&2
  return 1
}

# pty_session ARGS...: runs `berth ARGS...` on a pseudo-terminal of 30x100 and drives a shell
# in it: `stty size`, a resize to 40x120 (with SIGWINCH), `stty size`, then `exit 5`, or the
# detach keys ctrl-p ctrl-q when PTY_DETACH is set. Prints the transcript (\r removed) and
# "exit N" with berth's exit status.
pty_session() {
  /usr/bin/python3 - "$BERTH" "$@" <<'PY'
import os, pty, sys, time, select, struct, fcntl, termios, signal
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
out = b""
def pump(seconds, until=None):
    global out
    end = time.time() + seconds
    while time.time() < end:
        if until and until in out:
            return
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return
            if not d:
                return
            out += d
pump(5, b"# ")
os.write(fd, b"stty size\r")
pump(3, b"30 100")
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
os.kill(pid, signal.SIGWINCH)
time.sleep(0.5)
os.write(fd, b"stty size\r")
pump(3, b"40 120")
os.write(fd, b"\x10\x11" if os.environ.get("PTY_DETACH") else b"exit 5\r")
pump(5)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("\nexit", os.waitstatus_to_exitcode(st))
PY
}
