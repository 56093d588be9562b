#!/usr/bin/env bats
# Images between berth and the real Docker: archives written by `docker save` (Debian's
# dockerd, private instance) load into berth with the same image ID and diff IDs, and archives
# written by berth load into dockerd and run there.

load helpers

BERTH_IMAGE=${BERTH_IMAGE:-$REPO/build/tools/berth-image/berth-image}

setup_file() {
  dockerd_start
}

teardown_file() {
  dockerd_stop
}

setup() {
  DATA=$(mktemp -d /var/tmp/berth-compat-img.XXXXXX)
  WORK=$(mktemp -d /var/tmp/berth-compat-work.XXXXXX)
}

teardown() {
  compat_teardown
  awk -v p="$DATA/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l
  rm -rf "$DATA" "$WORK"
  d rmi -f berthbb:1 berthchanged:1 dockerchanged:1 >/dev/null 2>&1 || true
}

bi() {
  "$BERTH_IMAGE" --data-root "$DATA" "$@"
}

# same_image NAME: dockerd and berth agree on NAME's ID and diff IDs.
same_image() {
  local dk bk
  dk=$(d image inspect "$1" | jq -c '[.[0].Id, .[0].RootFS.Layers, .[0].Config.Cmd]')
  bk=$(bi inspect "$1" | jq -c '[.[0].Id, .[0].RootFS.Layers, .[0].Config.Cmd]')
  if [ "$dk" != "$bk" ]; then
    echo "docker: $dk" >&2
    echo "berth:  $bk" >&2
    return 1
  fi
}

@test "docker save -> berth load: the same image ID and diff IDs" {
  d save -o "$WORK/bb.tar" busybox:latest
  run bi load -i "$WORK/bb.tar"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: busybox:latest" ]
  same_image busybox:latest
}

@test "a two-layer image committed by dockerd (with whiteouts) loads into berth and mounts" {
  d run --name "$(cname c)" busybox sh -c 'echo hi >/f; rm /etc/group; rm -rf /home'
  d commit -c 'CMD ["cat","/f"]' "$(cname c)" dockerchanged:1 >/dev/null
  d save dockerchanged:1 | bi load
  same_image dockerchanged:1
  mkdir "$WORK/root"
  bi mount dockerchanged:1 c1 "$WORK/root"
  [ "$(cat "$WORK/root/f")" = hi ]
  [ ! -e "$WORK/root/etc/group" ]
  [ ! -e "$WORK/root/home" ]
  [ -f "$WORK/root/etc/passwd" ]
  bi unmount c1 "$WORK/root"
}

@test "berth save -> docker load: dockerd runs berth's images" {
  bi bootstrap busybox -t berthbb:1 >/dev/null
  mkdir "$WORK/root"
  bi mount berthbb:1 c1 "$WORK/root"
  echo "made by berth" >"$WORK/root/etc/motd"
  rm "$WORK/root/etc/shadow"
  bi commit -c 'CMD ["cat","/etc/motd"]' c1 berthchanged:1 >/dev/null
  bi unmount c1 "$WORK/root"
  bi save -o "$WORK/out.tar" berthbb:1 berthchanged:1
  run d load -i "$WORK/out.tar"
  [ "$status" -eq 0 ]
  [[ $output == *"Loaded image: berthbb:1"* ]]
  [[ $output == *"Loaded image: berthchanged:1"* ]]
  same_image berthbb:1
  same_image berthchanged:1
  run d run --rm berthbb:1 echo hi
  [ "$status" -eq 0 ]
  [ "$output" = hi ]
  run d run --rm berthchanged:1
  [ "$output" = "made by berth" ]
  run d run --rm berthchanged:1 ls /etc/shadow
  [ "$status" -ne 0 ]
}
