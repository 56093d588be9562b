#!/bin/bash
# bench/images.sh: the image rows of DESIGN.md's performance table, berth beside Docker from the
# same run, on the same archives:
#   1. docker load / docker save of a single-layer image of BENCH_BIG_MB MiB (default 512) and of
#      a 50-layer image (BENCH_LAYER_MB MiB per layer, default 2): berth-image on a fresh data
#      root vs a private dockerd (Debian's docker.io) with its own socket, data root, exec root;
#   2. unpack throughput of a gzip layer (host files, BENCH_UNPACK_MB MiB uncompressed, default
#      256): berth's layer unpacker vs `gzip -dc | tar -x` of the same file.
# Medians of BENCH_RUNS runs (default 5). A report, not a test: it exits 0 once it ran.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bi=${BERTH_IMAGE:-$repo/build/tools/berth-image/berth-image}
runs=${BENCH_RUNS:-5}
big_mb=${BENCH_BIG_MB:-512}
layer_mb=${BENCH_LAYER_MB:-2}
unpack_mb=${BENCH_UNPACK_MB:-256}

die() {
  echo "bench/images.sh: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (overlay layers, dockerd)"
[ -x "$bi" ] || die "berth-image not found: $bi (build it or set BERTH_IMAGE)"

work=$(mktemp -d /var/tmp/berth-bench-img.XXXXXX)
dockerd_pid=""
cleanup() {
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$dockerd_pid" 2>/dev/null || true
  fi
  awk -v d="$work/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r umount -l
  rm -rf "$work"
}
trap cleanup EXIT

# median of the numbers on stdin
median() {
  sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'
}
# secs CMD...: wall seconds of one run
secs() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

echo "# making the test images in $work"
mkdir -p "$work/big/data"
for i in $(seq $((big_mb / 8))); do head -c 8M /dev/urandom >"$work/big/data/f$i"; done
python3 "$repo/tests/lib/mkimage.py" archive "$work/big.tar" --tag bench/big:1 "$work/big"
rm -rf "$work/big"
layers=()
for i in $(seq 50); do
  mkdir -p "$work/l/$i/layer$i"
  for j in $(seq $((layer_mb * 4))); do head -c 256K /dev/urandom >"$work/l/$i/layer$i/f$j"; done
  layers+=("$work/l/$i")
done
python3 "$repo/tests/lib/mkimage.py" archive "$work/fifty.tar" --tag bench/fifty:1 "${layers[@]}"
rm -rf "$work/l"

have_docker=""
if command -v dockerd >/dev/null && command -v docker >/dev/null; then
  echo '{}' >"$work/daemon.json"
  export DOCKER_HOST=unix://$work/docker.sock DOCKER_CONFIG=$work/cli
  mkdir -p "$DOCKER_CONFIG"
  dockerd --config-file "$work/daemon.json" -H "$DOCKER_HOST" --data-root "$work/docker" \
    --exec-root "$work/dexec" --pidfile "$work/dockerd.pid" --bridge=none --iptables=false \
    --ip6tables=false --ip-masq=false --exec-opt native.cgroupdriver=cgroupfs \
    </dev/null >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 150); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  docker version >/dev/null 2>&1 && have_docker=1 || echo "# dockerd did not start; berth only"
fi

row() { # row NAME BERTH DOCKER
  if [ -n "$3" ]; then
    printf '%-34s %9.3fs %9.3fs %8.2fx\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"
  else
    printf '%-34s %9.3fs %10s %8s\n' "$1" "$2" "-" "-"
  fi
}

bench_archive() { # bench_archive NAME ARCHIVE REF
  local name=$1 archive=$2 ref=$3 bl=() bs=() dl=() ds=() i root
  for i in $(seq "$runs"); do
    root=$work/root-$i
    sync
    bl+=("$(secs "$bi" --data-root "$root" load -q -i "$archive")")
    bs+=("$(secs "$bi" --data-root "$root" save -o "$work/out-berth.tar" "$ref")")
    rm -rf "$root" "$work/out-berth.tar"
    if [ -n "$have_docker" ]; then
      docker rmi -f "$ref" >/dev/null 2>&1 || true
      sync
      dl+=("$(secs docker load -q -i "$archive")")
      ds+=("$(secs docker save -o "$work/out-docker.tar" "$ref")")
      rm -f "$work/out-docker.tar"
    fi
  done
  local bmed dmed=""
  bmed=$(printf '%s\n' "${bl[@]}" | median)
  [ -n "$have_docker" ] && dmed=$(printf '%s\n' "${dl[@]}" | median)
  row "load $name" "$bmed" "$dmed"
  bmed=$(printf '%s\n' "${bs[@]}" | median)
  [ -n "$have_docker" ] && dmed=$(printf '%s\n' "${ds[@]}" | median)
  row "save $name" "$bmed" "$dmed"
}

echo
printf '%-34s %11s %11s %9s\n' "work (median of $runs)" berth docker "speed-up"
bench_archive "${big_mb} MiB, 1 layer" "$work/big.tar" bench/big:1
bench_archive "50 layers x ${layer_mb} MiB" "$work/fifty.tar" bench/fifty:1

# Unpack throughput: a gzip layer of host files (compressible, many small files, like a distro).
mkdir -p "$work/src"
tar -C / -cf - usr/lib usr/share 2>/dev/null | head -c $((unpack_mb * 1024 * 1024)) >"$work/layer.tar" || true
# head cuts the last entry: tar -x of the result must tolerate that, so re-pack what extracts.
mkdir "$work/cut" && (tar -C "$work/cut" -xf "$work/layer.tar" 2>/dev/null || true)
tar -C "$work/cut" -cf - . | gzip -6 >"$work/layer.tgz"
rm -rf "$work/cut" "$work/layer.tar"
raw=$(gzip -dc "$work/layer.tgz" | wc -c)
bu=() gu=()
for i in $(seq "$runs"); do
  rm -rf "$work/u1" "$work/u2"
  mkdir "$work/u1" "$work/u2"
  sync
  bu+=("$(secs "$bi" unpack "$work/layer.tgz" "$work/u1")")
  sync
  gu+=("$(secs sh -c "gzip -dc '$work/layer.tgz' | tar -x -C '$work/u2'")")
done
bmed=$(printf '%s\n' "${bu[@]}" | median)
gmed=$(printf '%s\n' "${gu[@]}" | median)
mb=$(echo "$raw / 1048576" | bc -l)
printf '%-34s %5.0f MB/s %5.0f MB/s %8.2fx   (%d MiB tar; anchor: gzip -dc | tar -x)\n' "unpack gzip layer" \
  "$(echo "$mb / $bmed" | bc -l)" "$(echo "$mb / $gmed" | bc -l)" "$(echo "$gmed / $bmed" | bc -l)" \
  "$(echo "$raw / 1048576" | bc)"
echo "# machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
