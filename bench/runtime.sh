#!/bin/bash
# bench/runtime.sh: the runtime rows of DESIGN.md's performance table, berth-runtime beside its
# anchors from the same run, on the same busybox bundle.
#   1. run-to-exit of /bin/true: berth-runtime, runc, crun (where installed and working), and
#      the floor (unshare of the same namespaces + exec, no runtime at all);
#   2. fixed CPU work (md5sum of BENCH_CPU_MB MiB of zeros, through busybox) inside a container
#      run by berth-runtime vs directly on the host; the difference is the container's overhead.
# Medians from hyperfine --export-json. A report, not a test: it always exits 0 once it ran.
#
# Env: BERTH_RUNTIME (default: the build tree's), BENCH_RUNS (default 40, >= 30),
# BENCH_CPU_RUNS (default 7), BENCH_CPU_MB (default 256), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
berth=${BERTH_RUNTIME:-$repo/build/tools/berth-runtime/berth-runtime}
runs=${BENCH_RUNS:-40}
((runs >= 30)) || runs=30
cpu_runs=${BENCH_CPU_RUNS:-7}
cpu_mb=${BENCH_CPU_MB:-256}

die() {
  echo "bench/runtime.sh: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (namespaces, cgroups)"
[ -x "$berth" ] || die "berth-runtime not found: $berth (build it or set BERTH_RUNTIME)"
command -v hyperfine >/dev/null || die "hyperfine not installed (apt-get install hyperfine)"
command -v jq >/dev/null || die "jq not installed"

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
  local r
  for r in "$work"/state-*; do
    [ -d "$r" ] || continue
    # A runtime that failed mid-run may leave a container; its own delete knows how to remove it.
    local bin
    bin=$(cat "$r.bin" 2>/dev/null) || continue
    for id in $("$bin" --root "$r" list -q 2>/dev/null); do
      "$bin" --root "$r" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  # Cgroups the runtimes made for the bench containers (cgroupsPath /berthbench/<id>).
  rmdir /sys/fs/cgroup/*/berthbench/* /sys/fs/cgroup/*/berthbench \
    /sys/fs/cgroup/berthbench/* /sys/fs/cgroup/berthbench 2>/dev/null || true
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# One rootfs for everyone; each runtime gets its own config.json (crun needs an older ociVersion)
# whose root.path is the shared rootfs' absolute path (runc refuses a symlinked rootfs).
BERTH_RUNTIME=$berth "$repo/tests/lib/mkbundle.sh" "$work/base" /bin/true >/dev/null

# bundle NAME [JQ-FILTER]: prints the path of a bundle for runtime NAME.
bundle() {
  local name=$1 filter=${2:-.} dir=$work/bundle-$1
  mkdir -p "$dir"
  jq --arg p "/berthbench/$name" --arg r "$work/base/rootfs" \
    ".linux.cgroupsPath = \$p | .root.path = \$r | $filter" \
    "$work/base/config.json" >"$dir/config.json"
  echo "$dir"
}

ms() { # seconds -> milliseconds with 2 decimals
  awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'
}

median_of() { # hyperfine json file, index
  jq -r ".results[$2].median" "$1"
}

echo "berth-runtime bench on $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "berth: $berth"
echo

# ---- 1. run-to-exit of /bin/true ----------------------------------------------------------------
names=()
cmds=()
notes=()

# try_runtime NAME BIN [JQ-FILTER] [GLOBAL-OPTS]: adds NAME if one run of it succeeds.
try_runtime() {
  local name=$1 bin=$2 filter=${3:-.} opts=${4:-} dir out
  if ! command -v "$bin" >/dev/null 2>&1; then
    notes+=("$name: not installed")
    return 0
  fi
  bin=$(command -v "$bin")
  dir=$(bundle "$name" "$filter")
  echo "$bin" >"$work/state-$name.bin"
  # shellcheck disable=SC2086 # opts is a list of words
  if ! out=$(cd "$dir" && "$bin" $opts --root "$work/state-$name" run "bench-$name" 2>&1 </dev/null); then
    notes+=("$name: does not run on this host: $(tr '\n' ' ' <<<"$out" | cut -c1-160)")
    return 0
  fi
  names+=("$name")
  # hyperfine -N splits on whitespace: no paths with spaces here (mktemp's are safe).
  cmds+=("$bin $opts --root $work/state-$name run --bundle $dir bench-$name")
}

try_runtime berth "$berth"
try_runtime runc runc
# crun 1.8 (Debian 12) knows OCI spec versions up to 1.1 and refuses cgroup v1/v2 hybrid hosts.
try_runtime crun crun '.ociVersion = "1.0.2"'
floor="unshare --fork --pid --mount --uts --ipc --net /bin/true"

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/true.json" \
  "${cmds[@]}" "$floor" >"$work/true.log" 2>&1 || {
  cat "$work/true.log"
  die "hyperfine failed (run-to-exit)"
}

base=$(median_of "$work/true.json" 0)
echo "## run-to-exit of /bin/true in a busybox bundle (median of $runs runs, hyperfine -N)"
printf '%-22s %12s %14s\n' runtime "median ms" "ratio vs berth"
i=0
for name in "${names[@]}" floor; do
  m=$(median_of "$work/true.json" "$i")
  label=$name
  [ "$name" = floor ] && label="floor (unshare+exec)"
  printf '%-22s %12s %14s\n' "$label" "$(ms "$m")" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')"
  i=$((i + 1))
done
for n in "${notes[@]}"; do echo "note: $n"; done
echo

# ---- 2. fixed CPU work inside vs outside --------------------------------------------------------
# The same static busybox on both sides; dd | md5sum of a fixed byte count is fixed work. Rounds
# alternate host and container (order flipped every round) so that load from other users of the
# machine drifting over time hits both sides alike; hyperfine would run all of one side first.
job="busybox dd if=/dev/zero bs=1M count=$cpu_mb 2>/dev/null | busybox md5sum >/dev/null"
cpu_dir=$(bundle cpu)
jq --arg job "$job" '.process.args = ["/bin/busybox", "sh", "-c", $job]' "$cpu_dir/config.json" \
  >"$cpu_dir/config.json.new" && mv "$cpu_dir/config.json.new" "$cpu_dir/config.json"
echo "$berth" >"$work/state-cpu.bin"

# timed SIDE CMD...: appends "wall user+sys" in seconds to $work/cpu-SIDE.
timed() {
  local side=$1 t
  shift
  t=$({ TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1 </dev/null; } 2>&1 | tail -1)
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t" >>"$work/cpu-$side"
}
host_cpu() { /bin/busybox sh -c "$job"; }
ctr_cpu() { "$berth" --root "$work/state-cpu" run --bundle "$cpu_dir" bench-cpu; }
ctr_cpu >/dev/null 2>&1 || echo "note: the CPU container failed; its figures below are meaningless"
host_cpu # warm-up: page cache, CPU frequency
for r in $(seq "$cpu_runs"); do
  if ((r % 2)); then
    timed host host_cpu
    timed ctr ctr_cpu
  else
    timed ctr ctr_cpu
    timed host host_cpu
  fi
done
med() { # FILE COLUMN -> median
  awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
host=$(med "$work/cpu-host" 1)
ctr=$(med "$work/cpu-ctr" 1)
host_c=$(med "$work/cpu-host" 2)
ctr_c=$(med "$work/cpu-ctr" 2)
echo "## fixed CPU work: md5sum of $cpu_mb MiB of zeros via busybox (median of $cpu_runs alternating rounds)"
printf '%-34s %12s %16s\n' where "wall ms" "user+sys ms"
printf '%-34s %12s %16s\n' host "$(ms "$host")" "$(ms "$host_c")"
printf '%-34s %12s %16s\n' "berth-runtime run (incl. startup)" "$(ms "$ctr")" "$(ms "$ctr_c")"
# The container's wall time includes one run-to-exit; the corrected figure takes it out.
awk -v h="$host" -v c="$ctr" -v s="$base" -v hc="$host_c" -v cc="$ctr_c" 'BEGIN {
  printf "overhead: wall %+.2f%% (raw), %+.2f%% (minus one /bin/true run-to-exit, %.2f ms); user+sys %+.2f%%\n",
    (c - h) / h * 100, (c - s - h) / h * 100, s * 1000, (cc - hc) / hc * 100 }'
echo "(2 shared CPUs: differences of a few % are noise; rerun for a second sample)"
exit 0
