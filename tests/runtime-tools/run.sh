#!/bin/bash
# tests/runtime-tools/run.sh: the OCI runtime-tools validation suite (opencontainers/runtime-tools,
# validation/) against berth-runtime and runc, side by side. Acceptance: berth passes wherever
# runc passes. Exits 0 when no test regresses against runc (or when the suite is unavailable:
# SKIP), 1 on a regression, 2 on a set-up error.
#
# The suite: every validation/**/*.go (but util/) is a program printing TAP; it drives the
# runtime named by $RUNTIME through the runtime CLI (create/start/state/kill/delete, no global
# options), in bundles it unpacks from ./rootfs-$GOARCH.tar.gz, copying ./runtimetest (a static
# checker run inside the container) into each. Upstream runs them from the checkout's root:
#   make runtimetest validation-executables && sudo -E make RUNTIME=runc localvalidation
# This script does the same in a scratch dir, giving each runtime a wrapper that pins a private
# --root, and needs root itself.
#
# Sources: Debian's golang-github-opencontainers-runtime-tools-dev ships the library only, not
# validation/; point RUNTIME_TOOLS_SRC at a git checkout of opencontainers/runtime-tools (it
# carries vendor/ and rootfs-amd64.tar.gz), e.g.
#   git clone https://github.com/opencontainers/runtime-tools /src/runtime-tools
#   RUNTIME_TOOLS_SRC=/src/runtime-tools tests/runtime-tools/run.sh
# Build: Go >= 1.16 (Debian 12's golang-go 1.19 is fine), offline: module mode with the
# checkout's vendor/ (GOFLAGS=-mod=vendor). A checkout without vendor/ is built in GOPATH mode
# against Debian's /usr/share/gocode, which needs these Debian packages:
#   golang-github-opencontainers-specs-dev golang-github-blang-semver-dev
#   golang-github-google-uuid-dev golang-github-hashicorp-go-multierror-dev
#   golang-github-mrunalp-fileutils-dev golang-github-opencontainers-selinux-dev
#   golang-github-sirupsen-logrus-dev golang-github-stretchr-testify-dev
#   golang-github-syndtr-gocapability-dev golang-github-urfave-cli-dev
#   golang-github-xeipuuv-gojsonschema-dev golang-golang-x-sys-dev golang-gopkg-yaml.v2-dev
#   golang-github-satori-go.uuid-dev (older checkouts)
# and github.com/mndrix/tap-go, which Debian does not package (put it in the checkout's vendor/).
#
# Env: RUNTIME_TOOLS_SRC, BERTH_RUNTIME (default: the build tree's), RUNC (default: runc),
# RT_TESTS (space-separated test names to run, default all), RT_TIMEOUT (seconds per test
# program, default 120), RT_KEEP=1 (keep the scratch dir: TAP logs, built binaries).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
berth=${BERTH_RUNTIME:-$repo/build/tools/berth-runtime/berth-runtime}
runc=${RUNC:-runc}
per_test_timeout=${RT_TIMEOUT:-120}

skip() {
  echo "$*"
  echo "SKIP runtime-tools validation: $*"
  exit 0
}
die() {
  echo "tests/runtime-tools/run.sh: $*" >&2
  exit 2
}

# ---- find the sources -------------------------------------------------------------------------
has_validation() {
  [ -d "$1/validation" ] && [ -n "$(find "$1/validation" -name '*.go' -not -path '*/util/*' -print -quit 2>/dev/null)" ]
}
src=""
if [ -n "${RUNTIME_TOOLS_SRC:-}" ]; then
  has_validation "$RUNTIME_TOOLS_SRC" ||
    skip "runtime-tools validation sources not found in RUNTIME_TOOLS_SRC=$RUNTIME_TOOLS_SRC (no validation/*.go)"
  src=$(cd "$RUNTIME_TOOLS_SRC" && pwd)
else
  for c in \
    "$repo/third_party/runtime-tools" \
    "$repo/../runtime-tools" \
    "${GOPATH:-$HOME/go}/src/github.com/opencontainers/runtime-tools" \
    "$HOME/go/src/github.com/opencontainers/runtime-tools" \
    /usr/local/src/runtime-tools \
    /opt/runtime-tools \
    /usr/share/gocode/src/github.com/opencontainers/runtime-tools; do
    if has_validation "$c"; then
      src=$(cd "$c" && pwd)
      break
    fi
  done
  [ -n "$src" ] || skip "runtime-tools validation sources not found; set RUNTIME_TOOLS_SRC"
fi
echo "runtime-tools sources: $src ($(git -C "$src" describe --always --dirty 2>/dev/null || echo 'not a git checkout'))"

[ "$(id -u)" = 0 ] || die "needs root (the validation tests create real containers): sudo -E $0"
command -v go >/dev/null || die "go not installed (apt-get install golang-go)"
[ -x "$berth" ] || die "berth-runtime not found: $berth (build it or set BERTH_RUNTIME)"
berth=$(cd "$(dirname "$berth")" && pwd)/$(basename "$berth")
runc_path=$(command -v "$runc") || die "runc not found ($runc)"

work=$(mktemp -d /tmp/berth-rtools.XXXXXX)
cleanup() {
  local name bin id
  for name in runc berth; do
    bin=$([ "$name" = berth ] && echo "$berth" || echo "$runc_path")
    for id in $("$bin" --root "$work/state-$name" list -q 2>/dev/null); do
      "$bin" --root "$work/state-$name" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  # Bundles left by a test killed by the timeout: unmount anything still under them first.
  awk -v d="$work/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  # The relative-cgroupsPath tests use testdir/cgrouptest/container: runtimes remove only the
  # leaf, so drop the (empty) intermediate cgroups too.
  for d in /sys/fs/cgroup/*/testdir/cgrouptest /sys/fs/cgroup/testdir/cgrouptest \
    /sys/fs/cgroup/*/testdir /sys/fs/cgroup/testdir; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null
  done
  if [ -n "${RT_KEEP:-}" ]; then
    echo "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$work/bin" "$work/run" "$work/tmp" "$work/log" "$work/rt"

# ---- build --------------------------------------------------------------------------------------
export GOFLAGS=${GOFLAGS:-} GOPROXY=off GOTOOLCHAIN=local GOWORK=off
export GOCACHE=${GOCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/berth-runtime-tools-go}
mkdir -p "$GOCACHE" 2>/dev/null || export GOCACHE=$work/gocache
if [ -f "$src/go.mod" ] && [ -f "$src/vendor/modules.txt" ]; then
  mode="module mode, vendor/"
  export GO111MODULE=on GOFLAGS="$GOFLAGS -mod=vendor"
  build_dir=$src
elif [ -f "$src/go.mod" ] && [ -d "${GOMODCACHE:-$(go env GOMODCACHE)}/github.com/mndrix" ]; then
  mode="module mode, module cache (offline)"
  export GO111MODULE=on GOFLAGS="$GOFLAGS -mod=mod"
  build_dir=$src
else
  # GOPATH mode: the checkout first (it must shadow Debian's library-only copy), then Debian's.
  mode="GOPATH mode, /usr/share/gocode"
  export GO111MODULE=off GOPATH=$work/gopath:/usr/share/gocode
  mkdir -p "$work/gopath/src/github.com/opencontainers"
  ln -s "$src" "$work/gopath/src/github.com/opencontainers/runtime-tools"
  build_dir=$work/gopath/src/github.com/opencontainers/runtime-tools
fi
echo "building ($mode, $(go version | awk '{print $3}')) ..."

# The test programs, as upstream's Makefile finds them: validation/**/*.go but util/ and tests.
mapfile -t sources < <(cd "$build_dir" && find validation -name '*.go' -not -path '*/util/*' \
  -not -name '*_test.go' | sort)
names=()
build_failed=()
for f in "${sources[@]}"; do
  # validation/kill.go (old layout) and validation/kill/kill.go (new) both become "kill".
  name=$(basename "$f" .go)
  if [[ " ${names[*]} ${build_failed[*]} " == *" $name "* ]]; then
    name=${f#validation/}
    name=${name%.go}
    name=${name//\//_}
  fi
  if [ -n "${RT_TESTS:-}" ] && [[ " $RT_TESTS " != *" $name "* ]]; then continue; fi
  if (cd "$build_dir" && go build -o "$work/bin/$name.t" "./$f") >"$work/log/build-$name.log" 2>&1; then
    names+=("$name")
  else
    build_failed+=("$name")
  fi
done
if (cd "$build_dir" && CGO_ENABLED=0 go build -tags "netgo osusergo" -o "$work/run/runtimetest" ./cmd/runtimetest) \
  >"$work/log/build-runtimetest.log" 2>&1; then
  :
else
  cat "$work/log/build-runtimetest.log" >&2
  die "cannot build cmd/runtimetest (see above)"
fi
if [ ${#build_failed[@]} -gt 0 ]; then
  echo "did not build (${#build_failed[@]}): ${build_failed[*]}"
  echo "first build error:"
  sed -n 1,15p "$work/log/build-${build_failed[0]}.log"
fi
[ ${#names[@]} -gt 0 ] || die "no validation test built"
echo "built ${#names[@]} test programs"

# The rootfs tarball the tests unpack from their working dir: the checkout's, or (older
# checkouts fetched it at build time) one made from Debian's busybox like tests/lib/mkbundle.sh.
arch=$(go env GOARCH)
if [ -f "$src/rootfs-$arch.tar.gz" ]; then
  ln -s "$src/rootfs-$arch.tar.gz" "$work/run/rootfs-$arch.tar.gz"
else
  echo "no rootfs-$arch.tar.gz in the checkout; making one from busybox"
  BERTH_RUNTIME=$berth BERTH_TESTBIN=/nonexistent "$repo/tests/lib/mkbundle.sh" "$work/rootfs-bundle" sh >/dev/null ||
    die "cannot make a busybox rootfs"
  # The tests use root.path "." (the bundle dir is the rootfs), so the tarball's top level is
  # the rootfs itself, as upstream's rootfs-$GOARCH.tar.gz.
  tar -C "$work/rootfs-bundle/rootfs" -czf "$work/run/rootfs-$arch.tar.gz" .
  rm -rf "$work/rootfs-bundle"
fi

# RUNTIME is exec'd with the runtime CLI's commands only; the wrapper pins a private state dir.
for name in runc berth; do
  bin=$([ "$name" = berth ] && echo "$berth" || echo "$runc_path")
  printf '#!/bin/sh\nexec %q --root %q "$@"\n' "$bin" "$work/state-$name" >"$work/rt/$name"
  chmod +x "$work/rt/$name"
done

# ---- run ------------------------------------------------------------------------------------------
# tap_summary FILE: "PASS FAIL SKIP" over all TAP result lines (nested ones too), and a plan
# check: a program that died early or timed out counts one extra failure.
tap_summary() {
  awk '
    /^[[:space:]]*ok[[:space:]]/ { if (tolower($0) ~ /#[[:space:]]*skip/) s++; else p++ }
    /^[[:space:]]*not ok[[:space:]]/ { if (tolower($0) ~ /#[[:space:]]*todo/) s++; else f++ }
    END { printf "%d %d %d\n", p, f, s }' "$1"
}
# passed_keys FILE: "N description" of each top-level passing assertion, to compare runtimes.
passed_keys() {
  awk '/^ok[[:space:]]/ && tolower($0) !~ /#[[:space:]]*skip/ { $1 = ""; sub(/^ /, ""); print }' "$1" | sort -u
}

run_one() { # RUNTIME-NAME TEST-NAME -> TAP in log/NAME.RUNTIME.tap, exit status appended
  local rt=$1 t=$2 out=$work/log/$2.$1.tap rc
  (cd "$work/run" && RUNTIME=$work/rt/$rt TMPDIR=$work/tmp \
    timeout -k 5 "$per_test_timeout" "$work/bin/$t.t") >"$out" 2>"$work/log/$t.$rt.err" </dev/null
  rc=$?
  # Two kinds of upstream tests report without a TAP assertion; give them one so that they count:
  # - process_capabilities_fail, process_rlimits_fail: pass by printing nothing and exiting 0 (the
  #   runtime refused the invalid config); they fail by exiting 1 after runtimetest's TAP, from a
  #   container that should not have started. Their verdict is the exit status alone.
  # - hooks, prestart, poststart, poststop and their *_fail variants: plan "1..0" and report a
  #   failure only as a YAML block with an "error:" key.
  if [[ " process_capabilities_fail process_rlimits_fail " == *" $t "* ]]; then
    mv "$out" "$out.raw"
    if [ "$rc" -eq 0 ] && ! grep -Eq '^[[:space:]]*(not )?ok[[:space:]]' "$out.raw"; then
      printf '1..1\nok 1 - %s: the runtime rejected the invalid config\n' "$t" >"$out"
    else
      printf '1..1\nnot ok 1 - %s: the runtime did not reject the invalid config (see %s.raw)\n' \
        "$t" "$(basename "$out")" >"$out"
    fi
  elif grep -q '^1\.\.0$' "$out" && grep -q '^  error:' "$out"; then
    awk '/^  error:/ { v = $0; sub(/^  error:[[:space:]]*/, "", v)
        if (v ~ /^[|>]/ && (getline line) > 0) { sub(/^[[:space:]]*/, "", line); v = line }
        print "not ok - error reported without an assertion: " v; exit }' "$out" >"$out.tmp"
    cat "$out.tmp" >>"$out"
    rm -f "$out.tmp"
  fi
  echo "# exit status $rc" >>"$out"
  # a crash, a timeout or a missing plan is a failure of its own
  if [ "$rc" -ne 0 ] || ! grep -Eq '^1\.\.[0-9]+' "$out"; then
    echo "not ok - program exited $rc$([ "$rc" = 124 ] && echo ' (timeout)')" >>"$out"
  fi
  # leftovers of a killed test: containers in the private root, bundles in TMPDIR
  local bin id
  bin=$([ "$rt" = berth ] && echo "$berth" || echo "$runc_path")
  for id in $("$bin" --root "$work/state-$rt" list -q 2>/dev/null); do
    "$bin" --root "$work/state-$rt" delete --force "$id" >/dev/null 2>&1 || true
  done
}

printf '\n%-42s %-16s %-16s %s\n' test "runc ok/fail/skip" "berth ok/fail/skip" verdict
regressions=()
total_runc=0 total_berth=0
for t in "${names[@]}"; do
  run_one runc "$t"
  run_one berth "$t"
  read -r rp rf rs < <(tap_summary "$work/log/$t.runc.tap")
  read -r bp bf bs < <(tap_summary "$work/log/$t.berth.tap")
  total_runc=$((total_runc + rp)) total_berth=$((total_berth + bp))
  # Regressions: assertions runc passes and berth does not (by number and description; a
  # description may name a random id, so fall back to counts when none of runc's keys match).
  lost=$(comm -23 <(passed_keys "$work/log/$t.runc.tap") <(passed_keys "$work/log/$t.berth.tap") | wc -l)
  if [ "$lost" -gt 0 ] && [ "$bp" -ge "$rp" ] && [ "$bf" -le "$rf" ]; then lost=0; fi
  if [ "$lost" -gt 0 ] || { [ "$rf" -eq 0 ] && [ "$bf" -gt 0 ]; }; then
    verdict="REGRESSION"
    regressions+=("$t")
  elif [ "$bp" -gt "$rp" ]; then
    verdict="ok (berth passes more)"
  else
    verdict=ok
  fi
  printf '%-42s %-16s %-16s %s\n' "$t" "$rp/$rf/$rs" "$bp/$bf/$bs" "$verdict"
done
echo
echo "assertions passed: runc $total_runc, berth $total_berth; tests: ${#names[@]} run, ${#build_failed[@]} not built"
if [ ${#regressions[@]} -gt 0 ]; then
  echo "berth fails where runc passes (${#regressions[@]}): ${regressions[*]}"
  for t in "${regressions[@]}"; do
    echo "--- $t (berth):"
    grep -E '^[[:space:]]*not ok|^# exit' "$work/log/$t.berth.tap" | head -8
    head -5 "$work/log/$t.berth.err"
  done
  echo "FAIL runtime-tools validation (logs: RT_KEEP=1 keeps $work/log)"
  exit 1
fi
echo "PASS runtime-tools validation: berth passes wherever runc passes"
exit 0
