#!/usr/bin/env bats
# The docker CLI against a private berthd where dockerd's answers are easy to get wrong: prune
# filters, rmi conflicts that even -f cannot force, the builtin networks and `system prune`,
# an exec whose process cannot start, ps filters and columns, supplementary groups.

bats_require_minimum_version 1.5.0

load ../lib/berthd.bash

setup_file() { berthd_start; }
teardown_file() { berthd_stop; }
teardown() { berthd_test_teardown pp; }

n() { echo "pp$BATS_TEST_NUMBER-$1"; }

@test "container prune honours label, label! and until" {
  docker create --name "$(n keep)" -l keep=yes busybox true
  docker create --name "$(n no)" -l keep=no busybox true
  docker create --name "$(n bare)" busybox true
  run docker container prune -f --filter until=1h
  [ "$status" -eq 0 ]
  [ "$(docker ps -aq --filter "name=$(n)" | wc -l)" -eq 3 ]
  run docker container prune -f --filter 'label!=keep=yes'
  [ "$status" -eq 0 ]
  [ "$(docker ps -a --filter "name=$(n)" --format '{{.Names}}')" = "$(n keep)" ]
  docker create --name "$(n two)" busybox true
  run docker container prune -f --filter 'label!=keep'
  [ "$(docker ps -a --filter "name=$(n)" --format '{{.Names}}')" = "$(n keep)" ]
  run docker container prune -f --filter until=yesterday
  [ "$status" -ne 0 ]
  [[ $output == *'failed to parse value as time or duration: "yesterday"'* ]]
}

@test "image prune and images honour label and before/since" {
  docker create --name "$(n c)" busybox true
  docker commit -c 'LABEL stage=old' "$(n c)" pp-old:1
  sleep 1.1
  docker commit "$(n c)" pp-new:1
  run docker images --filter before=pp-new:1 --format '{{.Repository}}'
  [[ $output == *pp-old* && $output != *pp-new* ]]
  run docker images --filter since=pp-old:1 --format '{{.Repository}}'
  [ "$output" = pp-new ]
  run docker images --filter since=nosuch:1
  [ "$status" -ne 0 ]
  run docker image prune -af --filter label=stage=nonexistent
  [ "$status" -eq 0 ]
  docker image inspect pp-old:1 pp-new:1 >/dev/null
  run docker image prune -af --filter label=stage=old
  [[ $output == *"untagged: pp-old:1"* ]]
  run docker image inspect pp-old:1
  [ "$status" -ne 0 ]
  docker image inspect pp-new:1 >/dev/null
  docker rm "$(n c)"
  docker rmi pp-new:1
}

@test "rmi -f cannot force away a running container's image or a parent image" {
  docker create --name "$(n c)" busybox true
  docker commit "$(n c)" pp-child:1
  local parent child
  parent=$(docker images -q busybox)
  run docker rmi -f "$parent"
  [ "$status" -eq 1 ]
  [[ $output == *"conflict: unable to delete $parent (cannot be forced) - image has dependent child images"* ]]
  docker run -d --name "$(n r)" pp-child:1 sleep 60
  child=$(docker images -q pp-child:1)
  run docker rmi -f "$child"
  [ "$status" -eq 1 ]
  [[ $output == *"(cannot be forced) - image is being used by running container"* ]]
  run docker rmi "$child"
  [[ $output == *"(cannot be forced) - image is being used by running container"* ]]
  # By name, -f only untags an image a running container uses; ps then shows its ID.
  run docker rmi -f pp-child:1
  [ "$status" -eq 0 ]
  [ "$output" = "Untagged: pp-child:1" ]
  [ "$(docker ps --filter "name=$(n r)" --format '{{.Image}}')" = "$child" ]
  docker rm -f "$(n r)" "$(n c)"
  run docker rmi "$child"
  [ "$status" -eq 0 ]
  [[ $output == *"Deleted: sha256:"* ]]
  docker image inspect busybox >/dev/null
}

@test "the builtin networks: ls, inspect, rm refused; system prune runs through" {
  run docker network ls --format '{{.Name}} {{.Driver}} {{.Scope}}'
  [ "$status" -eq 0 ]
  [ "$output" = "$(printf 'host host local\nnone null local')" ]
  docker run -d --name "$(n c)" busybox sleep 60
  run docker network inspect none --format '{{.Name}} {{range .Containers}}{{.Name}}{{end}}'
  [ "$output" = "none $(n c)" ]
  run docker inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' "$(n c)"
  [ "$output" = none ]
  [ "$(docker ps --filter "name=$(n c)" --format '{{.Networks}}')" = none ]
  run docker network inspect nosuchnet
  [ "$status" -ne 0 ]
  [[ $output == *"network nosuchnet not found"* ]]
  run docker network rm none
  [ "$status" -ne 0 ]
  [[ $output == *"none is a pre-defined network and cannot be removed"* ]]
  run docker network create pp-net
  [ "$status" -ne 0 ]
  [[ $output == *"not supported"* ]]
  run docker system prune -f
  [ "$status" -eq 0 ]
  [[ $output == *"Total reclaimed space"* ]]
  docker inspect "$(n c)" >/dev/null
}

@test "an exec whose process cannot start exits 126 with the reason" {
  docker run -d --name "$(n c)" busybox sleep 60
  run docker exec "$(n c)" /nonexistent
  [ "$status" -eq 126 ]
  [[ $output == *'exec: "/nonexistent": stat /nonexistent: no such file or directory'* ]]
  run docker exec -u nosuchuser "$(n c)" true
  [ "$status" -eq 126 ]
  [[ $output == *"unable to find user nosuchuser"* ]]
  run docker exec -t "$(n c)" /etc/passwd
  [ "$status" -eq 126 ]
  [[ $output == *"permission denied"* ]]
  # The container is unharmed.
  run docker exec "$(n c)" echo fine
  [ "$output" = fine ]
}

@test "logs of a --log-driver none container: a clear error, not a broken stream" {
  docker run -d --name "$(n c)" --log-driver none busybox echo hi
  run docker logs "$(n c)"
  [ "$status" -ne 0 ]
  [[ $output == *"configured logging driver does not support reading"* ]]
  [[ $output != *"unexpected EOF"* ]]
}

@test "ps filters name (a regular expression), volume, expose, network, publish; quoted command" {
  docker run -d --name "$(n web)" -l "$(n)" -v "$(n vol):/data" --expose 80 busybox \
    sh -c 'sleep 60'
  docker run -d --name "$(n other)" -l "$(n)" busybox sleep 60
  ps_names() { docker ps --filter "label=$(n)" "$@" --format '{{.Names}}' | sort | tr '\n' ' '; }
  [ "$(ps_names --filter "name=^$(n web)\$")" = "$(n web) " ]
  [ "$(ps_names --filter "name=$(n o)")" = "$(n other) " ]
  [ "$(ps_names --filter "volume=$(n vol)")" = "$(n web) " ]
  [ "$(ps_names --filter volume=/data)" = "$(n web) " ]
  [ "$(ps_names --filter volume=/nowhere)" = "" ]
  [ "$(ps_names --filter expose=80)" = "$(n web) " ]
  [ "$(ps_names --filter expose=70-90/tcp)" = "$(n web) " ]
  [ "$(ps_names --filter expose=80/udp)" = "" ]
  [ "$(ps_names --filter publish=80)" = "" ]
  [ "$(ps_names --filter network=none)" = "$(n other) $(n web) " ]
  [ "$(ps_names --filter network=host)" = "" ]
  run docker ps --filter health=bogus
  [ "$status" -ne 0 ]
  [ "$(docker ps --no-trunc --filter "name=$(n web)" --format '{{.Command}}')" = "\"sh -c 'sleep 60'\"" ]
  docker rm -f "$(n web)"
  docker volume rm "$(n vol)"
}

@test "supplementary groups start with the primary group, as docker sets them" {
  run docker run --rm busybox id
  [ "$output" = "uid=0(root) gid=0(root) groups=0(root),10(wheel)" ]
  run docker run --rm -u 1000:1000 busybox id
  [ "$output" = "uid=1000 gid=1000 groups=1000" ]
  docker run -d --name "$(n c)" busybox sleep 60
  run docker exec -u nobody "$(n c)" id -G
  [ "$output" = "65534" ]
}

@test "the init layer: diff and commit show only the container's changes; .dockerenv, /etc/mtab" {
  docker run --name "$(n c)" busybox sh -c 'echo x > /tmp/f; test -e /.dockerenv; readlink /etc/mtab'
  [ "$(docker logs "$(n c)")" = /proc/mounts ]
  run docker diff "$(n c)"
  [ "$output" = "$(printf 'C /tmp\nA /tmp/f')" ]
  [ "$(docker inspect -s -f '{{.SizeRw}}' "$(n c)")" = 2 ]
  run docker ps -a -s --filter "name=$(n c)" --format '{{.Size}}'
  [[ $output == "2B (virtual "* ]]
  docker commit "$(n c)" pp-init:1
  run docker history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' pp-init:1
  [ "${lines[0]}" = "sh -c echo x > /tmp/f; test -e /.dockerenv; readlink /etc/mtab|2B" ]
  [ "$(docker history -q pp-init:1 | sed -n 2p)" = "$(docker images -q busybox)" ]
  # The committed layer has /tmp/f and nothing of the container's /etc.
  docker run --rm pp-init:1 sh -c 'cat /tmp/f; wc -c < /etc/hostname' >"$BATS_TEST_TMPDIR/out"
  [ "$(head -1 "$BATS_TEST_TMPDIR/out")" = x ]
  # The stopped container's own files, as its processes saw them.
  [ "$(docker cp "$(n c):/etc/hostname" - | tar -xO)" = "$(docker inspect -f '{{.Config.Hostname}}' "$(n c)")" ]
  docker rm "$(n c)"
  docker rmi pp-init:1
}

@test "a bind mount on /etc still gets the container's hosts, hostname and resolv.conf" {
  mkdir -p "$BATS_TEST_TMPDIR/etc"
  run docker run --rm -v "$BATS_TEST_TMPDIR/etc:/etc" busybox sh -c 'wc -c < /etc/hostname; grep -c localhost /etc/hosts'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 13 ]
  [ "${lines[1]}" -ge 1 ]
  # A mount on one of the files replaces it.
  echo mine >"$BATS_TEST_TMPDIR/hosts"
  run docker run --rm -v "$BATS_TEST_TMPDIR/hosts:/etc/hosts:ro" busybox cat /etc/hosts
  [ "$output" = mine ]
}

@test "resolv.conf and hosts: the host's nameservers, --dns, --dns-search, --dns-option, --add-host" {
  run docker run --rm busybox cat /etc/resolv.conf
  [[ $output == *nameserver* ]]
  run docker run --rm --dns 192.0.2.53 --dns-search example.test --dns-option ndots:2 busybox \
    cat /etc/resolv.conf
  [ "$output" = "$(printf 'nameserver 192.0.2.53\nsearch example.test\noptions ndots:2')" ]
  run docker run --rm --add-host db.test:192.0.2.7 busybox tail -1 /etc/hosts
  [ "$output" = "$(printf '192.0.2.7\tdb.test')" ]
  run docker run --rm --add-host db.test:host-gateway busybox true
  [ "$status" -ne 0 ]
  [[ $output == *host-gateway* ]]
}

@test "--pid, --ipc, --uts and --cgroupns host; --sysctl; another container's namespace refused" {
  [ "$(docker run --rm --pid host busybox readlink /proc/self/ns/pid)" = "$(readlink /proc/self/ns/pid)" ]
  [ "$(docker run --rm --ipc host busybox readlink /proc/self/ns/ipc)" = "$(readlink /proc/self/ns/ipc)" ]
  [ "$(docker run --rm --uts host busybox hostname)" = "$(hostname)" ]
  [ "$(docker run --rm --cgroupns host busybox readlink /proc/self/ns/cgroup)" = "$(readlink /proc/self/ns/cgroup)" ]
  [ "$(docker run --rm busybox readlink /proc/self/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
  [ "$(docker run --rm --sysctl kernel.shmmax=12345 busybox cat /proc/sys/kernel/shmmax)" = 12345 ]
  docker run -d --name "$(n c)" busybox sleep 60
  run docker run --rm --pid "container:$(n c)" busybox true
  [ "$status" -ne 0 ]
  [[ $output == *"not supported yet"* ]]
}

@test "env: a bare NAME unset on the client is dropped; the request's variables come first" {
  run env -u PP_UNSET docker run --rm -e PP_UNSET -e A=1 -e A=2 busybox env
  [[ $output != *PP_UNSET* ]]
  [ "$(grep -c '^A=' <<<"$output")" -eq 1 ]
  [[ $output == *"A=2"* ]]
  docker create --name "$(n c)" -e X=1 busybox true
  [ "$(docker inspect -f '{{index .Config.Env 0}}' "$(n c)")" = X=1 ]
}

@test "an unknown capability is refused at create; a failed start of a --rm run prints one error" {
  run docker create --name "$(n c)" --cap-add BOGUS busybox true
  [ "$status" -ne 0 ]
  [[ $output == *'invalid CapAdd: unknown capability: "CAP_BOGUS"'* ]]
  run docker inspect "$(n c)"
  [ "$status" -ne 0 ]
  run -127 docker run --rm --name "$(n r)" busybox /nonexistent
  [ "$status" -eq 127 ]
  [[ $output == *'stat /nonexistent: no such file or directory'* ]]
  [[ $output != *"Error waiting for container"* ]]
}

@test "a new volume takes the image's content at its mount point, unless nocopy" {
  local want
  want=$(docker run --rm busybox ls /etc | sort)
  [ "$(docker run --rm -v "$(n vol):/etc" busybox ls /etc | sort)" = "$want" ]
  # The content is the volume's now: a later container sees it without the image's help.
  [ "$(docker run --rm -v "$(n vol):/data" busybox ls /data | sort)" = "$want" ]
  [ "$(docker run --rm -v /etc busybox ls /etc | sort)" = "$want" ]
  run docker run --rm -v "$(n nc):/etc:nocopy" busybox ls /etc
  [[ $output != *passwd* ]]
  run docker run --rm --mount "type=volume,src=$(n nc2),dst=/etc,volume-nocopy" busybox ls /etc
  [[ $output != *passwd* ]]
  docker volume rm "$(n vol)" "$(n nc)" "$(n nc2)"
}

@test "--mount type=tmpfs honours tmpfs-size and tmpfs-mode" {
  run docker run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770 busybox \
    sh -c 'grep " /t " /proc/mounts; stat -c %a /t'
  [[ ${lines[0]} == *size=1024k* ]]
  [ "${lines[1]}" = 1770 ]
}

@test "a container the kernel OOM-killed: OOMKilled and an oom event" {
  run docker run --name "$(n c)" -m 8m --memory-swap 8m busybox sh -c 'x=a; while :; do x=$x$x; done'
  [ "$status" -eq 137 ]
  [ "$(docker inspect -f '{{.State.OOMKilled}}' "$(n c)")" = true ]
  run docker events --since 60s --until "$(($(date +%s) + 1))" --filter "container=$(n c)" --filter event=oom \
    --format '{{.Action}}'
  [ "$output" = oom ]
  docker run --name "$(n ok)" busybox true
  [ "$(docker inspect -f '{{.State.OOMKilled}}' "$(n ok)")" = false ]
}

@test "inspect records the masked and read-only paths; systempaths=unconfined clears them" {
  docker create --name "$(n c)" busybox true
  run docker inspect -f '{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}' "$(n c)"
  [[ $output == '["/proc/'*'"/proc/kcore"'*'"/sys/firmware"'*'] ["/proc/bus",'*'"/proc/sysrq-trigger"]' ]]
  [ "$(docker inspect -f '{{.HostConfig.IpcMode}}' "$(n c)")" = private ]
  [ "$(docker run --rm busybox grep -c ' /proc/keys ' /proc/mounts)" = 1 ]
  [ "$(docker run --rm --security-opt systempaths=unconfined busybox grep -c ' /proc/keys ' /proc/mounts)" = 0 ]
  docker create --name "$(n p)" --privileged busybox true
  [ "$(docker inspect -f '{{json .HostConfig.MaskedPaths}}' "$(n p)")" = null ]
}

@test "kill with a bad signal, image Comment, stats' blkio arrays" {
  docker run -d --name "$(n c)" busybox sleep 60
  run docker kill -s NOSUCHSIG "$(n c)"
  [ "$status" -ne 0 ]
  [[ $output == *"Invalid signal: NOSUCHSIG"* ]]
  [ "$(docker image inspect -f '{{.Comment}}' busybox)" = "Imported from /bin/busybox" ]
  run curl -sf --unix-socket "$BERTHD_DIR/sock" "http://x/containers/$(n c)/stats?stream=false"
  [ "$(jq -c '.blkio_stats.io_service_bytes_recursive | type' <<<"$output")" = '"array"' ]
}

@test "--privileged: the host's device nodes and a writable cgroup tree" {
  local dev
  dev=$(find /dev -maxdepth 1 -type b | head -1)
  [ -n "$dev" ] || skip "no block device on this host"
  run docker run --rm --privileged busybox sh -c \
    "ls $dev /dev/null; grep -c ' /sys/fs/cgroup/[a-z]* cgroup rw,' /proc/mounts"
  [ "$status" -eq 0 ]
  [[ $output == *"$dev"* ]]
  [ "${lines[-1]}" -ge 1 ]
  run docker run --rm busybox ls "$dev"
  [ "$status" -ne 0 ]
}

@test "events: tag by its familiar name, untag by the image ID, attach" {
  local since id
  since=$(date +%s)
  docker tag busybox pp-ev:1
  docker rmi pp-ev:1
  docker run -d --name "$(n c)" busybox sh -c 'sleep 1; echo hi'
  docker attach "$(n c)"
  id=$(docker image inspect -f '{{.Id}}' busybox)
  run docker events --since "$since" --until "$(($(date +%s) + 1))" \
    --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'
  [[ $output == *"image tag pp-ev:1"* ]]
  [[ $output == *"image untag $id"* ]]
  [[ $output == *"container attach $(n c)"* ]]
}

# health_of NAME: the container's health status ("" without a health check).
health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1"; }
# await_health NAME STATUS: polls up to 20 s for it.
await_health() {
  for _ in $(seq 100); do
    [ "$(health_of "$1")" = "$2" ] && return 0
    sleep 0.2
  done
  echo "health of $1: $(health_of "$1"), not $2" >&2
  return 1
}

@test "health checks: starting, then healthy or unhealthy; ps, its health filter and events" {
  local since
  since=$(date +%s)
  docker run -d --name "$(n ok)" --health-cmd 'test -e /tmp/ready' --health-interval 500ms \
    --health-retries 2 busybox sh -c 'sleep 1; touch /tmp/ready; sleep 60'
  docker run -d --name "$(n bad)" --health-cmd 'echo failing; exit 1' --health-interval 500ms \
    --health-retries 2 busybox sleep 60
  docker run -d --name "$(n none)" busybox sleep 60
  [ "$(health_of "$(n none)")" = "" ]
  await_health "$(n ok)" healthy
  await_health "$(n bad)" unhealthy
  [[ $(docker ps --filter "name=$(n ok)" --format '{{.Status}}') == *"(healthy)" ]]
  [[ $(docker ps --filter "name=$(n bad)" --format '{{.Status}}') == *"(unhealthy)" ]]
  [ "$(docker ps --filter "name=$(n)" --filter health=unhealthy --format '{{.Names}}')" = "$(n bad)" ]
  [ "$(docker ps --filter "name=$(n)" --filter health=none --format '{{.Names}}')" = "$(n none)" ]
  run docker inspect -f '{{(index .State.Health.Log 0).Output}} {{.State.Health.FailingStreak}}' "$(n bad)"
  [[ $output == "failing"* ]]
  run docker events --since "$since" --until "$(($(date +%s) + 1))" \
    --filter event=health_status --format '{{.Action}} {{.Actor.Attributes.name}}'
  [[ $output == *"health_status: healthy $(n ok)"* ]]
  [[ $output == *"health_status: unhealthy $(n bad)"* ]]
  # --no-healthcheck turns an image's or a run's check off.
  docker run -d --name "$(n off)" --no-healthcheck busybox sleep 60
  [ "$(health_of "$(n off)")" = "" ]
}
