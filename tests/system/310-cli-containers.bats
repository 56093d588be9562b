#!/usr/bin/env bats
# berth's container commands against a private berthd: run, create/start, ps, logs, exec,
# stop/kill/restart/pause, rm, inspect, wait, rename, top, diff, export, cp, commit, prune,
# with docker's output and exit codes.

load cli_helpers

setup_file() { cli_setup_file; }
teardown_file() { cli_teardown_file; }
teardown() { cli_teardown; }

@test "run prints the container's output and exits with its status" {
  run --separate-stderr b run --rm busybox sh -c 'echo out; echo err >&2; exit 3'
  [ "$status" -eq 3 ]
  [ "$output" = out ]
  [ "$stderr" = err ]
}

@test "run --rm removes the container on exit" {
  local n
  n=$(cname rm)
  run b run --rm --name "$n" busybox true
  [ "$status" -eq 0 ]
  run b ps -aq --filter "name=$n"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "run --rm mounts the rootfs volatile, a kept container's is not" {
  berthd_only "berthd's overlay options"
  local n root='$5 == "/" { print $NF }'
  n=$(cname keep)
  # No syncs of an upper that is thrown away (kernels since 6.8 spell it fsync=volatile).
  run b run --rm busybox awk "$root" /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [[ ,$output, == *,volatile,* || ,$output, == *,fsync=volatile,* ]]
  run b run --name "$n" busybox awk "$root" /proc/self/mountinfo
  [ "$status" -eq 0 ]
  [[ ,$output, == *,upperdir=* ]]
  [[ ,$output, != *,volatile,* && ,$output, != *,fsync=volatile,* ]]
}

@test "run without --rm keeps the exited container with its exit code" {
  local n
  n=$(cname keep)
  run b run --name "$n" busybox sh -c 'exit 7'
  [ "$status" -eq 7 ]
  run b inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$n"
  [ "$output" = "exited 7" ]
  run b ps -a --filter "name=$n" --format '{{.Names}} {{.Status}}'
  [[ $output == "$n Exited (7) "* ]]
}

@test "run -i forwards stdin and closes it at its end" {
  run b run --rm -i busybox sh -c 'cat; echo done'
  [ "$status" -eq 0 ]
  [ "$output" = done ]
  run bash -c 'printf "a\nb\n" | "$BERTH" run --rm -i busybox wc -l'
  [ "$status" -eq 0 ]
  [ "$(echo "$output" | tr -d ' ')" = 2 ]
}

@test "run passes env, workdir, user, entrypoint, hostname and labels" {
  local n
  n=$(cname cfg)
  echo "FROM_FILE=f" >"$BATS_TEST_TMPDIR/env"
  run b run --name "$n" -e A=1 --env-file "$BATS_TEST_TMPDIR/env" -w /tmp -u 1000 \
    --hostname box -l team=infra busybox sh -c 'echo $A $FROM_FILE $(pwd) $(id -u) $(hostname)'
  [ "$status" -eq 0 ]
  [ "$output" = "1 f /tmp 1000 box" ]
  run b inspect -f '{{index .Config.Labels "team"}} {{.Config.WorkingDir}}' "$n"
  [ "$output" = "infra /tmp" ]
  run b run --rm --entrypoint echo busybox hi there
  [ "$output" = "hi there" ]
  # An empty entrypoint clears the image's: the command runs as given.
  run b run --rm --entrypoint "" busybox echo cleared
  [ "$output" = "cleared" ]
  run b create --entrypoint "" busybox
  [ "$status" -ne 0 ]
  [[ $output == *"No command specified"* ]]
}

@test "run -d prints the ID; ps, logs, exec, stop and rm drive the container" {
  local n id
  n=$(cname d)
  run b run -d --name "$n" busybox sh -c 'echo started; exec sleep 100'
  [ "$status" -eq 0 ]
  [[ $output =~ ^[0-9a-f]{64}$ ]]
  id=$output
  wait_state "$n" running
  run b ps --filter "name=$n"
  [[ ${lines[0]} =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
  [[ ${lines[1]} == "${id:0:12}   busybox   \"sh -c "*'…"'*" ago "*Up*"   $n" ]]
  run b logs "$n"
  [ "$output" = started ]
  run b exec "$n" sh -c 'echo in; exit 5'
  [ "$status" -eq 5 ]
  [ "$output" = in ]
  run b exec -e X=y -w /etc "$n" sh -c 'echo $X $(pwd)'
  [ "$output" = "y /etc" ]
  run b stop -t 1 "$n"
  [ "$status" -eq 0 ]
  [ "$output" = "$n" ]
  run b inspect -f '{{.State.Running}}' "$n"
  [ "$output" = false ]
  run b rm "$n"
  [ "$status" -eq 0 ]
  [ "$output" = "$n" ]
  run b inspect "$n"
  [ "$status" -eq 1 ]
}

@test "exec -i forwards stdin to the command" {
  local n
  n=$(cname execi)
  b run -d --name "$n" busybox sleep 100 >/dev/null
  run bash -c 'echo hello | "$BERTH" exec -i "$0" cat' "$n"
  [ "$status" -eq 0 ]
  [ "$output" = hello ]
}

@test "run exits 127 for a missing command and 126 for one that cannot run" {
  run -127 --separate-stderr b run --rm busybox /no/such/binary
  [[ $stderr == "berth: Error response from daemon: "* ]]
  run b run --rm busybox /etc
  [ "$status" -eq 126 ]
}

@test "run of a missing image says it is missing and exits 125" {
  run --separate-stderr b run --rm cli-no-such-image:latest true
  [ "$status" -eq 125 ]
  [[ $stderr == *"Unable to find image 'cli-no-such-image:latest' locally"* ]]
  [[ $stderr == *"berth: Error response from daemon: "* ]]
  [[ $stderr == *"Run 'berth run --help' for more information" ]]
}

@test "run checks its flags before the daemon sees them" {
  run --separate-stderr b run -m lots busybox true
  [ "$status" -eq 125 ]
  [[ ${stderr%%$'\n'*} == "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'" ]]
  run --separate-stderr b run --rm --restart always busybox true
  [ "$status" -eq 125 ]
  [[ $stderr == "berth: conflicting options: cannot specify both --restart and --rm"* ]]
  run --separate-stderr b run -it busybox true </dev/null
  [ "$status" -eq 1 ]
  [ "$stderr" = "the input device is not a TTY" ]
}

@test "create then start -a attaches and returns the exit status" {
  local n
  n=$(cname create)
  run b create --name "$n" busybox sh -c 'echo from-start; exit 4'
  [ "$status" -eq 0 ]
  [[ $output =~ ^[0-9a-f]{64}$ ]]
  run b inspect -f '{{.State.Status}}' "$n"
  [ "$output" = created ]
  run b start -a "$n"
  [ "$status" -eq 4 ]
  [ "$output" = from-start ]
}

@test "a container started again the moment it exits runs each time" {
  local n i
  n=$(cname again)
  run b run --name "$n" busybox sh -c 'echo run; exit 2'
  [ "$status" -eq 2 ]
  # Each start follows the last exit at once, while its runtime cleanup may still be going.
  for i in 1 2 3 4 5; do
    run b start -a "$n"
    [ "$status" -eq 2 ]
    [ "$output" = run ]
  done
  run b logs "$n"
  [ "$(grep -c '^run$' <<<"$output")" -eq 6 ]
}

@test "start reports every container it could not start" {
  local n
  n=$(cname st)
  b create --name "$n" busybox true >/dev/null
  run --separate-stderr b start "$n" cli-nosuch
  [ "$status" -eq 1 ]
  [ "$output" = "$n" ]
  [[ $stderr == *"No such container: cli-nosuch"*"Error: failed to start containers: cli-nosuch" ]]
}

@test "wait prints the exit code" {
  local n
  n=$(cname wait)
  b run -d --name "$n" busybox sh -c 'sleep 0.3; exit 9' >/dev/null
  run b wait "$n"
  [ "$status" -eq 0 ]
  [ "$output" = 9 ]
}

@test "kill, pause, unpause, restart and rename" {
  local n
  n=$(cname life)
  b run -d --name "$n" busybox sleep 100 >/dev/null
  wait_state "$n" running
  run b pause "$n"
  [ "$output" = "$n" ]
  wait_state "$n" paused
  run b unpause "$n"
  wait_state "$n" running
  # Rename before restart: dockerd 20.10 loses the network sandbox of a restarted container
  # and then fails renames ("sandbox ... not found"), with the docker CLI too.
  run b rename "$n" "$n-new"
  [ "$status" -eq 0 ]
  run b restart -t 0 "$n-new"
  [ "$status" -eq 0 ]
  [ "$output" = "$n-new" ]
  wait_state "$n-new" running
  run b kill -s KILL "$n-new"
  [ "$output" = "$n-new" ]
  wait_state "$n-new" exited
  run b inspect -f '{{.State.ExitCode}}' "$n-new"
  [ "$output" = 137 ]
}

@test "ps filters by name, status and label and prints IDs with -q" {
  local a c
  a=$(cname up)
  c=$(cname done)
  b run -d --name "$a" -l role=web busybox sleep 100 >/dev/null
  b run --name "$c" busybox true
  run b ps -q --filter "name=$a"
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} =~ ^[0-9a-f]{12}$ ]]
  run b ps -a --filter "name=$(cname '')" --filter status=exited --format '{{.Names}}'
  [ "$output" = "$c" ]
  run b ps --filter label=role=web --format '{{.Names}} {{.Label "role"}} {{.State}}'
  [ "$output" = "$a web running" ]
  run b ps -a --no-trunc --filter "name=$c" --format '{{.ID}}'
  [[ $output =~ ^[0-9a-f]{64}$ ]]
  run b ps -a --filter "name=$c" --format json
  [[ $output == '{"Command":"\"true\"",'*'"Names":"'"$c"'",'*'"State":"exited",'* ]]
  run b ps -l --format '{{.Names}}'
  [ "$output" = "$c" ]
}

@test "logs --tail, -t and separate streams" {
  local n
  n=$(cname logs)
  b run --name "$n" busybox sh -c 'echo one; echo two; echo three >&2' >/dev/null 2>&1
  run --separate-stderr b logs "$n"
  [ "$output" = $'one\ntwo' ]
  [ "$stderr" = three ]
  run b logs --tail 1 "$n"
  [ "$output" = three ]
  run b logs -t "$n"
  [[ ${lines[0]} =~ ^20[0-9-]+T[0-9:.]+Z\ one$ ]]
}

@test "logs -f follows until the container exits" {
  local n
  n=$(cname follow)
  b run -d --name "$n" busybox sh -c 'echo a; sleep 0.5; echo b' >/dev/null
  run timeout 10 "$BERTH" logs -f "$n"
  [ "$status" -eq 0 ]
  [ "$output" = $'a\nb' ]
}

@test "inspect renders -f templates and reports what it cannot find" {
  local n
  n=$(cname insp)
  b create --name "$n" busybox true >/dev/null
  run b inspect -f '{{.Name}} {{.Config.Image}} {{json .Config.Cmd}}' "$n"
  [ "$output" = "/$n busybox [\"true\"]" ]
  run b inspect "$n"
  [ "${lines[0]}" = "[" ]
  [[ ${lines[1]} == "    {" ]]
  run --separate-stderr b inspect "$n" cli-nosuch
  [ "$status" -eq 1 ]
  [ "$stderr" = "Error: No such object: cli-nosuch" ]
  run --separate-stderr b container inspect cli-nosuch
  [ "$status" -eq 1 ]
  [ "$output" = "[]" ]
  [ "$stderr" = "Error response from daemon: No such container: cli-nosuch" ]
  run --separate-stderr b inspect -f '{{.Nope' "$n"
  [ "$status" -eq 1 ]
  [[ $stderr == "template parsing error: "* ]]
}

@test "rm refuses a running container unless forced" {
  local n
  n=$(cname rmf)
  b run -d --name "$n" busybox sleep 100 >/dev/null
  run --separate-stderr b rm "$n"
  [ "$status" -eq 1 ]
  [[ $stderr == "Error response from daemon: "* ]]
  run b rm -f "$n"
  [ "$status" -eq 0 ]
  [ "$output" = "$n" ]
  run --separate-stderr b rm -f "$n"
  [ "$status" -eq 0 ]
  [ "$stderr" = "Error response from daemon: No such container: $n" ]
}

@test "top lists the container's processes" {
  local n
  n=$(cname top)
  b run -d --name "$n" busybox sleep 100 >/dev/null
  wait_state "$n" running
  run b top "$n"
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == *PID* ]]
  [[ $output == *"sleep 100"* ]]
}

@test "diff, export and commit see the container's changes" {
  local n img
  n=$(cname fs)
  img=$(cname img)
  b run --name "$n" busybox sh -c 'mkdir /added && echo x >/added/f && rm /bin/true' >/dev/null
  run b diff "$n"
  [ "$status" -eq 0 ]
  [[ $output == *"A /added"* ]]
  [[ $output == *"D /bin/true"* ]]
  b export -o "$BATS_TEST_TMPDIR/fs.tar" "$n"
  tar -tf "$BATS_TEST_TMPDIR/fs.tar" | grep -qx 'added/f\|./added/f'
  run b commit -m "cli test" -c 'ENV COMMITTED=1' "$n" "$img:v1"
  [ "$status" -eq 0 ]
  [[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
  run b run --rm "$img:v1" sh -c 'cat /added/f; echo $COMMITTED'
  [ "$output" = $'x\n1' ]
}

@test "cp copies files and directories both ways" {
  local n d
  n=$(cname cp)
  d=$BATS_TEST_TMPDIR/cli
  mkdir -p "$d/src/sub" "$d/out"
  echo hello >"$d/src/sub/file"
  echo top >"$d/top.txt"
  b run -d --name "$n" busybox sleep 100 >/dev/null
  run b cp "$d/top.txt" "$n:/tmp/"
  [ "$status" -eq 0 ]
  run b cp "$d/src" "$n:/tmp/dir"
  [ "$status" -eq 0 ]
  run b exec "$n" sh -c 'cat /tmp/top.txt /tmp/dir/sub/file'
  [ "$output" = $'top\nhello' ]
  run b cp "$n:/tmp/dir" "$d/out/"
  [ "$status" -eq 0 ]
  [ "$(cat "$d/out/dir/sub/file")" = hello ]
  run b cp "$n:/tmp/top.txt" "$d/out/renamed.txt"
  [ "$(cat "$d/out/renamed.txt")" = top ]
  run b cp "$n:/tmp/dir/." "$d/out/contents"
  [ "$(cat "$d/out/contents/sub/file")" = hello ]
  b cp "$n:/tmp/dir" - | tar -tf - | grep -qx 'dir/sub/file'
  (cd "$d/src" && tar -cf - sub) | b cp - "$n:/tmp"
  run b exec "$n" cat /tmp/sub/file
  [ "$output" = hello ]
  run --separate-stderr b cp "$n:/no/such" "$d/out/"
  [ "$status" -eq 1 ]
  [[ $stderr == *"/no/such"* ]]
}

@test "cp sees the container's volumes and bind mounts, running or stopped" {
  local n v d
  n=$(cname cpv)
  v=$(cname vol)
  d=$BATS_TEST_TMPDIR/cpv
  mkdir -p "$d/ro"
  echo in-volume >"$d/a.txt"
  echo on-host >"$d/ro/h.txt"
  b run -d --name "$n" -v "$v:/data" -v "$d/ro:/hb:ro" busybox sleep 100 >/dev/null
  # Into a volume of a running container: the file is in the volume, not under it.
  b cp "$d/a.txt" "$n:/data/"
  run b run --rm -v "$v:/v" busybox cat /v/a.txt
  [ "$output" = in-volume ]
  # Out of a read-only bind mount; into it is refused as docker refuses it.
  [ "$(b cp "$n:/hb/h.txt" - | tar -xOf -)" = on-host ]
  run --separate-stderr b cp "$d/a.txt" "$n:/hb/"
  [ "$status" -eq 1 ]
  [[ $stderr == *"mounted volume is marked read-only"* ]]
  [ ! -e "$d/ro/a.txt" ]
  # A stopped container: its volumes are mounted for the copy, both ways.
  b stop -t 1 "$n" >/dev/null
  echo later >"$d/b.txt"
  b cp "$d/b.txt" "$n:/data/"
  run b run --rm -v "$v:/v" busybox cat /v/b.txt
  [ "$output" = later ]
  [ "$(b cp "$n:/data" - | tar -tf - | sort | tr '\n' ' ')" = "data/ data/a.txt data/b.txt " ]
  [ "$(b cp "$n:/hb/h.txt" - | tar -xOf -)" = on-host ]
  # Nothing of the copy stays mounted.
  ! grep -q " $BERTHD_DIR/.*/rootfs/data " /proc/self/mountinfo
}

@test "container prune removes stopped containers only" {
  local up down
  up=$(cname keep)
  down=$(cname gone)
  b run -d --name "$up" busybox sleep 100 >/dev/null
  b run --name "$down" busybox true
  run b container prune -f
  [ "$status" -eq 0 ]
  [[ $output == *"Deleted Containers:"* ]]
  [[ ${lines[-1]} == "Total reclaimed space: "* ]]
  run b ps -a --format '{{.Names}}' --filter "name=$(cname '')"
  [ "$output" = "$up" ]
}

@test "attach streams a running container's output and returns its status" {
  local n
  n=$(cname att)
  b run -d --name "$n" busybox sh -c 'sleep 0.5; echo late; exit 3' >/dev/null
  run timeout 10 "$BERTH" attach --no-stdin "$n"
  [ "$status" -eq 3 ]
  [ "$output" = late ]
  run --separate-stderr b attach "$n"
  [ "$status" -eq 1 ]
  [ "$stderr" = "You cannot attach to a stopped container, start it first" ]
}

@test "port prints nothing for a container without published ports" {
  local n
  n=$(cname port)
  b create --name "$n" busybox true >/dev/null
  run b port "$n"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "the default network is Docker's none: loopback up with 127.0.0.1, IPv6 off, its sysctls" {
  run b run --rm busybox sh -c 'ip -o addr show lo; ip -o link show lo;
    cat /proc/sys/net/ipv6/conf/all/disable_ipv6 /proc/sys/net/ipv6/conf/lo/disable_ipv6;
    cat /proc/sys/net/ipv4/ping_group_range /proc/sys/net/ipv4/ip_unprivileged_port_start'
  [ "$status" -eq 0 ]
  [[ ${lines[0]} == *"inet 127.0.0.1/8 scope host lo"* ]]
  [[ ${lines[1]} == *"<LOOPBACK,UP,LOWER_UP>"* ]]
  [ "${lines[2]}" = 1 ]
  [ "${lines[3]}" = 1 ]
  [ "$(printf '%s' "${lines[4]}" | tr -s '\t ' ' ')" = "0 2147483647" ]
  [ "${lines[5]}" = 0 ]
  [ "${#lines[@]}" -eq 6 ]
  # A server and its client inside the container meet on loopback.
  run b run --rm busybox sh -c 'nc -l -p 8080 -e echo served & sleep 0.3; nc 127.0.0.1 8080 </dev/null'
  [ "$status" -eq 0 ]
  [ "$output" = served ]
  # Each container has a namespace of its own; --sysctl wins over the defaults.
  run b run --rm --sysctl net.ipv4.ip_unprivileged_port_start=1024 busybox sh -c \
    'readlink /proc/self/ns/net; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
  [ "$status" -eq 0 ]
  [ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ]
  [ "${lines[1]}" = 1024 ]
  run b run --rm --network host busybox readlink /proc/self/ns/net
  [ "$output" = "$(readlink /proc/self/ns/net)" ]
}

@test "run -it gives the container a terminal of our size, follows resizes and detaches" {
  local n
  n=$(cname tty)
  run pty_session run --rm -it busybox sh
  [[ $output == *$'\n30 100\n'* ]]
  [[ $output == *$'\n40 120\n'* ]]
  [ "${lines[-1]}" = "exit 5" ]
  PTY_DETACH=1 run pty_session run -it --name "$n" busybox sh
  [ "${lines[-1]}" = "exit 0" ]
  run b inspect -f '{{.State.Running}}' "$n"
  [ "$output" = true ]
  run pty_session exec -it "$n" sh
  [[ $output == *$'\n40 120\n'* ]]
  [ "${lines[-1]}" = "exit 5" ]
}

@test "run forwards signals to the container (--sig-proxy)" {
  local n pid
  n=$(cname sig)
  "$BERTH" run --rm --name "$n" busybox sh -c \
    'trap "echo got-term; exit 3" TERM; echo ready; while true; do sleep 0.1; done' \
    >"$BATS_TEST_TMPDIR/out" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    grep -q ready "$BATS_TEST_TMPDIR/out" && break
    sleep 0.1
  done
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  [ "$rc" -eq 3 ]
  [ "$(cat "$BATS_TEST_TMPDIR/out")" = $'ready\ngot-term' ]
}

@test "stats --no-stream shows one row per running container" {
  local n
  n=$(cname stats)
  b run -d --name "$n" busybox sleep 100 >/dev/null
  wait_state "$n" running
  run --separate-stderr b stats --no-stream "$n"
  if [[ $stderr == *"page not found"* ]]; then
    skip "the daemon has no /containers/{id}/stats"
  fi
  [ "$status" -eq 0 ]
  [[ ${lines[0]} =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
  [[ ${lines[1]} =~ ^[0-9a-f]{12}\ +$n\ +[0-9.]+%\ +[0-9.]+[KMG]?i?B\ /\ [0-9.]+[KMGT]?i?B\ + ]]
  run b stats --no-stream --format '{{.Name}} {{.PIDs}}' "$n"
  [ "$output" = "$n 1" ]
}
