# A private berthd for tests: its own socket, data root, exec root and cgroup parent, started
# the way reviewers start one (berthd -H unix://SOCK --data-root DIR --exec-root DIR), with
# busybox:latest bootstrapped into its data root first. Several run side by side.
#
# berthd_start: exports BERTHD_DIR, DOCKER_HOST, DOCKER_CONFIG, BERTHD_CGROUP.
# berthd_stop: stops it and removes every container, shim, mount and cgroup it made.
# Env: BERTHD, BERTH_IMAGE, BERTH_RUNTIME, BERTH_SHIM, BERTH_INIT (absolute paths; default: the
# build tree).
# BERTHD_KEEP=1 keeps the directory (berthd.log) for a post-mortem.

BERTH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BERTHD=${BERTHD:-$BERTH_REPO/build/tools/berthd/berthd}
BERTH_IMAGE=${BERTH_IMAGE:-$BERTH_REPO/build/tools/berth-image/berth-image}

berthd_launch() {
  setsid "$BERTHD" -H "unix://$BERTHD_DIR/sock" --data-root "$BERTHD_DIR/data" \
    --exec-root "$BERTHD_DIR/exec" --cgroup-parent "/$BERTHD_CGROUP" \
    ${BERTH_RUNTIME:+--runtime-path "$BERTH_RUNTIME"} ${BERTH_SHIM:+--shim-path "$BERTH_SHIM"} \
    ${BERTH_INIT:+--init-path "$BERTH_INIT"} ${BERTHD_EXTRA[@]+"${BERTHD_EXTRA[@]}"} \
    --pidfile "$BERTHD_DIR/berthd.pid" --log-level debug \
    </dev/null >>"$BERTHD_DIR/berthd.log" 2>&1 &
  echo $! >"$BERTHD_DIR/launcher.pid"
  # Not a job of this shell: a kill -9 in a live-restore test is no news to report.
  disown $! 2>/dev/null || true
  local i
  for i in $(seq 100); do
    curl -sf --unix-socket "$BERTHD_DIR/sock" http://x/_ping >/dev/null 2>&1 && return 0
    if ! kill -0 "$(cat "$BERTHD_DIR/launcher.pid")" 2>/dev/null; then
      echo "berthd exited during start-up; its log:" >&2
      tail -20 "$BERTHD_DIR/berthd.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "berthd did not answer within 10 s" >&2
  return 1
}

berthd_start() {
  [ -x "$BERTHD" ] || {
    echo "berthd not built: $BERTHD" >&2
    return 1
  }
  # Short: shim sockets live under the exec root (108-byte sun_path limit).
  BERTHD_DIR=$(mktemp -d /tmp/berthd.XXXXXX)
  BERTHD_CGROUP=berthtest-${BERTHD_DIR##*.}
  export BERTHD_DIR BERTHD_CGROUP
  export DOCKER_HOST=unix://$BERTHD_DIR/sock
  export DOCKER_CONFIG=$BERTHD_DIR/cli
  mkdir -p "$DOCKER_CONFIG"
  "$BERTH_IMAGE" --data-root "$BERTHD_DIR/data" bootstrap busybox >/dev/null || return 1
  berthd_launch
}

# berthd_restart [FLAG...]: stops the daemon (SIGTERM) and starts it again with FLAGs added to
# its command line; returns what berthd_launch returns.
berthd_restart() {
  local pid
  pid=$(cat "$BERTHD_DIR/berthd.pid" 2>/dev/null || cat "$BERTHD_DIR/launcher.pid")
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$BERTHD_DIR/berthd.pid"
  BERTHD_EXTRA=("$@")
  berthd_launch
}

# berthd_kill9: kills the daemon hard (live restore tests); its containers keep running.
berthd_kill9() {
  local pid
  pid=$(cat "$BERTHD_DIR/berthd.pid" 2>/dev/null || cat "$BERTHD_DIR/launcher.pid")
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$BERTHD_DIR/berthd.pid"
}

berthd_stop() {
  [ -n "${BERTHD_DIR:-}" ] && [ -d "$BERTHD_DIR" ] || return 0
  local ids pid i p cg
  ids=$(docker ps -aq 2>/dev/null) || ids=""
  # shellcheck disable=SC2086 # a list of IDs
  [ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
  pid=$(cat "$BERTHD_DIR/berthd.pid" 2>/dev/null || cat "$BERTHD_DIR/launcher.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Shims and runtimes (they name our directory), container processes (our cgroup parent).
  local pids=()
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$BERTHD_DIR/"; then
      pids+=("${p#/proc/}")
    fi
  done
  for cg in /sys/fs/cgroup/*/"$BERTHD_CGROUP"; do
    [ -d "$cg" ] || continue
    mapfile -t -O "${#pids[@]}" pids < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.3
  fi
  awk -v d="$BERTHD_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  for cg in /sys/fs/cgroup/*/"$BERTHD_CGROUP"; do
    [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [ -n "${BERTHD_KEEP:-}" ]; then
    echo "# kept $BERTHD_DIR" >&3
  else
    rm -rf "$BERTHD_DIR"
  fi
}

# Leaks of the daemon: open fds, shim processes, mounts under the directory.
berthd_fds() { ls "/proc/$(cat "$BERTHD_DIR/berthd.pid")/fd" | wc -l; }
berthd_shims() { pgrep -f "berth-shim .*$BERTHD_DIR/" | wc -l; }
berthd_mounts() { awk -v d="$BERTHD_DIR/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l; }

# berthd_test_teardown PREFIX: a compat test's teardown against the file's private berthd: on
# failure the last output and berthd's last log lines, then its containers (named PREFIX<N>-*)
# removed.
berthd_test_teardown() {
  if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
    echo "# output (status ${status:-}): ${output:-}"
    echo "# berthd.log, last lines:"
    tail -25 "$BERTHD_DIR/berthd.log" | cut -c1-300
  fi
  local ids
  ids=$(docker ps -aq --filter "name=$1$BATS_TEST_NUMBER-" 2>/dev/null) || true
  # shellcheck disable=SC2086
  [ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
}
