#!/usr/bin/env bats
# seccomp filters, checked with raw syscalls from `testbin syscall`.

load helpers

# seccomp RULES-JSON [DEFAULT]: installs a filter with the given rules.
seccomp() {
  cfg --argjson r "$1" --arg d "${2:-SCMP_ACT_ALLOW}" '.linux.seccomp = {"defaultAction": $d,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": $r}'
}

# Enough for a static binary to start, print and exit; uname is left out (the highest: 439,
# faccessat2).
STATIC_ALLOW='["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
  "prlimit64", "readlink", "readlinkat", "getrandom", "mprotect", "mmap", "munmap", "write",
  "exit", "exit_group", "fstat", "newfstatat", "getpid", "futex", "capget", "capset",
  "prctl", "setgroups", "setresuid", "setresgid", "setuid", "setgid", "getppid",
  "close", "fcntl", "dup3", "dup2", "sched_yield", "rt_sigreturn", "rt_sigaction",
  "rt_sigprocmask", "getuid", "geteuid", "getgid", "getegid", "openat", "read", "poll",
  "pread64", "access", "faccessat", "faccessat2", "chdir", "getcwd", "ioctl", "lseek",
  "statx", "stat", "lstat", "epoll_pwait", "fchown", "fstatfs", "fchdir", "umask",
  "setsid", "getdents64", "write", "tgkill", "kill", "nanosleep", "clock_nanosleep",
  "sigaltstack", "close_range", "keyctl", "madvise"]'

@test "an errno rule fails getcwd with EPERM; other syscalls pass" {
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]'
  run_ctr -1 /testbin syscall getcwd
  [ "$(jqo .errno)" = EPERM ]
  run_ctr -0 /testbin syscall getpid
  run_ctr -0 /testbin caps
  [ "$(jqo .Seccomp)" -eq 2 ]
}

@test "a compiled program is cached under --root and used again" {
  berth_only "the cache is berth-runtime's"
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]'
  run_ctr -1 /testbin syscall getcwd
  [ "$(ls "$ROOT/.seccomp-cache" | wc -l)" -eq 1 ]
  run_ctr -1 /testbin syscall getcwd
  [ "$(jqo .errno)" = EACCES ]
  [ "$(ls "$ROOT/.seccomp-cache" | wc -l)" -eq 1 ]
  # A damaged program is compiled again, not installed.
  f=$(ls "$ROOT"/.seccomp-cache/*)
  printf 'garbage' >"$f"
  run_ctr -1 /testbin syscall getcwd
  [ "$(jqo .errno)" = EACCES ]
}

@test "errnoRet picks the errno" {
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]'
  run_ctr -1 /testbin syscall getcwd
  [ "$(jqo .errno)" = EACCES ]
}

@test "a kill rule kills the process with SIGSYS" {
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_KILL"}]'
  run_ctr -159 /testbin syscall getcwd
  run_ctr -0 /testbin syscall getpid
}

@test "a kill_process rule kills the process with SIGSYS" {
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_KILL_PROCESS"}]'
  run_ctr -159 /testbin syscall getcwd
}

@test "argument conditions narrow a rule" {
  # chmod(path, 0644) is refused, mkdir is not; testbin's chmod always passes mode 0644.
  seccomp '[{"names": ["chmod"], "action": "SCMP_ACT_ERRNO",
    "args": [{"index": 1, "value": 420, "op": "SCMP_CMP_EQ"}]}]'
  run_ctr -1 sh -c '/testbin syscall mkdir /tmp/d && /testbin syscall chmod /tmp/d'
  [ "$(jqo .errno '"mkdir"')" = OK ]
  [ "$(jqo .errno '"chmod"')" = EPERM ]
  seccomp '[{"names": ["chmod"], "action": "SCMP_ACT_ERRNO",
    "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]}]'
  run_ctr -0 /testbin syscall chmod /tmp/d
}

@test "a deny-by-default filter with an allow list" {
  seccomp "[{\"names\": $STATIC_ALLOW, \"action\": \"SCMP_ACT_ALLOW\"}]" SCMP_ACT_ERRNO
  run_ctr -0 /testbin syscall getpid
  run_ctr -1 /testbin syscall uname
  [ "$(jqo .errno)" = EPERM ]
}

@test "a syscall newer than the profile answers ENOSYS, an older unlisted one the default" {
  # Deny by default: the highest call the list names bounds what the profile knows. A libc
  # falls back from a new call to an old one only on ENOSYS.
  seccomp "[{\"names\": $STATIC_ALLOW, \"action\": \"SCMP_ACT_ALLOW\"}]" SCMP_ACT_ERRNO
  run_ctr -1 /testbin syscall nr:1000
  [ "$(jqo .errno)" = ENOSYS ]
  run_ctr -1 /testbin syscall uname
  [ "$(jqo .errno)" = EPERM ]
  # A default that allows needs no stub: the kernel itself answers ENOSYS.
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]'
  run_ctr -1 /testbin syscall nr:1000
  [ "$(jqo .errno)" = ENOSYS ]
}

@test "the filter works for a non-root user without no_new_privs" {
  # Not getcwd: without no_new_privs the filter goes in before the runtime's own last steps
  # (runc checks its cwd after it).
  cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false'
  seccomp '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]'
  run_ctr -1 /testbin syscall mkdir /tmp/d
  [ "$(jqo .errno)" = EPERM ]
}

@test "exec'd processes get the filter too" {
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]'
  start_ctr /testbin sleep 100
  run -1 rt exec "$ID" /testbin syscall getcwd
  [ "$(jqo .errno)" = EPERM ]
}

@test "an unknown seccomp action is refused" {
  seccomp '[{"names": ["getcwd"], "action": "SCMP_ACT_BERTH"}]'
  run_ctr ! /testbin exit 0
  [[ $output == *SCMP_ACT_BERTH* ]]
  run ! rt state "$ID"
}
