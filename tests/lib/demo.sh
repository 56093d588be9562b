#!/bin/bash
# demo.sh: what `make demo` shows. The berth CLI talks to berthd on the default socket
# (/run/berth/berth.sock) and starts it when nothing listens there; a busybox base image is made
# from this host (busybox-static) when berthd has none, loaded, and run as containers.
# berthd keeps running afterwards, with its state in /var/lib/berth, as after `dockerd`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
berth=${BERTH_CLI:-$root/build/tools/berth/berth}
bi=${BERTH_IMAGE:-$root/build/tools/berth-image/berth-image}
# The default socket, whatever the caller's environment says.
unset DOCKER_HOST BERTH_HOST
dir=$(mktemp -d /var/tmp/berth-demo.XXXXXX)
trap 'rm -rf "$dir"' EXIT

echo "+ berth version   (starts berthd when nothing listens on /run/berth/berth.sock)"
"$berth" version
if ! "$berth" image inspect busybox >/dev/null 2>&1; then
  echo "+ berth-image bootstrap busybox | berth load"
  "$bi" --data-root "$dir/data" bootstrap busybox >/dev/null
  "$bi" --data-root "$dir/data" save busybox | "$berth" load
fi
echo "+ berth images"
"$berth" images
echo "+ berth run --rm busybox sh -c ..."
"$berth" run --rm busybox sh -c 'echo "hello from berth: $(hostname), pid $$, $(uname -sr)"; ls /'
echo "+ berth run -d --name berth-demo busybox sleep 30; berth exec; berth ps; berth rm -f"
"$berth" rm -f berth-demo >/dev/null 2>&1 || true
"$berth" run -d --name berth-demo busybox sleep 30 >/dev/null
"$berth" exec berth-demo sh -c 'echo "exec in $(hostname): $(ps | wc -l) lines of ps"'
"$berth" ps
"$berth" rm -f berth-demo >/dev/null
echo "berthd keeps serving /run/berth/berth.sock; try: $berth run -it --rm busybox sh"
