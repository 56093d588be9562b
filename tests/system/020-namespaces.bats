#!/usr/bin/env bats
# Namespaces: pid, uts, net, ipc, mount, cgroup, joining by path, user namespaces.

load helpers

host_ns() {
  readlink "/proc/self/ns/$1"
}

@test "the process is pid 1 in a new pid namespace" {
  run_ctr -0 /testbin pid
  [ "$(jqo .pid)" -eq 1 ]
  [ "$(jqo .ppid)" -eq 0 ]
}

@test "hostname and domainname come from the config" {
  cfg '.hostname = "berth-host" | .domainname = "berth.example"'
  run_ctr -0 /testbin hostname
  [ "$(jqo .hostname)" = berth-host ]
  # runc before 1.2 ignores domainname.
  is_runc || [ "$(jqo .domainname)" = berth.example ]
}

@test "a hostname without a private uts namespace is refused" {
  cfg '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "berth-host"'
  run_ctr ! /testbin hostname
  [[ $output == *hostname* ]]
  run ! rt state "$ID"
}

@test "a new network namespace has only lo, and it is down" {
  run_ctr -0 /testbin netdevs
  [ "$(jqo .netdevs)" = '["lo"]' ]
}

@test "ipc, uts, mnt, net and pid namespaces differ from the host's" {
  run_ctr -0 /testbin ns
  for ns in ipc uts mnt net pid; do
    [ "$(jqo ".$ns")" != "$(host_ns "$ns")" ]
  done
  # Not asked for: shared with the host.
  [ "$(jqo .user)" = "$(host_ns user)" ]
}

@test "a cgroup namespace makes the container's cgroup its root" {
  cfg '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
  run_ctr -0 /testbin ns
  [ "$(jqo .cgroup)" != "$(host_ns cgroup)" ]
  run_ctr -0 /testbin cgroup
  [ "$(jqo .memory)" = / ]
  [ "$(jqo .pids)" = / ]
}

@test "without a cgroup namespace the container sees its cgroupsPath" {
  cfg '.linux.namespaces |= map(select(.type != "cgroup"))'
  run_ctr -0 /testbin cgroup
  [ "$(jqo .pids)" = "/$CGROUP_PARENT/$ID" ]
}

@test "a namespace left out of the config is the host's" {
  cfg '.linux.namespaces |= map(select(.type != "network" and .type != "uts")) | .hostname = null'
  run_ctr -0 /testbin ns
  [ "$(jqo .net)" = "$(host_ns net)" ]
  [ "$(jqo .uts)" = "$(host_ns uts)" ]
  [ "$(jqo .ipc)" != "$(host_ns ipc)" ]
}

@test "without a mount namespace the mounts go on the rootfs and leave with delete" {
  berth_only "runc refuses masked /sys paths without a private mount namespace"
  cfg '.linux.namespaces |= map(select(.type != "mount"))'
  run_ctr -0 /testbin ns
  [ "$(jqo .mnt)" = "$(host_ns mnt)" ]
  [ "$(jqo .pid)" != "$(host_ns pid)" ]
  ! grep -qF -- "$BUNDLE/rootfs" /proc/self/mountinfo

  start_ctr sleep 100
  # The container's /proc is mounted in the host's namespace, beneath the rootfs.
  grep -qF -- " $BUNDLE/rootfs/proc " /proc/self/mountinfo
  # exec follows the init into its chroot: /testbin exists only in the rootfs.
  run -0 rt exec "$ID" /testbin ns
  [ "$(jqo .mnt)" = "$(host_ns mnt)" ]
  rt delete --force "$ID"
  run ! grep -F -- "$BUNDLE/rootfs" /proc/self/mountinfo
}

@test "a network namespace is joined by path" {
  unshare --net --mount-proc=/proc sleep 100 &
  holder=$!
  # unshare execs sleep once the namespace exists; wait for the link to change.
  for i in $(seq 50); do
    [ "$(readlink /proc/$holder/ns/net)" != "$(host_ns net)" ] && break
    sleep 0.05
  done
  want=$(readlink /proc/$holder/ns/net)
  cfg --arg p "/proc/$holder/ns/net" \
    '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
  run_ctr -0 /testbin ns
  kill "$holder"
  [ "$(jqo .net)" = "$want" ]
}

@test "a network namespace bind-mounted under /run/netns is joined by path" {
  name=berthtest-$BATS_TEST_NUMBER-$$
  ip netns add "$name"
  want=$(ip netns exec "$name" readlink /proc/self/ns/net)
  cfg --arg p "/run/netns/$name" \
    '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
  run_ctr -0 /testbin ns
  ip netns del "$name"
  [ "$(jqo .net)" = "$want" ]
}

@test "two containers can share a uts namespace by path" {
  start_ctr /testbin sleep 100
  pid=$(pid_of)
  EXTRA_IDS=("$ID-b")
  want=$(readlink "/proc/$pid/ns/uts")
  cfg --arg p "/proc/$pid/ns/uts" '.hostname = null |
    .linux.namespaces |= map(if .type == "uts" then .path = $p else . end)'
  set_args /testbin ns
  run -0 rt run --bundle "$BUNDLE" "$ID-b" </dev/null
  [ "$(jqo .uts)" = "$want" ]
}

@test "a joined namespace path that does not exist fails" {
  cfg '.linux.namespaces |= map(if .type == "network" then .path = "/proc/999999999/ns/net" else . end)'
  run_ctr ! /testbin ns
  run ! rt state "$ID"
}

# Maps container ids 0-65535 to host 100000-165535 and gives the rootfs to the mapped root; the
# bats temp dirs are 0700, so the mapped root also needs search permission on the way down.
userns_bundle() {
  chown -R 100000:100000 "$BUNDLE/rootfs"
  local d=$BUNDLE
  while [ "$d" != / ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
  cfg '.linux.namespaces += [{"type": "user"}] |
    .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
    .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "user namespace with uid and gid mappings" {
  userns_bundle
  run_ctr -0 /testbin idmap
  [ "$(jqo .uid_map)" = '["0 100000 65536"]' ]
  [ "$(jqo .gid_map)" = '["0 100000 65536"]' ]
  run_ctr -0 /testbin ids
  [ "$(jqo .uid)" -eq 0 ]
  [ "$(jqo .gid)" -eq 0 ]
  run_ctr -0 /testbin ns
  [ "$(jqo .user)" != "$(host_ns user)" ]
}

@test "in a user namespace, host-owned files are nobody's" {
  userns_bundle
  chown 0:0 "$BUNDLE/rootfs/etc/passwd"
  run_ctr -0 /testbin stat /etc/passwd
  [ "$(jqo .uid)" -eq 65534 ]
  run_ctr -0 /testbin stat /etc/group
  [ "$(jqo .uid)" -eq 0 ]
}

@test "pid namespace: the container's init reaps and sees only its own processes" {
  run_ctr -0 sh -c '/testbin sleep 0.1 & ls /proc | grep -c "^[0-9]"'
  [ "$(tail -1 <<<"$output" | tr -d '\r')" -le 4 ]
}
