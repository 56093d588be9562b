#!/bin/bash
# demo.sh: what `make demo` shows until berthd exists: a busybox image bootstrapped from this
# host into a private data root, listed, mounted as a container's copy-on-write rootfs and run
# with berth-runtime. Everything it makes lives in one temp dir, removed at the end.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runtime=${BERTH_RUNTIME:-$root/build/tools/berth-runtime/berth-runtime}
bi=${BERTH_IMAGE:-$root/build/tools/berth-image/berth-image}
dir=$(mktemp -d /var/tmp/berth-demo.XXXXXX)
cleanup() {
  "$runtime" --root "$dir/state" delete -f berth-demo >/dev/null 2>&1 || true
  "$bi" --data-root "$dir/data" unmount demo "$dir/rootfs" >/dev/null 2>&1 || umount -l "$dir/rootfs" 2>/dev/null || true
  rm -rf "$dir"
  rmdir /sys/fs/cgroup/*/berth-demo /sys/fs/cgroup/berth-demo 2>/dev/null || true
}
trap cleanup EXIT
echo "+ berth-image bootstrap busybox"
"$bi" --data-root "$dir/data" bootstrap busybox
echo "+ berth-image images"
"$bi" --data-root "$dir/data" images
mkdir "$dir/rootfs" "$dir/bundle"
"$bi" --data-root "$dir/data" mount busybox demo "$dir/rootfs"
(cd "$dir/bundle" && "$runtime" spec)
jq --arg r "$dir/rootfs" '.process.terminal = false | .root.path = $r | .root.readonly = false |
  .linux.cgroupsPath = "/berth-demo/demo" |
  .process.args = ["sh", "-c", "echo \"hello from berth: $(hostname), pid $$, $(uname -sr)\"; ls /"]' \
  "$dir/bundle/config.json" >"$dir/bundle/config.new" && mv "$dir/bundle/config.new" "$dir/bundle/config.json"
echo "+ berth-runtime run (busybox image, overlay rootfs)"
"$runtime" --root "$dir/state" run --bundle "$dir/bundle" berth-demo
