#!/usr/bin/env bats
# The container process: user and groups, umask, cwd, env, capabilities, no_new_privs, rlimits,
# oom_score_adj.

load helpers

@test "user uid, gid, additionalGids and umask" {
  cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5, 10], "umask": 63}'
  run_ctr -0 /testbin ids
  [ "$(jqo .uid)" -eq 1000 ]
  [ "$(jqo .euid)" -eq 1000 ]
  [ "$(jqo .gid)" -eq 1000 ]
  [ "$(jqo .egid)" -eq 1000 ]
  [ "$(jqo '.groups | sort')" = '[5,10]' ]
  [ "$(jqo .umask)" = 0077 ]
}

@test "root with no additionalGids has no supplementary groups and umask 0022" {
  cfg '.process.user = {"uid": 0, "gid": 0}'
  run_ctr -0 /testbin ids
  [ "$(jqo .uid)" -eq 0 ]
  [ "$(jqo .groups)" = '[]' ]
  [ "$(jqo .umask)" = 0022 ]
}

@test "a uid without a passwd entry works" {
  cfg '.process.user = {"uid": 4242, "gid": 4343}'
  run_ctr -0 /testbin ids
  [ "$(jqo .uid)" -eq 4242 ]
  [ "$(jqo .gid)" -eq 4343 ]
}

@test "files are created with the process's ids and umask" {
  cfg '.process.user = {"uid": 1000, "gid": 1000, "umask": 18}'
  run_ctr -0 /testbin write /tmp/f
  [ "$(stat -c '%u:%g %a' "$BUNDLE/rootfs/tmp/f")" = '1000:1000 644' ]
}

@test "cwd is honoured and created when missing" {
  cfg '.process.cwd = "/tmp"'
  run_ctr -0 /testbin cwd
  [ "$(jqo .cwd)" = /tmp ]
  cfg '.process.cwd = "/new/dir"'
  run_ctr -0 /testbin cwd
  [ "$(jqo .cwd)" = /new/dir ]
}

@test "env is exactly the config's" {
  cfg '.process.env = ["PATH=/bin:/usr/bin", "A=1", "B=two words", "EMPTY="]'
  run_ctr -0 /testbin env
  [ "$(jqo .A)" = 1 ]
  [ "$(jqo .B)" = "two words" ]
  [ "$(jqo .EMPTY)" = "" ]
  [ "$(jqo .PATH)" = /bin:/usr/bin ]
  [ "$(jqo 'keys | length')" -le 5 ] # a runtime may add HOME
}

@test "HOME is set from /etc/passwd when the config has none" {
  cfg '.process.env = ["PATH=/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
  run_ctr -0 /testbin env
  [ "$(jqo .HOME)" = /home/user ]
}

@test "args[0] is looked up in the config's PATH" {
  cfg '.process.env = ["PATH=/usr/bin:/bin"]'
  run_ctr -0 echo found-it
  [[ $output == *found-it* ]]
}

@test "a missing executable is reported by name" {
  run_ctr ! /bin/berth-no-such-binary
  [[ $output == *berth-no-such-binary* ]]
}

capset='{"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
  "effective": ["CAP_KILL"], "permitted": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
  "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'

@test "capabilities: all five sets for a non-root user" {
  cfg --argjson c "$capset" '.process.capabilities = $c | .process.user = {"uid": 1000, "gid": 1000}'
  run_ctr -0 /testbin caps
  # CHOWN = bit 0, KILL = bit 5, NET_BIND_SERVICE = bit 10. Across execve a non-root process keeps
  # only what ambient carries in permitted and effective.
  [ "$(jqo .CapBnd)" = 0000000000000421 ]
  [ "$(jqo .CapInh)" = 0000000000000020 ]
  [ "$(jqo .CapPrm)" = 0000000000000020 ]
  [ "$(jqo .CapEff)" = 0000000000000020 ]
  [ "$(jqo .CapAmb)" = 0000000000000020 ]
}

@test "capabilities: root under no_new_privs keeps permitted, gains nothing" {
  cfg --argjson c "$capset" '.process.capabilities = $c | .process.noNewPrivileges = true'
  run_ctr -0 /testbin caps
  [ "$(jqo .CapBnd)" = 0000000000000421 ]
  [ "$(jqo .CapInh)" = 0000000000000020 ]
  [ "$(jqo .CapPrm)" = 0000000000000420 ]
  [ "$(jqo .CapEff)" = 0000000000000420 ]
  [ "$(jqo .CapAmb)" = 0000000000000020 ]
}

@test "capabilities: an empty set drops everything" {
  cfg '.process.capabilities = {"bounding": [], "effective": [], "permitted": [], "inheritable": [], "ambient": []}'
  run_ctr -0 /testbin caps
  for s in CapBnd CapInh CapPrm CapEff CapAmb; do
    [ "$(jqo ".$s")" = 0000000000000000 ]
  done
}

@test "capabilities are enforced: chown needs CAP_CHOWN" {
  cfg '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}'
  run_ctr ! chown 1000 /tmp
  cfg '.process.capabilities = {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN"]}'
  run_ctr -0 chown 1000 /tmp
}

@test "noNewPrivileges is set and cleared as configured" {
  cfg '.process.noNewPrivileges = true'
  run_ctr -0 /testbin caps
  [ "$(jqo .NoNewPrivs)" -eq 1 ]
  cfg '.process.noNewPrivileges = false'
  run_ctr -0 /testbin caps
  [ "$(jqo .NoNewPrivs)" -eq 0 ]
}

@test "rlimits NOFILE and CORE are applied" {
  cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
    {"type": "RLIMIT_CORE", "soft": 0, "hard": 4096}]'
  run_ctr -0 /testbin rlimits
  [ "$(jqo .RLIMIT_NOFILE.soft)" -eq 100 ]
  [ "$(jqo .RLIMIT_NOFILE.hard)" -eq 200 ]
  [ "$(jqo .RLIMIT_CORE.soft)" -eq 0 ]
  [ "$(jqo .RLIMIT_CORE.hard)" -eq 4096 ]
}

@test "rlimits apply to a non-root user too" {
  cfg '.process.user = {"uid": 1000, "gid": 1000} |
    .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 64, "hard": 64}]'
  run_ctr -0 sh -c 'ulimit -n; /testbin rlimits'
  [ "$(jqo .RLIMIT_NOFILE.hard)" -eq 64 ]
  [[ ${lines[0]} == 64* ]]
}

@test "rlimit NOFILE above fs.nr_open is clamped, not fatal (berth)" {
  berth_only "runc fails with EPERM"
  nr_open=$(cat /proc/sys/fs/nr_open)
  cfg --argjson n $((nr_open * 4)) '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $n, "hard": $n}]'
  run_ctr -0 /testbin rlimits
  [ "$(jqo .RLIMIT_NOFILE.hard)" -le "$nr_open" ]
  [ "$(jqo .RLIMIT_NOFILE.soft)" -le "$(jqo .RLIMIT_NOFILE.hard)" ]
}

@test "an unknown rlimit type is refused" {
  cfg '.process.rlimits = [{"type": "RLIMIT_BERTH", "soft": 1, "hard": 1}]'
  run_ctr ! /testbin exit 0
  [[ $output == *RLIMIT_BERTH* ]]
  run ! rt state "$ID"
}

@test "oomScoreAdj is applied" {
  cfg '.process.oomScoreAdj = 500'
  run_ctr -0 /testbin oomscore
  [ "$(jqo .oom_score_adj)" -eq 500 ]
}

@test "the process is in its own session" {
  run_ctr -0 /testbin pid
  [ "$(jqo .sid)" -eq 1 ]
}
