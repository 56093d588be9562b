#!/usr/bin/env bats
# The real docker CLI (and docker-py) against a private berthd: the container lifecycle as
# Docker users drive it.

bats_require_minimum_version 1.5.0

load ../lib/berthd.bash

setup_file() { berthd_start; }
teardown_file() { berthd_stop; }
teardown() { berthd_test_teardown bc; }

n() { echo "bc$BATS_TEST_NUMBER-$1"; }

@test "docker version and info talk to berthd" {
  run docker version --format '{{.Server.Version}} {{.Server.APIVersion}}'
  [ "$status" -eq 0 ]
  [[ $output == *" 1.4"* ]]
  run docker info --format '{{.Driver}} {{.Images}}'
  [ "$status" -eq 0 ]
  [ "$output" = "overlay 1" ]
}

@test "docker run --rm prints the output and removes the container" {
  run --separate-stderr docker run --rm --name "$(n a)" busybox echo hello berth
  [ "$status" -eq 0 ]
  [ "$output" = "hello berth" ]
  run docker ps -aq --filter "name=$(n a)"
  [ -z "$output" ]
}

@test "docker run propagates the exit code and stderr" {
  run --separate-stderr docker run --rm busybox sh -c 'echo to-err >&2; exit 3'
  [ "$status" -eq 3 ]
  [ "$stderr" = "to-err" ]
}

@test "docker run of a missing command exits 127, of one that cannot run 126" {
  run -127 --separate-stderr docker run --rm busybox /no/such/binary
  [[ $stderr == *"/no/such/binary"* ]]
  # The CLI takes the status from the error's words, as Go spells errno: "permission denied".
  run -126 --separate-stderr docker run --rm busybox /etc
  [[ $stderr == *"/etc"*"permission denied"* ]]
  [ -z "$(docker ps -aq --filter ancestor=busybox --filter status=created)" ]
}

@test "docker run -d, ps, logs, exec, stop, rm" {
  docker run -d --name "$(n d)" busybox sh -c 'echo out; echo err >&2; trap "exit 0" TERM; while :; do sleep 0.1; done'
  run docker ps --filter "name=$(n d)" --format '{{.Names}} {{.State}}'
  [ "$output" = "$(n d) running" ]
  sleep 0.3
  run --separate-stderr docker logs "$(n d)"
  [ "$output" = "out" ]
  [ "$stderr" = "err" ]
  run docker exec "$(n d)" sh -c 'echo in-exec; exit 4'
  [ "$status" -eq 4 ]
  [ "$output" = "in-exec" ]
  run docker stop "$(n d)"
  [ "$status" -eq 0 ]
  run docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(n d)"
  [ "$output" = "exited 0" ]
  docker rm "$(n d)"
  run docker inspect "$(n d)"
  [ "$status" -ne 0 ]
}

@test "stdin through docker exec -i and docker run -i" {
  docker run -d --name "$(n s)" busybox sleep 30
  echo x | docker exec -i "$(n s)" sh -c 'cat >> /f'
  run docker exec "$(n s)" cat /f
  [ "$output" = "x" ]
  run sh -c "printf 'a\nb\n' | docker run -i --rm busybox wc -l"
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | tr -d ' ')" = "2" ]
}

@test "docker stop sends SIGTERM, then SIGKILL after the timeout" {
  docker run -d --name "$(n k)" busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done'
  run docker stop -t 1 "$(n k)"
  [ "$status" -eq 0 ]
  run docker inspect -f '{{.State.ExitCode}}' "$(n k)"
  [ "$output" = "137" ]
}

@test "docker pause and unpause" {
  docker run -d --name "$(n p)" busybox sleep 30
  docker pause "$(n p)"
  run docker inspect -f '{{.State.Status}}' "$(n p)"
  [ "$output" = "paused" ]
  docker unpause "$(n p)"
  run docker inspect -f '{{.State.Status}}' "$(n p)"
  [ "$output" = "running" ]
}

@test "docker rm -v of the exited containers" {
  docker run --name "$(n x1)" busybox true
  docker run --name "$(n x2)" -v /data busybox true
  run docker ps -aq -f status=exited
  [ "$status" -eq 0 ]
  # shellcheck disable=SC2046
  docker rm -v $(docker ps -aq -f status=exited)
  run docker ps -aq -f status=exited
  [ -z "$output" ]
}

@test "docker commit, save and load round trip" {
  docker run --name "$(n c)" busybox sh -c 'echo committed > /c.txt'
  docker commit -m msg "$(n c)" bccommit:1
  run docker run --rm bccommit:1 cat /c.txt
  [ "$output" = "committed" ]
  docker save -o "$BERTHD_DIR/c.tar" bccommit:1
  docker rmi bccommit:1
  run docker load -i "$BERTHD_DIR/c.tar"
  [[ $output == *"Loaded image: bccommit:1"* ]]
  run docker run --rm bccommit:1 cat /c.txt
  [ "$output" = "committed" ]
  docker rmi bccommit:1
}

@test "docker attach sees the output of a running container" {
  docker run -d --name "$(n at)" busybox sh -c 'sleep 1; echo attached-out'
  run timeout 20 docker attach "$(n at)"
  [ "$status" -eq 0 ]
  [ "$output" = "attached-out" ]
}

@test "bad input: unknown image, unknown container, name conflict, bad memory, bad JSON" {
  run docker run --rm nosuchimage:1
  [ "$status" -eq 125 ]
  run docker inspect nosuchcontainer
  [ "$status" -ne 0 ]
  [[ $output == *"No such"* ]]
  docker create --name "$(n dup)" busybox true
  run docker create --name "$(n dup)" busybox true
  [ "$status" -ne 0 ]
  [[ $output == *"already in use"* ]]
  run docker run --rm -m 1k busybox true
  [ "$status" -eq 125 ]
  [[ $output == *"Minimum memory limit"* ]]
  run curl -s -o /dev/null -w '%{http_code}' --unix-socket "$BERTHD_DIR/sock" -X POST \
    -H 'Content-Type: application/json' -d '{bad' http://x/v1.43/containers/create
  [ "$output" = "400" ]
  run curl -s --unix-socket "$BERTHD_DIR/sock" http://x/_ping
  [ "$output" = "OK" ]
}

@test "docker-py creates, runs, logs and removes containers" {
  python3 -c 'import docker' 2>/dev/null || skip "python3-docker not installed"
  run python3 - <<'PY'
import docker, os
c = docker.DockerClient(base_url=os.environ["DOCKER_HOST"])
out = c.containers.run("busybox", ["echo", "from-py"], remove=True)
assert out == b"from-py\n", out
ctr = c.containers.run("busybox", ["sh", "-c", "echo logged; sleep 30"], detach=True, name="bcpy")
import time; time.sleep(0.5)
assert ctr.logs() == b"logged\n", ctr.logs()
ctr.reload(); assert ctr.status == "running", ctr.status
ctr.remove(force=True)
assert not any(x.name == "bcpy" for x in c.containers.list(all=True))
print("ok")
PY
  [ "$status" -eq 0 ]
  [ "$output" = "ok" ]
}

@test "restart policy on-failure:3 ends with RestartCount 3" {
  docker run -d --name "$(n r)" --restart on-failure:3 busybox sh -c 'exit 2'
  local i
  for i in $(seq 100); do
    [ "$(docker inspect -f '{{.RestartCount}} {{.State.Status}}' "$(n r)")" = "3 exited" ] && break
    sleep 0.2
  done
  run docker inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' "$(n r)"
  [ "$output" = "3 exited 2" ]
}

@test "live restore: kill -9 of berthd leaves containers running, exits are recorded" {
  docker run -d --name "$(n live)" busybox sh -c 'echo before; while :; do sleep 0.2; done'
  docker run -d --name "$(n short)" busybox sh -c 'sleep 1; exit 7'
  sleep 0.3
  berthd_kill9
  sleep 1.5
  berthd_launch
  run docker inspect -f '{{.State.Status}}' "$(n live)"
  [ "$output" = "running" ]
  run docker logs "$(n live)"
  [ "$output" = "before" ]
  run docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(n short)"
  [ "$output" = "exited 7" ]
  run docker exec "$(n live)" echo still-here
  [ "$output" = "still-here" ]
  docker stop -t 1 "$(n live)"
}

@test "clients that break off and oversized headers leak nothing and berthd keeps serving" {
  docker run -d --name "$(n leak)" busybox sh -c 'while :; do echo x; sleep 0.1; done'
  sleep 0.3
  local fds shims mounts
  fds=$(berthd_fds) shims=$(berthd_shims) mounts=$(berthd_mounts)
  timeout -s KILL 1 docker logs -f "$(n leak)" >/dev/null || true
  timeout -s KILL 1 docker attach --no-stdin "$(n leak)" >/dev/null || true
  timeout -s KILL 1 docker events >/dev/null || true
  python3 - "$BERTHD_DIR/sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
try:
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
except BrokenPipeError:
    pass  # berthd answered and closed before reading it all
print(s.recv(100).split(b"\r\n")[0].decode())
PY
  sleep 1.5
  run docker version --format '{{.Server.Version}}'
  [ "$status" -eq 0 ]
  [ "$(berthd_fds)" -le "$fds" ]
  [ "$(berthd_shims)" -eq "$shims" ]
  [ "$(berthd_mounts)" -eq "$mounts" ]
}

@test "the API detaches a tty client at its detach keys; the container and the exec run on" {
  docker run -dit --name "$(n d)" busybox sh
  # hijack.py SOCK PATH BODY KEYS: a raw hijacked client (as docker-py's attach_socket) types a
  # command, then KEYS (Python escapes); prints the status line and, once berthd has closed
  # the stream, whether the command's output came first.
  cat >"$BATS_TEST_TMPDIR/hijack.py" <<'PY'
import socket, sys, time
sock, path, body = sys.argv[1], sys.argv[2], sys.argv[3].encode()
keys = sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(10)
s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
          b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
          % (path.encode(), len(body), body))
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
print(head.split(b"\r\n")[0].decode())
s.sendall(b"echo in-$((40+2))\n")
time.sleep(0.5)
s.sendall(keys)
out = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    out += c
print("closed", b"in-42" in out)
PY
  local hj=$BATS_TEST_TMPDIR/hijack.py sock=$BERTHD_DIR/sock api=http://x/v1.43
  run python3 "$hj" "$sock" "/v1.43/containers/$(n d)/attach?stream=1&stdin=1&stdout=1" "" '\x10\x11'
  [ "$output" = $'HTTP/1.1 101 UPGRADED\nclosed True' ]
  run python3 "$hj" "$sock" "/v1.43/containers/$(n d)/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-x,x" "" '\x18x'
  [ "$output" = $'HTTP/1.1 101 UPGRADED\nclosed True' ]
  [ "$(docker inspect -f '{{.State.Status}}' "$(n d)")" = running ]
  # An exec with its own keys runs on after its client detached; its exit is still recorded.
  local eid pid i
  eid=$(curl -sf --unix-socket "$sock" -H 'Content-Type: application/json' \
    -d '{"Cmd": ["sh"], "Tty": true, "AttachStdin": true, "AttachStdout": true, "DetachKeys": "ctrl-e"}' \
    "$api/containers/$(n d)/exec" | jq -r .Id)
  run python3 "$hj" "$sock" "/v1.43/exec/$eid/start" '{"Tty": true}' '\x05'
  [ "$output" = $'HTTP/1.1 101 UPGRADED\nclosed True' ]
  [ "$(curl -sf --unix-socket "$sock" "$api/exec/$eid/json" | jq -c '[.Running, .ExitCode]')" = '[true,null]' ]
  pid=$(curl -sf --unix-socket "$sock" "$api/exec/$eid/json" | jq .Pid)
  kill -KILL "$pid"
  for i in $(seq 50); do
    [ "$(curl -sf --unix-socket "$sock" "$api/exec/$eid/json" | jq .Running)" = false ] && break
    sleep 0.1
  done
  [ "$(curl -sf --unix-socket "$sock" "$api/exec/$eid/json" | jq -c '[.Running, .ExitCode]')" = '[false,137]' ]
  # Keys that do not parse are refused before anything starts.
  run curl -s -w ' %{http_code}' --unix-socket "$sock" -H 'Content-Type: application/json' \
    -d '{"Cmd": ["true"], "DetachKeys": "ctrl-?"}' "$api/containers/$(n d)/exec"
  [[ $output == '{"message":"Invalid detach keys (ctrl-?) provided"}'*' 400' ]]
}

@test "docker import prints the new image ID" {
  mkdir -p "$BERTHD_DIR/imp" && echo hi >"$BERTHD_DIR/imp/f"
  run sh -c "tar -C '$BERTHD_DIR/imp' -c . | docker import - bcimport:1"
  [ "$status" -eq 0 ]
  [[ $output == sha256:* ]]
  run docker run --rm bcimport:1 /f
  [ "$status" -ne 0 ]  # no shell in it: the image is just the one file
  docker rmi bcimport:1
}

@test "docker run --init: PID 1 is docker-init, the command's status and a missing command's 127" {
  run --separate-stderr docker run --rm --init busybox ps -o pid,comm
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | awk '$1 == 1 { print $2 }')" = docker-init ]
  run docker run --rm --init busybox sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run docker run --rm --init busybox sh -c 'kill -KILL $$'
  [ "$status" -eq 137 ]
  run -127 docker run --rm --init busybox /no/such/binary
  [[ $output == *"/no/such/binary"* ]]
}

@test "docker run --init reaps orphaned zombies" {
  # The orphan (a sleep) is the init's child once its subshell is gone; when it ends, only the
  # init can reap it. The loop is bounded: a zombie stays "Z".
  run docker run --rm --init busybox sh -c '
    (sleep 2 & echo $! >/tmp/pid)
    p=$(cat /tmp/pid)
    echo "ppid $(cut -d" " -f4 /proc/$p/stat)"
    i=0
    while [ -e /proc/$p ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    if [ -e /proc/$p ]; then echo "left $(cut -d" " -f3 /proc/$p/stat)"; else echo reaped; fi'
  [ "$status" -eq 0 ]
  [ "$output" = $'ppid 1\nreaped' ]
}

@test "docker stop of a --init container: SIGTERM reaches the command (143); inspect shows the user's command" {
  docker run -d --init --name "$(n i)" busybox sleep 100
  run docker inspect -f '{{.Path}} {{.Args}} {{.HostConfig.Init}}' "$(n i)"
  [ "$output" = "sleep [100] true" ]
  run docker stop -t 10 "$(n i)"
  [ "$status" -eq 0 ]
  run docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(n i)"
  [ "$output" = "exited 143" ]
}

@test "docker run -t --init: the command is in the terminal's foreground process group" {
  # /proc/PID/stat fields 5 and 8: the process group and the terminal's foreground group.
  local pgrp tpgid
  run docker run --rm -t --init busybox sh -c 'set -- $(cat /proc/$$/stat); echo "$5 $8"'
  [ "$status" -eq 0 ]
  read -r pgrp tpgid <<<"${output//$'\r'/}"
  [ "$pgrp" -gt 1 ]
  [ "$pgrp" = "$tpgid" ]
}

@test "docker images --filter reference lists only the matching tags" {
  docker tag busybox bcref-one:1
  docker tag busybox bcref-two:1
  docker tag busybox localhost:5000/bcref/app:1.0
  run docker images --filter reference=bcref-one --format '{{.Repository}}:{{.Tag}}'
  [ "$status" -eq 0 ]
  [ "$output" = "bcref-one:1" ]
  run docker images --format '{{.Repository}}:{{.Tag}}' bcref-two:1
  [ "$output" = "bcref-two:1" ]
  run docker images --filter 'reference=bcref-*:1' --format '{{.Repository}}:{{.Tag}}'
  [ "$(sort <<<"$output")" = $'bcref-one:1\nbcref-two:1' ]
  run docker images --filter 'reference=*/bcref/app' --format '{{.Repository}}:{{.Tag}}'
  [ "$output" = "localhost:5000/bcref/app:1.0" ]
  run docker images --filter 'reference=localhost:5000/bcref/app:1.*' -q
  [ "$output" = "$(docker images -q busybox)" ]
  run docker images --filter reference=bcref-none -q
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run docker images --filter 'reference=[bcref' -q
  [ "$status" -ne 0 ]
  [[ $output == *"syntax error in pattern"* ]]
  docker rmi bcref-one:1 bcref-two:1 localhost:5000/bcref/app:1.0
}

@test "docker cp out of a container: dir/. copies the content, dir and dir/ the directory" {
  local o=$BATS_TEST_TMPDIR/cp
  mkdir -p "$o/content" "$o/whole" "$o/slash"
  docker run -d --name "$(n c)" busybox sleep 100
  docker exec "$(n c)" sh -c 'mkdir -p /d/sub && echo a >/d/f && echo b >/d/sub/g && ln -s /d /dl'
  docker cp "$(n c):/d/." "$o/content"
  [ "$(cat "$o/content/f" "$o/content/sub/g")" = $'a\nb' ]
  [ ! -e "$o/content/d" ]
  docker cp "$(n c):/d" "$o/whole"
  [ "$(cat "$o/whole/d/f")" = a ]
  docker cp "$(n c):/d/" "$o/slash"
  [ "$(cat "$o/slash/d/sub/g")" = b ]
  # A destination that does not exist takes the directory's name.
  docker cp "$(n c):/d/." "$o/new"
  [ "$(cat "$o/new/f")" = a ]
  # A trailing slash or /. follows a symlink at the end; without them the link is copied.
  docker cp "$(n c):/dl/." "$o/vialink"
  [ "$(cat "$o/vialink/sub/g")" = b ]
  docker cp "$(n c):/dl" "$o/link"
  [ "$(readlink "$o/link")" = /d ]
  # The archive itself: "./" names for dir/., the base name otherwise.
  run sh -c "docker cp '$(n c):/d/.' - | tar -t | sort"
  [ "$output" = $'./\n./f\n./sub/\n./sub/g' ]
  run sh -c "docker cp '$(n c):/d/' - | tar -t | sort"
  [ "$output" = $'d/\nd/f\nd/sub/\nd/sub/g' ]
  run docker cp "$(n c):/d/f/" "$o/x"
  [ "$status" -ne 0 ]
  [[ ${output,,} == *"not a directory"* ]]
}

@test "docker cp reaches volumes of running and stopped containers; a read-only one refuses" {
  local o=$BATS_TEST_TMPDIR/cpvol
  mkdir -p "$o/ro"
  echo vol >"$o/f"
  echo host >"$o/ro/h"
  docker run -d --name "$(n c)" -v "$(n v):/data" -v "$o/ro:/ro:ro" busybox sleep 100
  docker cp "$o/f" "$(n c):/data/f"
  run docker run --rm -v "$(n v):/v" busybox cat /v/f
  [ "$output" = vol ]
  run docker cp "$o/f" "$(n c):/ro/"
  [ "$status" -ne 0 ]
  [[ $output == *"mounted volume is marked read-only"* ]]
  docker stop -t 1 "$(n c)"
  docker cp "$(n c):/ro/h" "$o/h.out"
  [ "$(cat "$o/h.out")" = host ]
  docker cp "$(n c):/data/f" "$o/f.out"
  [ "$(cat "$o/f.out")" = vol ]
}

@test "docker cp into a container: to dir/., to dir/ and the content of a local dir/." {
  local o=$BATS_TEST_TMPDIR/cpin
  mkdir -p "$o/src/sub"
  echo top >"$o/top.txt"
  echo deep >"$o/src/sub/g"
  docker run -d --name "$(n c)" busybox sleep 100
  docker exec "$(n c)" mkdir -p /in /in2
  docker cp "$o/top.txt" "$(n c):/in/."
  docker cp "$o/src/." "$(n c):/in2/"
  docker cp "$o/src" "$(n c):/in/"
  run docker exec "$(n c)" sh -c 'cat /in/top.txt /in2/sub/g /in/src/sub/g; ls /in2'
  [ "$output" = $'top\ndeep\ndeep\nsub' ]
}
