#!/bin/bash
# bench/run.sh: the daemon rows of DESIGN.md's performance table, berth beside Docker in one
# run, each with a private daemon (own socket, data root, exec root) and the same busybox image:
#   1. `run --rm busybox true`, median of BENCH_RUNS (hyperfine), back to back and (BENCH_IDLE_RUNS
#      times) each after BENCH_IDLE seconds of idle;
#   2. 20 x `run -d busybox sleep 300`, wall time of the loop (median of BENCH_LOOPS);
#   3. daemon idle RSS (berthd + its shim launcher; dockerd + its containerd);
#   4. monitor RSS per running container (berth-shim; containerd-shim-runc-v2).
# The client is `berth` when built (BERTH_CLI), else the docker CLI for both daemons (then the
# rows compare daemons with the same client). A report, not a test: exits 0 once it ran.
#
# Env: BERTHD, BERTH_CLI, BERTH_IMAGE, BERTH_RUNTIME, BERTH_SHIM (default: the build tree's),
# BENCH_RUNS (default 30), BENCH_LOOPS (default 3), BENCH_IDLE (default 0.5),
# BENCH_IDLE_RUNS (default 15), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
berthd=${BERTHD:-$repo/build/tools/berthd/berthd}
cli=${BERTH_CLI:-$repo/build/tools/berth/berth}
image_tool=${BERTH_IMAGE:-$repo/build/tools/berth-image/berth-image}
runs=${BENCH_RUNS:-30}
loops=${BENCH_LOOPS:-3}
idle=${BENCH_IDLE:-0.5}
idle_runs=${BENCH_IDLE_RUNS:-15}

die() {
  echo "bench/run.sh: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$berthd" ] || die "berthd not built: $berthd"
command -v hyperfine >/dev/null || die "hyperfine not installed"
command -v docker >/dev/null || die "the docker CLI is needed (package docker.io)"
[ -x "$cli" ] || cli=""

work=$(mktemp -d /tmp/bench-run.XXXXXX)
cg=benchrun-${work##*.}
berthd_pid="" dockerd_pid=""
cleanup() {
  set +e
  DOCKER_HOST=unix://$work/berth.sock docker rm -f $(DOCKER_HOST=unix://$work/berth.sock docker ps -aq 2>/dev/null) >/dev/null 2>&1
  DOCKER_HOST=unix://$work/docker.sock docker rm -f $(DOCKER_HOST=unix://$work/docker.sock docker ps -aq 2>/dev/null) >/dev/null 2>&1
  for pid in $berthd_pid $dockerd_pid; do
    kill "$pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  awk -v d="$work/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r umount -l
  for d in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/*/"$cg-docker"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  if [ -n "${BENCH_KEEP:-}" ]; then echo "# kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# berthd with busybox bootstrapped
"$image_tool" --data-root "$work/berth" bootstrap busybox >/dev/null
setsid "$berthd" -H "unix://$work/berth.sock" --data-root "$work/berth" --exec-root "$work/bexec" \
  --cgroup-parent "/$cg" ${BERTH_RUNTIME:+--runtime-path "$BERTH_RUNTIME"} \
  ${BERTH_SHIM:+--shim-path "$BERTH_SHIM"} </dev/null >"$work/berthd.log" 2>&1 &
berthd_pid=$!
for _ in $(seq 100); do curl -sf --unix-socket "$work/berth.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.1; done

# dockerd with the same busybox (saved from berth, loaded into docker)
echo '{}' >"$work/daemon.json"
setsid dockerd --config-file "$work/daemon.json" -H "unix://$work/docker.sock" --data-root "$work/docker" \
  --exec-root "$work/dexec" --pidfile "$work/dockerd.pid" --bridge=none --iptables=false \
  --ip6tables=false --ip-masq=false --cgroup-parent "/$cg-docker" \
  --exec-opt native.cgroupdriver=cgroupfs </dev/null >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_CONFIG=$work/cli
mkdir -p "$DOCKER_CONFIG"
for _ in $(seq 150); do DOCKER_HOST=unix://$work/docker.sock docker version >/dev/null 2>&1 && break; sleep 0.2; done
DOCKER_HOST=unix://$work/berth.sock docker save busybox:latest | DOCKER_HOST=unix://$work/docker.sock docker load >/dev/null

if [ -n "$cli" ]; then
  bcli=("$cli" -H "unix://$work/berth.sock")
  client="berth CLI"
else
  bcli=(env "DOCKER_HOST=unix://$work/berth.sock" docker)
  client="docker CLI for both (berth CLI not built)"
fi
dcli=(env "DOCKER_HOST=unix://$work/docker.sock" docker)
echo "# client: $client; $runs runs per hyperfine row, $loops loops of 20 run -d"

# 3. idle RSS first, before any container ran
sleep 2
b_idle=$(rss_kib "$berthd_pid")
for p in $(pgrep -P "$berthd_pid" -f 'berth-shim --launcher' || true); do b_idle=$((b_idle + $(rss_kib "$p"))); done
d_idle=$(rss_kib "$dockerd_pid")
for p in $(pgrep -P "$dockerd_pid" -x containerd || true); do d_idle=$((d_idle + $(rss_kib "$p"))); done

# 1. run --rm busybox true
hyperfine -N -w 3 -r "$runs" --export-json "$work/rm.json" \
  -n berth "${bcli[*]} run --rm busybox true" -n docker "${dcli[*]} run --rm busybox true" >/dev/null
b_rm=$(jq '.results[0].median * 1000' "$work/rm.json")
d_rm=$(jq '.results[1].median * 1000' "$work/rm.json")

# 1b. the same after the daemons sat idle (a user's one-off `run`): a quiet spell lets kernel
# state cool down (the cgroup attach lock, the page cache of the binaries), which a tight loop
# keeps warm
hyperfine -N --prepare "sleep $idle" -r "$idle_runs" --export-json "$work/idle.json" \
  -n berth "${bcli[*]} run --rm busybox true" -n docker "${dcli[*]} run --rm busybox true" >/dev/null
b_idle_rm=$(jq '.results[0].median * 1000' "$work/idle.json")
d_idle_rm=$(jq '.results[1].median * 1000' "$work/idle.json")

# 2. 20 x run -d, then the containers' monitors
loop20() {
  local t0 t1
  t0=$(date +%s.%N)
  for _ in $(seq 20); do "$@" run -d busybox sleep 300 >/dev/null; done
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
b_loops=() d_loops=()
for i in $(seq "$loops"); do
  b_loops+=("$(loop20 "${bcli[@]}")")
  d_loops+=("$(loop20 "${dcli[@]}")")
  if [ "$i" -lt "$loops" ]; then
    "${bcli[@]}" rm -f $("${bcli[@]}" ps -aq) >/dev/null
    "${dcli[@]}" rm -f $("${dcli[@]}" ps -aq) >/dev/null
  fi
done
b_20=$(printf '%s\n' "${b_loops[@]}" | median)
d_20=$(printf '%s\n' "${d_loops[@]}" | median)
# 4. per-container monitor RSS, median over the 20 running containers
b_shim=$(for p in $(pgrep -f "berth-shim --id .*$work/"); do rss_kib "$p"; done | median)
d_shim=$(for p in $(pgrep -f "containerd-shim-runc-v2 .*$work/"); do rss_kib "$p"; done | median)

ratio() { echo "scale=1; $1 / $2" | bc -l; }
printf '\n| work | docker (same run) | berth | ratio |\n|---|---|---|---|\n'
printf '| `run --rm busybox true` (median) | %.1f ms | %.1f ms | %sx faster |\n' "$d_rm" "$b_rm" "$(ratio "$d_rm" "$b_rm")"
printf '| `run --rm busybox true` after %s s idle (median of %s) | %.1f ms | %.1f ms | %sx faster |\n' \
  "$idle" "$idle_runs" "$d_idle_rm" "$b_idle_rm" "$(ratio "$d_idle_rm" "$b_idle_rm")"
printf '| 20 x `run -d` (median of %s) | %.2f s | %.2f s | %sx faster |\n' "$loops" "$d_20" "$b_20" "$(ratio "$d_20" "$b_20")"
printf '| daemon idle RSS | %.1f MiB (dockerd + containerd) | %.1f MiB (berthd + shim launcher) | %sx smaller |\n' \
  "$(echo "$d_idle / 1024" | bc -l)" "$(echo "$b_idle / 1024" | bc -l)" "$(ratio "$d_idle" "$b_idle")"
printf '| monitor RSS per container | %.1f MiB (containerd-shim-runc-v2) | %.2f MiB (berth-shim) | %sx smaller |\n' \
  "$(echo "${d_shim:-0} / 1024" | bc -l)" "$(echo "${b_shim:-0} / 1024" | bc -l)" "$(ratio "${d_shim:-0}" "${b_shim:-1}")"
