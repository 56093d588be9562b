#!/usr/bin/env bats
# Bad bundles and arguments: each is refused with a message naming the problem, a non-zero exit,
# and nothing left behind (state dir, cgroup, mount, process).

load helpers

setup() {
  berth_setup
  # A marker in the args finds a leftover process even if it never got into a cgroup.
  MARKER=100.$$$BATS_TEST_NUMBER
  set_args /testbin sleep "$MARKER"
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
}

# refused PATTERN [RUNTIME-ARGS...]: `run` (default: run --bundle $BUNDLE $ID) must fail with a
# message matching the glob PATTERN (case-insensitive) and leave nothing behind.
refused() {
  local pattern=$1
  shift
  [ $# -gt 0 ] || set -- run --bundle "$BUNDLE" "$ID"
  run ! rt "$@" </dev/null
  shopt -s nocasematch
  if [[ $output != $pattern ]]; then
    echo "message does not match '$pattern': $output" >&2
    return 1
  fi
  shopt -u nocasematch
  REFUSED_OUTPUT=$output
  nothing_left
}

nothing_left() {
  run ! rt state "$ID"
  [ -z "$(ls -A "$ROOT")" ] || {
    echo "state left under --root: $(ls -A "$ROOT")" >&2
    return 1
  }
  [ -z "$(leaked_cgroups "$ID")" ]
  ! pgrep -f "testbin sleep $MARKER"
  # Other tests' mounts may come and go on a shared host; ours would mention the bundle.
  ! grep -qF "$BUNDLE" /proc/self/mountinfo
}

@test "config.json that is not JSON" {
  echo '{"ociVersion": "1.0.2", "process": {bad}}' >"$BUNDLE/config.json"
  refused '*@(json|invalid character|parse)*'
  is_runc || [[ $REFUSED_OUTPUT == *config.json* ]]
}

@test "no config.json" {
  rm "$BUNDLE/config.json"
  refused '*config.json*'
}

@test "a bundle dir that does not exist" {
  refused "*$BATS_TEST_TMPDIR/nowhere*" run --bundle "$BATS_TEST_TMPDIR/nowhere" "$ID"
}

@test "a root.path that does not exist" {
  cfg '.root.path = "no-such-rootfs"'
  refused '*no-such-rootfs*'
}

@test "no root at all" {
  cfg 'del(.root)'
  refused '*root*'
}

@test "no process" {
  cfg 'del(.process)'
  refused '*process*'
}

@test "empty process.args" {
  cfg '.process.args = []'
  refused '*args*'
}

@test "an unknown namespace type" {
  cfg '.linux.namespaces += [{"type": "berthns"}]'
  refused '*berthns*'
}

@test "a namespace listed twice" {
  cfg '.linux.namespaces += [{"type": "pid"}]'
  refused '*pid*'
}

@test "an invalid container id" {
  refused '*id*' run --bundle "$BUNDLE" "berthtest/../x"
}

@test "an unknown capability name" {
  berth_only "runc warns and runs"
  cfg '.process.capabilities.bounding += ["CAP_BERTH"]'
  refused '*CAP_BERTH*'
}

@test "uid mappings without a user namespace" {
  berth_only "runc ignores the mappings"
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]'
  refused '*@(user namespace|mapping)*'
}

@test "a bind mount of a source that does not exist" {
  cfg --arg s "$BATS_TEST_TMPDIR/no-such-source" \
    '.mounts += [{"destination": "/x", "type": "bind", "source": $s, "options": ["rbind"]}]'
  refused '*no-such-source*'
}

@test "a mount destination with .. never reaches the host" {
  name=berthtest-$$-$BATS_TEST_NUMBER
  cfg --arg d "/../../../tmp/$name" \
    '.mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
  if is_runc; then
    # runc scopes the path into the rootfs.
    set_args /testbin exit 0
    run -0 rt run --bundle "$BUNDLE" "$ID" </dev/null
    [ -d "$BUNDLE/rootfs/tmp/$name" ]
  else
    refused "*/../../../tmp/$name*"
  fi
  [ ! -e "/tmp/$name" ]
  nothing_left
}

@test "a mount through an absolute symlink in the rootfs never reaches the host" {
  hostdir=$(mktemp -d /tmp/berthtest-evil.XXXXXX)
  ln -s "$hostdir" "$BUNDLE/rootfs/evil"
  cfg '.mounts += [{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
  if is_runc; then
    # runc resolves the link inside the rootfs instead.
    set_args /testbin exit 0
    run -0 rt run --bundle "$BUNDLE" "$ID" </dev/null
    [ -d "$BUNDLE/rootfs/$hostdir/x" ]
  else
    refused '*/evil*'
  fi
  [ ! -e "$hostdir/x" ]
  ! grep -qF "$hostdir" /proc/self/mountinfo
  rmdir "$hostdir"
  nothing_left
}

@test "a mount destination under a symlink to the host's /etc is refused" {
  berth_only "runc resolves the link inside the rootfs"
  ln -s /etc "$BUNDLE/rootfs/etclink"
  cfg '.mounts += [{"destination": "/etclink/berth", "type": "tmpfs", "source": "tmpfs"}]'
  refused '*/etclink*'
  [ ! -e /etc/berth ]
}

@test "an unknown seccomp architecture" {
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_BERTH"]}'
  refused '*SCMP_ARCH_BERTH*'
}

@test "unknown commands and flags" {
  run ! rt berth-no-such-command
  run ! rt state --berth-no-such-flag "$ID"
  run ! rt kill berthtest-nope-$$ SIGBERTH
}

@test "start, kill and delete need an id" {
  run ! rt start
  run ! rt kill
  run ! rt delete
  run ! rt state
}
