# Shared setup for the compat tests: a private dockerd (Debian's docker.io) with its own socket,
# data root, exec root (so its managed containerd and that containerd's socket are private too),
# cgroup parent and CLI config, with berth-runtime registered as the runtime "berth". Nothing
# here touches a system dockerd or containerd, so the tests run beside one.
#
# BERTH_RUNTIME picks the runtime under test (absolute path; default: the build tree's);
# BERTH_RUNTIME=/usr/sbin/runc checks the tests themselves (runc against runc).
# COMPAT_KEEP=1 keeps the daemon's directory (logs) after the run for a post-mortem.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUNTIME=${BERTH_RUNTIME:-$REPO/build/tools/berth-runtime/berth-runtime}
# Container names: a prefix per bats run, so teardown removes only its own.
NAME_PREFIX=berthcompat

# d ARGS...: the docker CLI against the private daemon ($DOCKER_HOST is exported by setup_file).
# COMPAT_RUN_OPTS (words) go to every `docker run`, e.g. "--network host" to look past a
# failure that only the default network's settings trigger.
d() {
  if [ "$1" = run ]; then
    shift
    # shellcheck disable=SC2086 # a word list on purpose
    docker run ${COMPAT_RUN_OPTS:-} "$@"
  else
    docker "$@"
  fi
}

# dockerd_start: starts the private daemon and imports busybox:latest; exports DOCKER_HOST,
# DOCKER_CONFIG, COMPAT_DIR and COMPAT_CGROUP for the tests.
dockerd_start() {
  command -v dockerd >/dev/null || {
    echo "dockerd not installed (apt-get install docker.io)" >&2
    return 1
  }
  command -v docker >/dev/null || {
    echo "docker CLI not installed" >&2
    return 1
  }
  [ -x "$RUNTIME" ] || {
    echo "berth-runtime not built: $RUNTIME (set BERTH_RUNTIME)" >&2
    return 1
  }
  [[ $RUNTIME == /* ]] || RUNTIME=$(cd "$(dirname "$RUNTIME")" && pwd)/$(basename "$RUNTIME")
  # Short: the managed containerd's sockets live under the exec root (108-byte sun_path limit).
  COMPAT_DIR=$(mktemp -d /tmp/berth-compat.XXXXXX)
  COMPAT_CGROUP=berthcompat-${COMPAT_DIR##*.}
  export COMPAT_DIR COMPAT_CGROUP
  export DOCKER_HOST=unix://$COMPAT_DIR/docker.sock
  export DOCKER_CONFIG=$COMPAT_DIR/cli
  mkdir -p "$DOCKER_CONFIG"
  # An empty config file: /etc/docker/daemon.json, if any, must not change this daemon.
  echo '{}' >"$COMPAT_DIR/daemon.json"
  setsid dockerd \
    --config-file "$COMPAT_DIR/daemon.json" \
    -H "$DOCKER_HOST" \
    --data-root "$COMPAT_DIR/data" \
    --exec-root "$COMPAT_DIR/exec" \
    --pidfile "$COMPAT_DIR/dockerd.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --userland-proxy=false \
    --cgroup-parent "/$COMPAT_CGROUP" \
    --exec-opt native.cgroupdriver=cgroupfs \
    --default-runtime runc \
    --add-runtime "berth=$RUNTIME" \
    --log-level debug \
    </dev/null >"$COMPAT_DIR/dockerd.log" 2>&1 &
  echo $! >"$COMPAT_DIR/dockerd.launcher.pid"
  local i
  for i in $(seq 150); do
    d version >/dev/null 2>&1 && break
    if ! kill -0 "$(cat "$COMPAT_DIR/dockerd.launcher.pid")" 2>/dev/null; then
      echo "dockerd exited during start-up; end of $COMPAT_DIR/dockerd.log:" >&2
      tail -30 "$COMPAT_DIR/dockerd.log" >&2
      return 1
    fi
    sleep 0.2
  done
  d version >/dev/null 2>&1 || {
    echo "dockerd did not answer on $DOCKER_HOST within 30s; end of its log:" >&2
    tail -30 "$COMPAT_DIR/dockerd.log" >&2
    return 1
  }
  d info --format '{{json .Runtimes}}' | grep -q '"berth"' || {
    echo "dockerd does not list the berth runtime" >&2
    return 1
  }
  import_busybox
}

# import_busybox: busybox:latest from a local rootfs (no registry here): mkbundle.sh's rootfs,
# i.e. Debian's static busybox with a link per applet and an /etc/passwd with uid 1000.
import_busybox() {
  local b=$COMPAT_DIR/busybox-bundle
  BERTH_RUNTIME=$RUNTIME "$REPO/tests/lib/mkbundle.sh" "$b" sh >/dev/null
  rm -f "$b/rootfs/testbin"
  tar -C "$b/rootfs" -c . | d import -c 'CMD ["sh"]' - busybox:latest >/dev/null
  rm -rf "$b"
}

# dockerd_stop: stops the daemon and removes everything it made: containers, leftover
# containerd/shims/runtime processes (found by the private directory in their command line),
# container processes (by cgroup), mounts under the private directory, cgroups, the directory.
dockerd_stop() {
  [ -n "${COMPAT_DIR:-}" ] && [ -d "$COMPAT_DIR" ] || return 0
  local ids pid i
  ids=$(d ps -aq 2>/dev/null) || ids=""
  [ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
  pid=$(cat "$COMPAT_DIR/dockerd.pid" 2>/dev/null || cat "$COMPAT_DIR/dockerd.launcher.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Whatever still names our directory: the managed containerd, shims, runtime processes.
  local pids=() p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$COMPAT_DIR/"; then
      pids+=("${p#/proc/}")
    fi
  done
  # Container processes: everything in our cgroup parent on any hierarchy.
  local cg
  for cg in /sys/fs/cgroup/*/"$COMPAT_CGROUP" /sys/fs/cgroup/"$COMPAT_CGROUP"; do
    [ -d "$cg" ] || continue
    mapfile -t -O "${#pids[@]}" pids < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.5
  fi
  # Mounts (overlay rootfs, shm, netns bind mounts) under the private directory, deepest first.
  awk -v d="$COMPAT_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  for cg in /sys/fs/cgroup/*/"$COMPAT_CGROUP" /sys/fs/cgroup/"$COMPAT_CGROUP"; do
    [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [ -n "${COMPAT_KEEP:-}" ]; then
    echo "# compat: kept $COMPAT_DIR" >&3
  else
    rm -rf "$COMPAT_DIR"
  fi
}

# A unique container name for this test and runtime.
cname() {
  echo "$NAME_PREFIX-$BATS_TEST_NUMBER-$1"
}

# Removes this test's containers; on failure shows the daemon log's last errors (they carry the
# runtime's error message; the full log stays in $COMPAT_DIR with COMPAT_KEEP=1).
compat_teardown() {
  local ids
  if [ -z "${BATS_TEST_COMPLETED:-}" ]; then
    echo "# last output (status ${status:-}): ${output:-}"
    echo "# dockerd.log, last errors:"
    grep 'level=error' "$COMPAT_DIR/dockerd.log" 2>/dev/null | tail -3 | cut -c1-300
  fi
  ids=$(d ps -aq --filter "name=$NAME_PREFIX-$BATS_TEST_NUMBER-" 2>/dev/null) || true
  [ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
}

# drun RT ARGS...: `docker run --rm --runtime RT ARGS...`; the container's stdout in $output,
# docker's and the container's stderr in $stderr, exit status in $status.
drun() {
  local rt=$1
  shift
  run --separate-stderr timeout 60 docker run ${COMPAT_RUN_OPTS:-} --rm --runtime "$rt" --name "$(cname "$rt")" "$@"
}

# both ARGS...: drun with runc, then with berth; sets runc_status/runc_output and
# berth_status/berth_output, and leaves berth's in $status/$output.
both() {
  drun runc "$@"
  runc_status=$status runc_output=$output
  drun berth "$@"
  berth_status=$status berth_output=$output
}

# same_as_runc: berth gave runc's status and stdout.
same_as_runc() {
  if [ "$berth_status" != "$runc_status" ] || [ "$berth_output" != "$runc_output" ]; then
    echo "runc:  status $runc_status, stdout '$runc_output'" >&2
    echo "berth: status $berth_status, stdout '$berth_output'; stderr: ${stderr:-}" >&2
    return 1
  fi
}

# wait_running NAME: until docker reports the container running (10s).
wait_running() {
  local i
  for i in $(seq 50); do
    [ "$(d inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] && return 0
    sleep 0.2
  done
  echo "container $1 not running: $(d inspect -f '{{json .State}}' "$1" 2>&1)" >&2
  return 1
}
