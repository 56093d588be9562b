#!/usr/bin/env bats
# Container root filesystems from images: overlay mounts of many layers, whiteouts, copy-on-
# write, the container's diff as a layer, commit, and running a container on the result.

load image_helpers

@test "a 200-layer image mounts and runs" {
  load_busybox
  python3 "$MKIMAGE" tree "$WORK/t" 199
  layers=()
  for i in $(seq 199); do layers+=("$WORK/t/$i"); done
  mkdir "$WORK/bb" && tar -C "$WORK/bb" -xf "$(busybox_archive)"
  base=$(jq -r '.[0].Layers[0]' "$WORK/bb/manifest.json")
  python3 "$MKIMAGE" archive "$WORK/big.tar" --tag big:200 "$WORK/bb/$base" "${layers[@]}"
  bi load -i "$WORK/big.tar"
  [ "$(bi inspect big:200 | jq '.[0].RootFS.Layers | length')" = 200 ]
  mkdir "$WORK/root"
  bi mount big:200 c200 "$WORK/root"
  run run_in "$WORK/root" sh -c 'ls /layers | wc -l; cat /layers/1 /layers/199'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 199 ]
  [ "${lines[1]}" = "layer 1" ]
  [ "${lines[2]}" = "layer 199" ]
  bi unmount c200 "$WORK/root"
}

@test "an upper layer that deletes a file and a directory, and makes one opaque" {
  mkdir -p "$WORK/l1/data/olddir" "$WORK/l1/opq" "$WORK/l2/data" "$WORK/l2/opq"
  cp /bin/busybox "$WORK/l1/busybox"
  echo keep >"$WORK/l1/data/keep"
  echo gone >"$WORK/l1/data/gone"
  echo x >"$WORK/l1/data/olddir/x"
  echo a >"$WORK/l1/opq/a"
  : >"$WORK/l2/data/.wh.gone"
  : >"$WORK/l2/data/.wh.olddir"
  : >"$WORK/l2/opq/.wh..wh..opq"
  echo b >"$WORK/l2/opq/b"
  python3 "$MKIMAGE" archive "$WORK/wh.tar" --tag wh:1 "$WORK/l1" "$WORK/l2"
  bi load -i "$WORK/wh.tar"
  mkdir "$WORK/root"
  bi mount wh:1 cwh "$WORK/root"
  [ -f "$WORK/root/data/keep" ]
  [ ! -e "$WORK/root/data/gone" ]
  [ ! -e "$WORK/root/data/olddir" ]
  [ "$(ls "$WORK/root/opq")" = b ]
  bi unmount cwh "$WORK/root"
}

@test "copy-on-write: changes go to the container's upper dir; diff and commit carry them" {
  load_busybox
  mkdir "$WORK/root"
  bi mount busybox c1 "$WORK/root"
  layer=$(ls -d "$DATA"/layers/*/diff | head -1)
  run run_in "$WORK/root" sh -c 'echo changed >/etc/motd; rm /etc/group; mkdir -p /new/dir; echo n >/new/dir/f'
  [ "$status" -eq 0 ]
  [ ! -e "$layer/etc/motd" ]
  [ -f "$layer/etc/group" ]
  [ "$(stat -c %F:%t:%T "$DATA/containers/c1/upper/etc/group")" = "character special file:0:0" ]
  bi diff c1 -o "$WORK/diff.tar"
  tar -tf "$WORK/diff.tar" >"$WORK/list"
  grep -qx 'etc/.wh.group' "$WORK/list"
  grep -qx 'etc/motd' "$WORK/list"
  grep -qx 'new/dir/f' "$WORK/list"
  # The same change, the same digest.
  d1=$(bi diff c1 -o "$WORK/d1.tar")
  d2=$(bi diff c1 -o "$WORK/d2.tar")
  [ "$d1" = "$d2" ]
  run bi commit -m "my change" -c 'CMD ["cat","/etc/motd"]' c1 changed:1
  [ "$status" -eq 0 ]
  bi unmount c1 "$WORK/root"
  [ "$(bi inspect changed:1 | jq '.[0].RootFS.Layers | length')" = 2 ]
  mkdir "$WORK/root2"
  bi mount changed:1 c2 "$WORK/root2"
  run run_in "$WORK/root2" sh -c 'cat /etc/motd /new/dir/f; ls /etc/group 2>&1'
  [ "${lines[0]}" = changed ]
  [ "${lines[1]}" = n ]
  [[ ${lines[2]} == *"No such file"* ]]
  bi unmount c2 "$WORK/root2"
  # The committed image is a child: its parent cannot go first.
  run bi rmi -f busybox
  [ "$status" -eq 0 ]
}
