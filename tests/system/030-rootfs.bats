#!/usr/bin/env bats
# The container's filesystem: rootfs, mounts, masked and read-only paths, /dev, devices,
# propagation.

load helpers

# add_mount JSON: appends one entry to .mounts.
add_mount() {
  cfg --argjson m "$1" '.mounts += [$m]'
}

# mount_of DEST: the container's mount entry at DEST from `testbin mounts` in $output.
mount_of() {
  json_line '[' | jq -c --arg d "$1" '[.[] | select(.dest == $d)] | last'
}

@test "a readonly rootfs refuses writes" {
  cfg '.root.readonly = true'
  run_ctr -1 /testbin write /berth-file
  [ "$(jqo .errno)" = EROFS ]
  [ ! -e "$BUNDLE/rootfs/berth-file" ]
}

@test "a writable rootfs takes writes" {
  run_ctr -0 /testbin write /berth-file
  [ -e "$BUNDLE/rootfs/berth-file" ]
}

@test "root.path may be relative to the bundle or absolute" {
  mv "$BUNDLE/rootfs" "$BUNDLE/other"
  cfg '.root.path = "other"'
  run_ctr -0 /testbin exit 0
  cfg --arg p "$BUNDLE/other" '.root.path = $p'
  run_ctr -0 /testbin exit 0
}

@test "a read-write bind mount shows host files and takes writes" {
  mkdir "$BATS_TEST_TMPDIR/vol"
  echo hello >"$BATS_TEST_TMPDIR/vol/in"
  add_mount "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/vol\", \"options\": [\"rbind\", \"rw\"]}"
  run_ctr -0 sh -c 'cat /vol/in && /testbin write /vol/out'
  [[ $output == *hello* ]]
  [ -e "$BATS_TEST_TMPDIR/vol/out" ]
}

@test "a read-only bind mount refuses writes" {
  mkdir "$BATS_TEST_TMPDIR/vol"
  echo hello >"$BATS_TEST_TMPDIR/vol/in"
  add_mount "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/vol\", \"options\": [\"rbind\", \"ro\"]}"
  run_ctr -1 sh -c 'cat /vol/in && /testbin write /vol/out'
  [[ $output == *hello* ]]
  [ "$(jqo .errno)" = EROFS ]
  [ ! -e "$BATS_TEST_TMPDIR/vol/out" ]
}

@test "a file can be bind mounted onto a path that does not exist yet" {
  echo berth-file >"$BATS_TEST_TMPDIR/file"
  add_mount "{\"destination\": \"/etc/deep/berth.conf\", \"type\": \"bind\", \"source\": \"$BATS_TEST_TMPDIR/file\", \"options\": [\"bind\", \"ro\"]}"
  run_ctr -0 cat /etc/deep/berth.conf
  [[ $output == *berth-file* ]]
  [ -f "$BUNDLE/rootfs/etc/deep/berth.conf" ]
}

@test "a tmpfs mount gets its size, mode and flags" {
  add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"]}'
  # One run: runc gives a tmpfs the mode of a directory already there, as a second run would find.
  run_ctr -0 sh -c '/testbin stat /scratch; /testbin mounts'
  m=$(mount_of /scratch)
  [ "$(jq -r .type <<<"$m")" = tmpfs ]
  [[ $(jq -r .super <<<"$m") == *size=1024k* ]]
  [[ $(jq -r .options <<<"$m") == *nosuid* ]]
  [[ $(jq -r .options <<<"$m") == *nodev* ]]
  [[ $(jq -r .options <<<"$m") == *noexec* ]]
  [ "$(jqo .mode '"path":"/scratch"')" = 1770 ]
}

@test "proc, sysfs, devpts, shm and mqueue are mounted; sysfs is read-only" {
  run_ctr -0 /testbin mounts
  [ "$(mount_of /proc | jq -r .type)" = proc ]
  [ "$(mount_of /sys | jq -r .type)" = sysfs ]
  [[ $(mount_of /sys | jq -r .options) == ro,* ]]
  [ "$(mount_of /dev/pts | jq -r .type)" = devpts ]
  [ "$(mount_of /dev/shm | jq -r .type)" = tmpfs ]
  [ "$(mount_of /dev/mqueue | jq -r .type)" = mqueue ]
}

@test "masked paths read as empty" {
  touch "$BUNDLE/rootfs/etc/secret"
  echo secret >"$BUNDLE/rootfs/etc/secret"
  mkdir -p "$BUNDLE/rootfs/secretdir"
  touch "$BUNDLE/rootfs/secretdir/a"
  cfg '.linux.maskedPaths = ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/etc/secret",
    "/secretdir", "/does/not/exist"]'
  # Which of these /proc files exist depends on the kernel's config.
  for f in /proc/kcore /proc/keys /proc/timer_list; do
    [ -e "$f" ] || continue
    run_ctr -0 /testbin read "$f"
    [ "$(jqo .bytes)" -eq 0 ]
  done
  run_ctr -0 /testbin read /etc/secret
  [ "$(jqo .bytes)" -eq 0 ]
  run_ctr -0 /testbin ls /secretdir
  [ "$(jqo .entries)" = '[]' ]
}

@test "readonly paths refuse writes" {
  mkdir -p "$BUNDLE/rootfs/data"
  cfg '.linux.readonlyPaths = ["/proc/sys", "/data", "/does/not/exist"]'
  run_ctr -1 /testbin write /data/x
  [ "$(jqo .errno)" = EROFS ]
  run_ctr -1 /testbin write /proc/sys/kernel/hostname
  [ "$(jqo .errno)" = EROFS ]
}

@test "/dev has the standard devices" {
  run_ctr -0 sh -c 'for d in null zero full random urandom tty; do /testbin stat /dev/$d; done'
  want='{"null":"1:3","zero":"1:5","full":"1:7","random":"1:8","urandom":"1:9","tty":"5:0"}'
  for d in null zero full random urandom tty; do
    line=$(grep "\"/dev/$d\"" <<<"$output")
    [ "$(jq -r .type <<<"$line")" = char ]
    [ "$(jq -r .mode <<<"$line")" = 0666 ]
    [ "$(jq -r '"\(.major):\(.minor)"' <<<"$line")" = "$(jq -r ".$d" <<<"$want")" ]
  done
}

@test "the standard devices work" {
  run_ctr -0 sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c'
  [[ $output == *4*4* ]]
  run_ctr -1 /testbin write /dev/full
  [ "$(jqo .errno)" = ENOSPC ]
}

@test "/dev has the fd symlinks and ptmx" {
  run_ctr -0 sh -c 'for l in fd stdin stdout stderr ptmx; do /testbin stat /dev/$l; done'
  [ "$(grep '"/dev/fd"' <<<"$output" | jq -r .link)" = /proc/self/fd ]
  [ "$(grep '"/dev/stdin"' <<<"$output" | jq -r .link)" = /proc/self/fd/0 ]
  [ "$(grep '"/dev/stdout"' <<<"$output" | jq -r .link)" = /proc/self/fd/1 ]
  [ "$(grep '"/dev/stderr"' <<<"$output" | jq -r .link)" = /proc/self/fd/2 ]
  ptmx=$(grep '"/dev/ptmx"' <<<"$output")
  # Either a symlink to pts/ptmx or a bind mount of it, as the spec allows.
  [ "$(jq -r .link <<<"$ptmx")" = pts/ptmx ] || [ "$(jq -r .major <<<"$ptmx")" = 5 ]
}

@test "/dev does not expose host devices" {
  run_ctr -0 /testbin ls /dev
  ! jqo .entries | grep -qE '"(sda|vda|nvme0|mem|kmsg)"'
}

@test "linux.devices are created with type, numbers, mode and owner" {
  cfg '.linux.devices = [{"path": "/dev/berthnull", "type": "c", "major": 1, "minor": 3,
    "fileMode": 384, "uid": 1000, "gid": 1000},
    {"path": "/dev/sub/berthzero", "type": "c", "major": 1, "minor": 5, "fileMode": 432}] |
    .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]'
  run_ctr -0 sh -c '/testbin stat /dev/berthnull; /testbin stat /dev/sub/berthzero; echo x >/dev/sub/berthzero && echo wrote'
  line=$(grep berthnull <<<"$output" | grep '^{')
  [ "$(jq -r .type <<<"$line")" = char ]
  [ "$(jq -r .major <<<"$line")" -eq 1 ]
  [ "$(jq -r .minor <<<"$line")" -eq 3 ]
  [ "$(jq -r .mode <<<"$line")" = 0600 ]
  [ "$(jq -r .uid <<<"$line")" -eq 1000 ]
  [ "$(jq -r .gid <<<"$line")" -eq 1000 ]
  line=$(grep berthzero <<<"$output")
  [ "$(jq -r .mode <<<"$line")" = 0660 ]
  [ "$(jq -r .minor <<<"$line")" -eq 5 ]
  [[ $output == *wrote* ]]
}

@test "rootfsPropagation shared makes the root mount shared" {
  # runc 1.1 makes the rootfs's parent mount private before binding the rootfs, so its root ends
  # up private whatever rootfsPropagation says.
  berth_only "runc leaves the root mount private"
  cfg '.linux.rootfsPropagation = "shared"'
  run_ctr -0 /testbin mounts
  [ "$(mount_of / | jq -r .propagation)" = shared ]
}

@test "rootfsPropagation private makes the root mount private" {
  cfg '.linux.rootfsPropagation = "private"'
  run_ctr -0 /testbin mounts
  [ "$(mount_of / | jq -r .propagation)" = private ]
}

@test "a mount destination through an absolute symlink never lands on the host" {
  # /var/run -> /run inside the rootfs. runc resolves it inside the rootfs; berth refuses to
  # follow an absolute symlink in a destination at all (the issue's rule). Either way the host's
  # /run is untouched.
  mkdir -p "$BUNDLE/rootfs/var"
  ln -s /run "$BUNDLE/rootfs/var/run"
  name=berthtest-$$-$BATS_TEST_NUMBER
  add_mount "{\"destination\": \"/var/run/$name\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}"
  if ! is_runc; then
    run_ctr ! /testbin mounts
    [[ $output == *"/var/run is an absolute symlink"* ]]
    [ ! -e "/run/$name" ]
    return 0
  fi
  run_ctr -0 /testbin mounts
  [ "$(mount_of "/run/$name" | jq -r .type)" = tmpfs ]
  [ -d "$BUNDLE/rootfs/run/$name" ]
  [ ! -e "/run/$name" ]
}

@test "a relative symlink in a mount destination is followed inside the rootfs" {
  mkdir -p "$BUNDLE/rootfs/real"
  ln -s ../real "$BUNDLE/rootfs/home/link"
  add_mount '{"destination": "/home/link/t", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  run_ctr -0 /testbin mounts
  [ "$(mount_of /real/t | jq -r .type)" = tmpfs ]
}

@test "create --no-pivot runs the container" {
  set_args /testbin write /nopivot
  rt create --no-pivot --bundle "$BUNDLE" "$ID" </dev/null >"$LOG" 2>&1
  rt start "$ID"
  wait_status stopped
  [ -e "$BUNDLE/rootfs/nopivot" ]
}

@test "the host's root is not visible inside" {
  run_ctr -1 /testbin stat "$BUNDLE"
  [ "$(jqo .errno)" = ENOENT ]
}
