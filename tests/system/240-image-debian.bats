#!/usr/bin/env bats
# berth-image bootstrap debian: a real Debian root filesystem through debootstrap (from Debian's
# mirror, the one network source this machine has), run as a container.

load image_helpers

@test "bootstrap debian: a bookworm image that runs bash and apt" {
  command -v debootstrap >/dev/null || skip "debootstrap not installed"
  timeout 10 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' 2>/dev/null || skip "deb.debian.org unreachable"
  run timeout 900 "$BERTH_IMAGE" --data-root "$DATA" bootstrap debian
  [ "$status" -eq 0 ]
  id=${lines[-1]}
  [[ $id =~ ^sha256:[0-9a-f]{64}$ ]]
  run bi inspect debian:bookworm
  [ "$(jq -c '.[0].Config.Cmd' <<<"$output")" = '["bash"]' ]
  mkdir "$WORK/root"
  bi mount debian:bookworm deb1 "$WORK/root"
  run run_in "$WORK/root" bash -c 'cut -d. -f1 /etc/debian_version; apt-get --version | head -1; id -un'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 12 ]
  [[ ${lines[1]} == apt* ]]
  [ "${lines[2]}" = root ]
  bi unmount deb1 "$WORK/root"
}
