#!/usr/bin/env bats
# The image store through berth-image: bootstrap, list, inspect, history, tag, rmi, prune, df.

load image_helpers

@test "bootstrap busybox: an image that lists, inspects and is reproducible" {
  run bi bootstrap busybox
  [ "$status" -eq 0 ]
  id=$output
  [[ $id =~ ^sha256:[0-9a-f]{64}$ ]]
  run bi images
  [ "$status" -eq 0 ]
  [[ ${lines[1]} =~ ^busybox[[:space:]]+latest[[:space:]]+${id:7:12} ]]
  run bi inspect busybox
  [ "$status" -eq 0 ]
  [ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
  [ "$(jq -c '.[0].Config.Cmd' <<<"$output")" = '["sh"]' ]
  [ "$(jq -r '.[0].Os + "/" + .[0].Architecture' <<<"$output")" = linux/amd64 ]
  [ "$(jq '.[0].RootFS.Layers | length' <<<"$output")" = 1 ]
  # The same host busybox gives the same image, byte for byte.
  run bi bootstrap busybox -t busybox:again
  [ "$output" = "$id" ]
}

@test "history: one line per layer with the import comment" {
  load_busybox
  run bi history busybox
  [ "$status" -eq 0 ]
  [[ ${lines[1]} == *"Imported from /bin/busybox"* ]]
  [ "${#lines[@]}" -eq 2 ]
}

@test "tag and rmi: untag keeps the image while another name remains" {
  load_busybox
  id=$(bi inspect busybox | jq -r '.[0].Id')
  bi tag busybox localhost:5000/team/bb:1.0
  bi tag "${id:7:12}" other
  run bi inspect localhost:5000/team/bb:1.0
  [ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
  [ "$(jq -c '.[0].RepoTags | sort' <<<"$output")" = '["busybox:latest","localhost:5000/team/bb:1.0","other:latest"]' ]
  run bi rmi other
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: other:latest" ]
  run bi inspect other
  [ "$status" -ne 0 ]
  [[ $output == *"No such image: other:latest"* ]]
  # By ID with names in two repositories: refused without -f.
  run bi rmi "${id:7:12}"
  [ "$status" -ne 0 ]
  [[ $output == *"referenced in multiple repositories"* ]]
  run bi rmi -f "${id:7:12}"
  [ "$status" -eq 0 ]
  [[ $output == *"Deleted: $id"* ]]
  run bi images -q
  [ -z "$output" ]
  # Nothing left on disk either.
  [ -z "$(ls "$DATA/layers" | grep -v '^\.' || true)" ]
  [ -z "$(ls "$DATA/blobs/sha256")" ]
}

@test "rmi refuses an image a container uses, unless forced" {
  load_busybox
  mkdir "$WORK/root"
  bi mount busybox c1 "$WORK/root"
  run bi rmi busybox
  [ "$status" -ne 0 ]
  [[ $output == *"must force"*"container c1"* ]]
  bi unmount c1 "$WORK/root"
  run bi rmi busybox
  [ "$status" -eq 0 ]
}

@test "bad names: clear errors, nothing changed" {
  load_busybox
  run bi tag busybox Busybox:x
  [ "$status" -ne 0 ]
  [[ $output == *"must be lowercase"* ]]
  run bi tag busybox "busybox:$(printf 'a%.0s' {1..129})"
  [ "$status" -ne 0 ]
  [[ $output == *"invalid reference format"* ]]
  run bi tag busybox 'busybox:bad!tag'
  [ "$status" -ne 0 ]
  run bi tag nosuch x
  [ "$status" -ne 0 ]
  [[ $output == *"No such image: nosuch:latest"* ]]
  run bi rmi nosuch
  [ "$status" -ne 0 ]
  [[ $output == *"No such image"* ]]
  run bi images -q
  [ "${#lines[@]}" -eq 1 ]
}

@test "prune removes dangling images only; prune -a removes unused ones" {
  load_busybox
  python3 "$MKIMAGE" tree "$WORK/t" 2
  python3 "$MKIMAGE" archive "$WORK/a.tar" --tag dangler:1 "$WORK/t/1"
  bi load -i "$WORK/a.tar"
  bi tag dangler:1 dangler:2
  bi rmi dangler:1 dangler:2 || true
  run bi images -q
  [ "${#lines[@]}" -eq 1 ] # rmi of the last tag removed it
  python3 "$MKIMAGE" archive "$WORK/b.tar" "$WORK/t/2"
  bi load -i "$WORK/b.tar"
  run bi images
  [[ $output == *"<none>"* ]]
  run bi prune
  [ "$status" -eq 0 ]
  [[ $output == *"deleted: sha256:"* ]]
  run bi images -q
  [ "${#lines[@]}" -eq 1 ]
  run bi prune -a
  [ "$status" -eq 0 ]
  run bi images -q
  [ -z "$output" ]
}

@test "df: image and layer sizes, shared and unique, active and reclaimable" {
  load_busybox
  run bi df
  [ "$status" -eq 0 ]
  [[ ${lines[1]} =~ ^Images[[:space:]]+1[[:space:]]+0[[:space:]]+[0-9.]+MB[[:space:]]+[0-9.]+MB\ \(100%\) ]]
  mkdir "$WORK/root"
  bi mount busybox c1 "$WORK/root"
  echo child >"$WORK/root/child"
  bi commit c1 child:1 >/dev/null
  run bi df -v
  [ "$status" -eq 0 ]
  # busybox is in use by c1: nothing of its layer is reclaimable; the child's own layer is.
  [[ ${lines[1]} =~ ^Images[[:space:]]+2[[:space:]]+1[[:space:]] ]]
  [[ ${lines[1]} =~ \(0%\)$ ]]
  # The last four columns (CREATED has a varying number of words).
  bb=$(awk '$1 == "busybox" {print $(NF-3), $(NF-2), $(NF-1), $NF}' <<<"$output")
  ch=$(awk '$1 == "child" {print $(NF-3), $(NF-2), $(NF-1), $NF}' <<<"$output")
  read -r size shared unique containers <<<"$bb"
  [ "$shared" = "$size" ]
  [ "$unique" = 0B ]
  [ "$containers" = 1 ]
  read -r _ cshared cunique ccontainers <<<"$ch"
  [ "$cshared" = "$size" ]
  [ "$cunique" != 0B ]
  [ "$ccontainers" = 0 ]
  bi unmount c1 "$WORK/root"
}
