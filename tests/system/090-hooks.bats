#!/usr/bin/env bats
# OCI hooks: each appends "<type> <state JSON from stdin>" to a log; the host-side hooks write to
# $HOOKLOG, startContainer (run inside the container) to the rootfs's /hooks.log.

load helpers

setup() {
  berth_setup
  HOOKLOG=$BATS_TEST_TMPDIR/hooks.log
}

# hook TYPE FILE [EXTRA-SHELL]: a hook that logs its type and stdin to FILE.
hook() {
  jq -cn --arg s "echo $1 \$(cat) >>$2; ${3:-}" '{"path": "/bin/sh", "args": ["sh", "-c", $s]}'
}

all_hooks() {
  cfg --argjson pre "$(hook prestart "$HOOKLOG")" \
    --argjson cr "$(hook createRuntime "$HOOKLOG")" \
    --argjson cc "$(hook createContainer "$HOOKLOG")" \
    --argjson sc "$(hook startContainer /hooks.log)" \
    --argjson ps "$(hook poststart "$HOOKLOG")" \
    --argjson po "$(hook poststop "$HOOKLOG")" \
    '.hooks = {"prestart": [$pre], "createRuntime": [$cr], "createContainer": [$cc],
      "startContainer": [$sc], "poststart": [$ps], "poststop": [$po]}'
}

# hook_state TYPE: the state JSON the hook of TYPE received.
hook_state() {
  local f=$HOOKLOG
  [ "$1" = startContainer ] && f=$BUNDLE/rootfs/hooks.log
  grep "^$1 " "$f" | head -1 | cut -d' ' -f2-
}

@test "all six hook types run in order with the container's state" {
  all_hooks
  # The process checks that startContainer already ran, inside the container.
  create_ctr sh -c 'test -s /hooks.log && echo start-hook-ran-first; /testbin sleep 100'
  # runc 1.1 runs poststart hooks at create (fixed in 1.2); the spec says after start.
  is_runc || [ "$(cut -d' ' -f1 "$HOOKLOG" | tr '\n' ' ')" = "prestart createRuntime createContainer " ]
  rt start "$ID"
  wait_for "$LOG" start-hook-ran-first
  [ "$(cut -d' ' -f1 "$HOOKLOG" | tr '\n' ' ')" = "prestart createRuntime createContainer poststart " ]
  rt kill "$ID" KILL
  wait_status stopped
  rt delete "$ID"
  [ "$(cut -d' ' -f1 "$HOOKLOG" | tr '\n' ' ')" = "prestart createRuntime createContainer poststart poststop " ]

  for t in prestart createRuntime createContainer startContainer poststart poststop; do
    s=$(hook_state $t)
    [ "$(jq -r .id <<<"$s")" = "$ID" ]
    [ "$(jq -r .bundle <<<"$s")" = "$BUNDLE" ]
    jq -e .ociVersion <<<"$s" >/dev/null
  done
  [ "$(hook_state createRuntime | jq -r .status)" = creating ]
  [ "$(hook_state prestart | jq -r .status)" = creating ]
  [ "$(hook_state createRuntime | jq -r .pid)" -gt 1 ]
  [[ $(hook_state startContainer | jq -r .status) == @(created|running) ]]
  [[ $(hook_state poststart | jq -r .status) == @(created|running) ]]
  [ "$(hook_state poststop | jq -r .status)" = stopped ]
}

@test "hooks run for run too, and poststop after the process exits" {
  all_hooks
  run_ctr -0 /testbin exit 0
  [ "$(cut -d' ' -f1 "$HOOKLOG" | tr '\n' ' ')" = "prestart createRuntime createContainer poststart poststop " ]
  [ -s "$BUNDLE/rootfs/hooks.log" ]
}

@test "hooks get their args and env" {
  cfg --arg log "$HOOKLOG" '.hooks.createRuntime = [{"path": "/bin/sh",
    "args": ["sh", "-c", "echo \"$0 $1 $BERTH_HOOK_ENV\" >>\($log)", "arg-one", "arg-two"],
    "env": ["BERTH_HOOK_ENV=env-value"]}]'
  run_ctr -0 /testbin exit 0
  [ "$(cat "$HOOKLOG")" = "arg-one arg-two env-value" ]
}

@test "several hooks of one type run in order" {
  cfg --argjson a "$(hook first "$HOOKLOG")" --argjson b "$(hook second "$HOOKLOG")" \
    '.hooks.createRuntime = [$a, $b]'
  run_ctr -0 /testbin exit 0
  [ "$(cut -d' ' -f1 "$HOOKLOG" | tr '\n' ' ')" = "first second " ]
}

@test "a failing prestart hook fails create and leaves nothing behind" {
  cfg --argjson h "$(hook prestart "$HOOKLOG" 'exit 3')" '.hooks.prestart = [$h]'
  marker=100.$$$BATS_TEST_NUMBER
  set_args /testbin sleep "$marker"
  run ! rt create --bundle "$BUNDLE" "$ID" </dev/null
  [ -s "$HOOKLOG" ]
  run ! rt state "$ID"
  [ -z "$(rt list -q)" ]
  [ -z "$(leaked_cgroups "$ID")" ]
  ! pgrep -f "testbin sleep $marker"
}

@test "a failing createRuntime hook fails run and leaves nothing behind" {
  cfg --argjson h "$(hook createRuntime "$HOOKLOG" 'exit 1')" '.hooks.createRuntime = [$h]'
  run_ctr ! /testbin exit 0
  run ! rt state "$ID"
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "a failing poststart hook is a warning (runtime-spec 1.2); runc 1.1 fails the run" {
  cfg --argjson h "$(hook poststart "$HOOKLOG" 'exit 1')" '.hooks.poststart = [$h]'
  if ! is_runc; then
    run_ctr -0 /testbin exit 0
    [[ $output == *"poststart hook #0"* ]]
    [ -s "$HOOKLOG" ]
    run ! rt state "$ID"
    [ -z "$(leaked_cgroups "$ID")" ]
    return 0
  fi
  run_ctr ! /testbin sleep 100
  [ -s "$HOOKLOG" ]
  run ! rt state "$ID"
  [ -z "$(leaked_cgroups "$ID")" ]
}

@test "a failing poststop hook does not stop delete" {
  cfg --argjson h "$(hook poststop "$HOOKLOG" 'exit 1')" '.hooks.poststop = [$h]'
  create_ctr /testbin sleep 100
  rt delete --force "$ID"
  [ -s "$HOOKLOG" ]
  run ! rt state "$ID"
}

@test "a hook past its timeout fails create" {
  cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exec sleep 10"], "timeout": 1}]'
  SECONDS=0
  run_ctr ! /testbin exit 0
  [ "$SECONDS" -lt 8 ]
  run ! rt state "$ID"
}
