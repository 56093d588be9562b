#!/usr/bin/env bats
# docker-save archives, OCI layouts (with skopeo and umoci) and import, through berth-image.

load image_helpers

image_id() {
  bi inspect "$1" | jq -r '.[0].Id'
}

@test "save then load into another data root: same image ID and diff IDs" {
  load_busybox
  python3 "$MKIMAGE" tree "$WORK/t" 3
  python3 "$MKIMAGE" archive "$WORK/multi.tar" --tag multi:3 "$WORK/t/1" "$WORK/t/2" "$WORK/t/3"
  bi load -i "$WORK/multi.tar"
  bi save -o "$WORK/out.tar" busybox multi:3
  # What Docker 25 writes: an OCI layout plus manifest.json and repositories.
  tar -tf "$WORK/out.tar" >"$WORK/list"
  grep -qx manifest.json "$WORK/list"
  grep -qx index.json "$WORK/list"
  grep -qx oci-layout "$WORK/list"
  other=$(mktemp -d /var/tmp/berth-img2.XXXXXX)
  run "$BERTH_IMAGE" --data-root "$other" load -i "$WORK/out.tar"
  [ "$status" -eq 0 ]
  [[ $output == *"Loaded image: busybox:latest"* ]]
  [[ $output == *"Loaded image: multi:3"* ]]
  a=$(bi inspect multi:3 | jq -c '[.[0].Id, .[0].RootFS.Layers]')
  b=$("$BERTH_IMAGE" --data-root "$other" inspect multi:3 | jq -c '[.[0].Id, .[0].RootFS.Layers]')
  rm -rf "$other"
  [ "$a" = "$b" ]
  # Saving again gives the same bytes: the archive is deterministic.
  bi save -o "$WORK/out2.tar" busybox multi:3
  cmp "$WORK/out.tar" "$WORK/out2.tar"
}

@test "load reads stdin and gzip-compressed archives; loading twice is idempotent" {
  gzip -c "$(busybox_archive)" >"$WORK/bb.tar.gz"
  run bash -c "'$BERTH_IMAGE' --data-root '$DATA' load <'$WORK/bb.tar.gz'"
  [ "$status" -eq 0 ]
  [ "$output" = "Loaded image: busybox:latest" ]
  run bi load -i "$(busybox_archive)"
  [ "$status" -eq 0 ]
  run bi images -q
  [ "${#lines[@]}" -eq 1 ]
}

@test "load moves a tag off the image that had it" {
  python3 "$MKIMAGE" tree "$WORK/t" 2
  python3 "$MKIMAGE" archive "$WORK/1.tar" --tag app:v "$WORK/t/1"
  python3 "$MKIMAGE" archive "$WORK/2.tar" --tag app:v "$WORK/t/2"
  bi load -i "$WORK/1.tar"
  run bi load -i "$WORK/2.tar"
  [[ $output == *"The image app:v already exists, renaming the old one with ID sha256:"*" to empty string"* ]]
  run bi images
  [[ $output == *"<none>"* ]]
}

@test "bad archives are refused and leave nothing behind" {
  head -c 100000 /dev/urandom >"$WORK/junk"
  run bi load -i "$WORK/junk"
  [ "$status" -ne 0 ]
  [[ $output == *"load"* ]]
  head -c 300000 "$(busybox_archive)" >"$WORK/truncated.tar"
  run bi load -i "$WORK/truncated.tar"
  [ "$status" -ne 0 ]
  # A config whose diff ID does not match its layer.
  python3 "$MKIMAGE" tree "$WORK/t" 1
  python3 "$MKIMAGE" archive "$WORK/good.tar" --tag bad:1 "$WORK/t/1"
  mkdir "$WORK/x" && tar -C "$WORK/x" -xf "$WORK/good.tar"
  cfg=$(ls "$WORK/x"/*.json | grep -v manifest.json)
  jq -c '.rootfs.diff_ids[0] = "sha256:0000000000000000000000000000000000000000000000000000000000000000"' "$cfg" >"$WORK/cfg" &&
    mv "$WORK/cfg" "$cfg"
  (cd "$WORK/x" && tar -cf "$WORK/bad.tar" *)
  run bi load -i "$WORK/bad.tar"
  [ "$status" -ne 0 ]
  [[ $output == *"diff ID mismatch"* ]]
  run bi images -q
  [ -z "$output" ]
  [ -z "$(ls "$DATA/blobs/sha256")" ]
  [ -z "$(ls -A "$DATA/layers")" ]
  [ -z "$(ls -A "$DATA/blobs/ingest")" ]
  # The truncated archive broke off inside a layer being unpacked: its stage dir is gone too.
  [ -z "$(ls -A "$DATA/tmp" 2>/dev/null)" ]
}

@test "OCI layout: skopeo copies berth's layout and berth loads the copy" {
  command -v skopeo >/dev/null || skip "skopeo not installed"
  load_busybox
  id=$(image_id busybox)
  bi oci-save "$WORK/layout" busybox
  jq -e '.manifests[0].annotations["org.opencontainers.image.ref.name"] == "latest"' "$WORK/layout/index.json"
  run skopeo --insecure-policy copy oci:"$WORK/layout":latest oci:"$WORK/copy":bb
  [ "$status" -eq 0 ]
  bi rmi busybox
  run bi oci-load "$WORK/copy" --ref bb -t copied:1
  [ "$status" -eq 0 ]
  [ "$(image_id copied:1)" = "$id" ]
}

@test "OCI layout: umoci reads berth's layout" {
  command -v umoci >/dev/null || skip "umoci not installed"
  load_busybox
  bi oci-save "$WORK/layout" busybox
  run umoci ls --layout "$WORK/layout"
  [ "$status" -eq 0 ]
  [[ $output == *latest* ]]
  run umoci stat --image "$WORK/layout:latest"
  [ "$status" -eq 0 ]
}

@test "import: a rootfs tar (gzip too) with changes and a message" {
  mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc"
  cp /bin/busybox "$WORK/rootfs/bin/"
  echo hello >"$WORK/rootfs/etc/greeting"
  tar -C "$WORK/rootfs" -czf "$WORK/rootfs.tgz" .
  run bi import -c 'ENV A=1 B="two words"' -c 'CMD ["/bin/busybox","cat","/etc/greeting"]' \
    -c 'EXPOSE 80 53/udp' -c 'WORKDIR /srv' -c 'LABEL team=core' -m "first import" "$WORK/rootfs.tgz" mine:1
  [ "$status" -eq 0 ]
  run bi inspect mine:1
  cfg=$(jq -c '.[0].Config | [.Env, .Cmd, (.ExposedPorts|keys), .WorkingDir, .Labels]' <<<"$output")
  [ "$cfg" = '[["A=1","B=two words"],["/bin/busybox","cat","/etc/greeting"],["53/udp","80/tcp"],"/srv",{"team":"core"}]' ]
  [ "$(jq -r '.[0].Comment' <<<"$output")" = "first import" ]
  # The layer's diff ID is the sha256 of the uncompressed tar.
  want=sha256:$(gzip -dc "$WORK/rootfs.tgz" | sha256sum | cut -d' ' -f1)
  [ "$(jq -r '.[0].RootFS.Layers[0]' <<<"$output")" = "$want" ]
  run bi import -c 'FROB x' "$WORK/rootfs.tgz" mine:2
  [ "$status" -ne 0 ]
  [[ $output == *"FROB is not a valid change command"* ]]
}

@test "the same big layer at two places in one image: loads, mounts, saves back the same image" {
  mkdir -p "$WORK/a/x" "$WORK/b/y"
  head -c 2M /dev/urandom >"$WORK/a/x/f"
  echo b >"$WORK/b/y/g"
  python3 "$MKIMAGE" archive "$WORK/dup.tar" --tag dup:1 "$WORK/a" "$WORK/b" "$WORK/a"
  bi load -i "$WORK/dup.tar"
  [ "$(bi inspect dup:1 | jq '.[0].RootFS.Layers | unique | length')" = 2 ]
  mkdir "$WORK/root"
  bi mount dup:1 c1 "$WORK/root"
  cmp "$WORK/a/x/f" "$WORK/root/x/f"
  [ "$(cat "$WORK/root/y/g")" = b ]
  bi unmount c1 "$WORK/root"
  bi save -o "$WORK/out.tar" dup:1
  other=$(mktemp -d /var/tmp/berth-img2.XXXXXX)
  "$BERTH_IMAGE" --data-root "$other" load -q -i "$WORK/out.tar"
  b=$("$BERTH_IMAGE" --data-root "$other" inspect dup:1 | jq -r '.[0].Id')
  rm -rf "$other"
  [ "$b" = "$(bi inspect dup:1 | jq -r '.[0].Id')" ]
  bi rmi dup:1
  [ -z "$(ls -A "$DATA/layers")" ]
  [ -z "$(ls "$DATA/blobs/sha256")" ]
}
