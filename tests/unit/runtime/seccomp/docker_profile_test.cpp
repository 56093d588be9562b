#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sched.h>
#include <chrono>

#include <gtest/gtest.h>

#include "child.h"
#include "equivalence.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp {
namespace {

using oci::SeccompAction;
using oci::SeccompOp;

// The allowlist of Docker's default profile (moby profiles/seccomp/default.json), including the
// names of other architectures (chown32, _llseek...) that libseccomp resolves to pseudo numbers.
const char* const kDockerAllowed[] = {"accept",
                                      "accept4",
                                      "access",
                                      "adjtimex",
                                      "alarm",
                                      "bind",
                                      "brk",
                                      "cachestat",
                                      "capget",
                                      "capset",
                                      "chdir",
                                      "chmod",
                                      "chown",
                                      "chown32",
                                      "clock_adjtime",
                                      "clock_adjtime64",
                                      "clock_getres",
                                      "clock_getres_time64",
                                      "clock_gettime",
                                      "clock_gettime64",
                                      "clock_nanosleep",
                                      "clock_nanosleep_time64",
                                      "close",
                                      "close_range",
                                      "connect",
                                      "copy_file_range",
                                      "creat",
                                      "dup",
                                      "dup2",
                                      "dup3",
                                      "epoll_create",
                                      "epoll_create1",
                                      "epoll_ctl",
                                      "epoll_ctl_old",
                                      "epoll_pwait",
                                      "epoll_pwait2",
                                      "epoll_wait",
                                      "epoll_wait_old",
                                      "eventfd",
                                      "eventfd2",
                                      "execve",
                                      "execveat",
                                      "exit",
                                      "exit_group",
                                      "faccessat",
                                      "faccessat2",
                                      "fadvise64",
                                      "fadvise64_64",
                                      "fallocate",
                                      "fanotify_mark",
                                      "fchdir",
                                      "fchmod",
                                      "fchmodat",
                                      "fchmodat2",
                                      "fchown",
                                      "fchown32",
                                      "fchownat",
                                      "fcntl",
                                      "fcntl64",
                                      "fdatasync",
                                      "fgetxattr",
                                      "flistxattr",
                                      "flock",
                                      "fork",
                                      "fremovexattr",
                                      "fsetxattr",
                                      "fstat",
                                      "fstat64",
                                      "fstatat64",
                                      "fstatfs",
                                      "fstatfs64",
                                      "fsync",
                                      "ftruncate",
                                      "ftruncate64",
                                      "futex",
                                      "futex_requeue",
                                      "futex_time64",
                                      "futex_wait",
                                      "futex_waitv",
                                      "futex_wake",
                                      "futimesat",
                                      "getcpu",
                                      "getcwd",
                                      "getdents",
                                      "getdents64",
                                      "getegid",
                                      "getegid32",
                                      "geteuid",
                                      "geteuid32",
                                      "getgid",
                                      "getgid32",
                                      "getgroups",
                                      "getgroups32",
                                      "getitimer",
                                      "getpeername",
                                      "getpgid",
                                      "getpgrp",
                                      "getpid",
                                      "getppid",
                                      "getpriority",
                                      "getrandom",
                                      "getresgid",
                                      "getresgid32",
                                      "getresuid",
                                      "getresuid32",
                                      "getrlimit",
                                      "get_robust_list",
                                      "getrusage",
                                      "getsid",
                                      "getsockname",
                                      "getsockopt",
                                      "get_thread_area",
                                      "gettid",
                                      "gettimeofday",
                                      "getuid",
                                      "getuid32",
                                      "getxattr",
                                      "inotify_add_watch",
                                      "inotify_init",
                                      "inotify_init1",
                                      "inotify_rm_watch",
                                      "io_cancel",
                                      "ioctl",
                                      "io_destroy",
                                      "io_getevents",
                                      "io_pgetevents",
                                      "io_pgetevents_time64",
                                      "ioprio_get",
                                      "ioprio_set",
                                      "io_setup",
                                      "io_submit",
                                      "ipc",
                                      "kill",
                                      "landlock_add_rule",
                                      "landlock_create_ruleset",
                                      "landlock_restrict_self",
                                      "lchown",
                                      "lchown32",
                                      "lgetxattr",
                                      "link",
                                      "linkat",
                                      "listen",
                                      "listxattr",
                                      "llistxattr",
                                      "_llseek",
                                      "lremovexattr",
                                      "lseek",
                                      "lsetxattr",
                                      "lstat",
                                      "lstat64",
                                      "madvise",
                                      "map_shadow_stack",
                                      "membarrier",
                                      "memfd_create",
                                      "memfd_secret",
                                      "mincore",
                                      "mkdir",
                                      "mkdirat",
                                      "mknod",
                                      "mknodat",
                                      "mlock",
                                      "mlock2",
                                      "mlockall",
                                      "mmap",
                                      "mmap2",
                                      "mprotect",
                                      "mq_getsetattr",
                                      "mq_notify",
                                      "mq_open",
                                      "mq_timedreceive",
                                      "mq_timedreceive_time64",
                                      "mq_timedsend",
                                      "mq_timedsend_time64",
                                      "mq_unlink",
                                      "mremap",
                                      "msgctl",
                                      "msgget",
                                      "msgrcv",
                                      "msgsnd",
                                      "msync",
                                      "munlock",
                                      "munlockall",
                                      "munmap",
                                      "name_to_handle_at",
                                      "nanosleep",
                                      "newfstatat",
                                      "_newselect",
                                      "open",
                                      "openat",
                                      "openat2",
                                      "pause",
                                      "pidfd_open",
                                      "pidfd_send_signal",
                                      "pipe",
                                      "pipe2",
                                      "pkey_alloc",
                                      "pkey_free",
                                      "pkey_mprotect",
                                      "poll",
                                      "ppoll",
                                      "ppoll_time64",
                                      "prctl",
                                      "pread64",
                                      "preadv",
                                      "preadv2",
                                      "prlimit64",
                                      "process_mrelease",
                                      "pselect6",
                                      "pselect6_time64",
                                      "pwrite64",
                                      "pwritev",
                                      "pwritev2",
                                      "read",
                                      "readahead",
                                      "readlink",
                                      "readlinkat",
                                      "readv",
                                      "recv",
                                      "recvfrom",
                                      "recvmmsg",
                                      "recvmmsg_time64",
                                      "recvmsg",
                                      "remap_file_pages",
                                      "removexattr",
                                      "rename",
                                      "renameat",
                                      "renameat2",
                                      "restart_syscall",
                                      "rmdir",
                                      "rseq",
                                      "rt_sigaction",
                                      "rt_sigpending",
                                      "rt_sigprocmask",
                                      "rt_sigqueueinfo",
                                      "rt_sigreturn",
                                      "rt_sigsuspend",
                                      "rt_sigtimedwait",
                                      "rt_sigtimedwait_time64",
                                      "rt_tgsigqueueinfo",
                                      "sched_getaffinity",
                                      "sched_getattr",
                                      "sched_getparam",
                                      "sched_get_priority_max",
                                      "sched_get_priority_min",
                                      "sched_getscheduler",
                                      "sched_rr_get_interval",
                                      "sched_rr_get_interval_time64",
                                      "sched_setaffinity",
                                      "sched_setattr",
                                      "sched_setparam",
                                      "sched_setscheduler",
                                      "sched_yield",
                                      "seccomp",
                                      "select",
                                      "semctl",
                                      "semget",
                                      "semop",
                                      "semtimedop",
                                      "semtimedop_time64",
                                      "send",
                                      "sendfile",
                                      "sendfile64",
                                      "sendmmsg",
                                      "sendmsg",
                                      "sendto",
                                      "setfsgid",
                                      "setfsgid32",
                                      "setfsuid",
                                      "setfsuid32",
                                      "setgid",
                                      "setgid32",
                                      "setgroups",
                                      "setgroups32",
                                      "setitimer",
                                      "setpgid",
                                      "setpriority",
                                      "setregid",
                                      "setregid32",
                                      "setresgid",
                                      "setresgid32",
                                      "setresuid",
                                      "setresuid32",
                                      "setreuid",
                                      "setreuid32",
                                      "setrlimit",
                                      "set_robust_list",
                                      "setsid",
                                      "setsockopt",
                                      "set_thread_area",
                                      "set_tid_address",
                                      "setuid",
                                      "setuid32",
                                      "setxattr",
                                      "shmat",
                                      "shmctl",
                                      "shmdt",
                                      "shmget",
                                      "shutdown",
                                      "sigaltstack",
                                      "signalfd",
                                      "signalfd4",
                                      "sigprocmask",
                                      "sigreturn",
                                      "socketcall",
                                      "socketpair",
                                      "splice",
                                      "stat",
                                      "stat64",
                                      "statfs",
                                      "statfs64",
                                      "statx",
                                      "symlink",
                                      "symlinkat",
                                      "sync",
                                      "sync_file_range",
                                      "syncfs",
                                      "sysinfo",
                                      "tee",
                                      "tgkill",
                                      "time",
                                      "timer_create",
                                      "timer_delete",
                                      "timer_getoverrun",
                                      "timer_gettime",
                                      "timer_gettime64",
                                      "timer_settime",
                                      "timer_settime64",
                                      "timerfd_create",
                                      "timerfd_gettime",
                                      "timerfd_gettime64",
                                      "timerfd_settime",
                                      "timerfd_settime64",
                                      "times",
                                      "tkill",
                                      "truncate",
                                      "truncate64",
                                      "ugetrlimit",
                                      "umask",
                                      "uname",
                                      "unlink",
                                      "unlinkat",
                                      "utime",
                                      "utimensat",
                                      "utimensat_time64",
                                      "utimes",
                                      "vfork",
                                      "vmsplice",
                                      "wait4",
                                      "waitid",
                                      "waitpid",
                                      "write",
                                      "writev",
                                      "arch_prctl",
                                      "modify_ldt",
                                      "clone3"};

oci::Seccomp dockerLikeProfile() {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Errno;
  s.defaultErrnoRet = EPERM;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  oci::SeccompSyscall allow{.action = SeccompAction::Allow};
  for (const char* name : kDockerAllowed) allow.names.emplace_back(name);
  s.syscalls.push_back(std::move(allow));
  // Docker's argument rules: personality queries and a few personas, socket for all but
  // AF_VSOCK (40), clone without namespace flags.
  for (uint64_t persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL}) {
    s.syscalls.push_back({.names = {"personality"},
                          .action = SeccompAction::Allow,
                          .args = {{.index = 0, .value = persona}}});
  }
  s.syscalls.push_back({.names = {"socket"},
                        .action = SeccompAction::Allow,
                        .args = {{.index = 0, .value = 40, .op = SeccompOp::NotEqual}}});
  s.syscalls.push_back({.names = {"clone"},
                        .action = SeccompAction::Allow,
                        .args = {{.index = 0, .value = 0x7e020000, .op = SeccompOp::MaskedEqual}}});
  return s;
}

// What `ls -l` does: stat, open a directory, list it, write the result.
int listCurrentDirectory() {
  struct stat st {};
  if (stat(".", &st) != 0) return 1;
  DIR* dir = opendir(".");
  if (dir == nullptr) return 2;
  int entries = 0;
  while (readdir(dir) != nullptr) ++entries;
  closedir(dir);
  if (entries < 2) return 3;
  int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return 4;
  if (write(fd, "x", 1) != 1) return 5;
  close(fd);
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) return 6;
  return 0;
}

TEST(SeccompDockerProfile, CompilesQuickly) {
  auto start = std::chrono::steady_clock::now();
  auto p = compile(dockerLikeProfile());
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_FALSE(p->notify);
  EXPECT_LE(p->filter.size(), 4096u);
  // Recorded, not asserted: a loaded 2-core machine makes timing assertions flaky.
  RecordProperty(
      "compile_us",
      std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  RecordProperty("instructions", std::to_string(p->filter.size()));
}

TEST(SeccompDockerProfile, AnswersAsLibseccompsProgramInAThirdOfItsLength) {
  auto [plain, compressed] = testing::expectSameAnswers(dockerLikeProfile());
  EXPECT_LT(compressed * 3, plain) << plain << " -> " << compressed;
}

TEST(SeccompDockerProfile, LetsLsRunAndRefusesTheRest) {
  auto p = compile(dockerLikeProfile());
  ASSERT_TRUE(p) << p.error().what();
  int status = testing::runFiltered(*p, [](int) {
    if (int rc = listCurrentDirectory(); rc != 0) return rc;
    if (syscall(SYS_personality, 0xffffffffUL) < 0) return 10;
    // Not on the list: answered with the default EPERM rather than run.
    if (unshare(CLONE_NEWUTS) == 0 || errno != EPERM) return 11;
    if (syscall(SYS_acct, nullptr) == 0 || errno != EPERM) return 12;
    // personality with an unlisted persona and socket(AF_VSOCK) fall to the default too.
    if (syscall(SYS_personality, 0x0400UL) == 0 || errno != EPERM) return 13;
    if (syscall(SYS_socket, 40, SOCK_STREAM, 0) >= 0 || errno != EPERM) return 14;
    // A plain fork passes the clone rule; its child exits at once.
    pid_t child = fork();
    if (child < 0) return 15;
    if (child == 0) _exit(0);
    int st = 0;
    if (waitpid(child, &st, 0) != child || !WIFEXITED(st)) return 16;
    return 0;
  });
  EXPECT_EQ(testing::exitCode(status), 0);
}

}  // namespace
}  // namespace berth::runtime::seccomp
