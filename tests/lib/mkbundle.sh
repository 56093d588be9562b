#!/bin/bash
# mkbundle.sh DIR [ARGS...]: makes an OCI bundle in DIR with a busybox rootfs (Debian's
# busybox-static, one hardlink per applet) and the berth-testbin helper at /testbin, and a
# config.json from `berth-runtime spec` whose process runs ARGS (default: sh). Non-interactive
# (terminal false). BERTH_RUNTIME and BERTH_TESTBIN may point at the binaries.
set -euo pipefail
dir=$1; shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
runtime=${BERTH_RUNTIME:-$root/build/tools/berth-runtime/berth-runtime}
testbin=${BERTH_TESTBIN:-$root/build/tests/testbin/berth-testbin}
busybox=/bin/busybox
mkdir -p "$dir/rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home,var,run}
chmod 1777 "$dir/rootfs/tmp"
cp "$busybox" "$dir/rootfs/bin/busybox"
# One ln for all applets: a fork per applet made this the slowest step of every system test.
(cd "$dir/rootfs/bin" && "$busybox" --list | perl -nle 'chomp; -e $_ or link("busybox", $_) or die "$_: $!"')
[ -x "$testbin" ] && cp "$testbin" "$dir/rootfs/testbin"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/rootfs/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$dir/rootfs/etc/group"
(cd "$dir" && "$runtime" spec)
args=$(jq -cn '$ARGS.positional' --args -- "${@:-sh}")
tmp=$(mktemp "$dir/config.XXXX")
jq --argjson a "$args" '.process.terminal = false | .process.args = $a | .root.readonly = false' \
  "$dir/config.json" >"$tmp" && mv "$tmp" "$dir/config.json"
