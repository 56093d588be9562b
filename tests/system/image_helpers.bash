# Shared setup for the image tests (2xx-image-*.bats): every test gets a private data root under
# /var/tmp; teardown unmounts whatever is mounted below it, removes it, and fails the test if a
# mount was left behind. `bi` runs berth-image on that data root. A busybox base image is
# bootstrapped once per file into a template data root and loaded from its saved archive.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH_IMAGE=${BERTH_IMAGE:-$REPO/build/tools/berth-image/berth-image}
RUNTIME=${BERTH_RUNTIME:-$REPO/build/tools/berth-runtime/berth-runtime}
MKIMAGE=$REPO/tests/lib/mkimage.py

bi() {
  "$BERTH_IMAGE" --data-root "$DATA" "$@"
}

# The busybox archive every test can load: made once per file.
busybox_archive() {
  local a=$BATS_FILE_TMPDIR/busybox.tar
  if [ ! -f "$a" ]; then
    local root
    root=$(mktemp -d /var/tmp/berth-imgtpl.XXXXXX)
    "$BERTH_IMAGE" --data-root "$root" bootstrap busybox >/dev/null &&
      "$BERTH_IMAGE" --data-root "$root" save -o "$a.new" busybox:latest && mv "$a.new" "$a"
    local rc=$?
    rm -rf "$root"
    [ $rc -eq 0 ] || return 1
  fi
  echo "$a"
}

load_busybox() {
  bi load -q -i "$(busybox_archive)"
}

image_setup() {
  [ -x "$BERTH_IMAGE" ] || {
    echo "berth-image not built: $BERTH_IMAGE" >&2
    return 1
  }
  DATA=$(mktemp -d /var/tmp/berth-img.XXXXXX)
  WORK=$(mktemp -d /var/tmp/berth-work.XXXXXX)
  export DATA WORK
}

mounts_under() {
  awk -v p="$1" '$5 == p || index($5, p "/") == 1 {print $5}' /proc/self/mountinfo
}

image_teardown() {
  local leaked="" m
  for dir in "$DATA" "$WORK"; do
    [ -n "$dir" ] || continue
    # Containers first (they may hold mounts), deepest mounts first.
    if [ -d "$WORK/state" ]; then
      for c in $("$RUNTIME" --root "$WORK/state" list -q 2>/dev/null); do
        "$RUNTIME" --root "$WORK/state" delete -f "$c" >/dev/null 2>&1
      done
    fi
    for m in $(mounts_under "$dir" | sort -r); do
      leaked="$leaked $m"
      umount -l "$m" 2>/dev/null
    done
  done
  rm -rf "$DATA" "$WORK"
  if [ -n "$leaked" ]; then
    echo "leaked mounts:$leaked" >&2
    return 1
  fi
}

# run_in MOUNTED_ROOTFS ARGS...: runs ARGS in a container on that rootfs (berth-runtime run).
run_in() {
  local rootfs=$1
  shift
  local b=$WORK/bundle.$RANDOM
  mkdir -p "$b" "$WORK/state"
  (cd "$b" && "$RUNTIME" spec)
  local args
  args=$(jq -cn '$ARGS.positional' --args -- "$@")
  # Under berthtest, the cgroup parent run-bats.sh removes whatever happens.
  jq --argjson a "$args" --arg r "$rootfs" --arg cg "/berthtest/img-$RANDOM$RANDOM" \
    '.process.terminal = false | .process.args = $a | .root.path = $r | .root.readonly = false |
     .linux.cgroupsPath = $cg' \
    "$b/config.json" >"$b/config.new" && mv "$b/config.new" "$b/config.json"
  "$RUNTIME" --root "$WORK/state" run --bundle "$b" "t$RANDOM$RANDOM"
}

setup() {
  image_setup
}

teardown() {
  image_teardown
}
