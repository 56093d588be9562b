#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "child.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp {
namespace {

using oci::SeccompAction;
using oci::SeccompOp;
using testing::exitCode;
using testing::runFiltered;
using testing::termSignal;

// Raw syscalls, so that no libc fallback or cache hides what the filter answered.
long rawGetcwd() {
  char buf[4096];
  return syscall(SYS_getcwd, buf, sizeof(buf));
}
// 0 when the call succeeded, its errno when it failed.
int errnoOf(long rc) {
  return rc < 0 ? errno : 0;
}

Program compileOrDie(const oci::Seccomp& s) {
  auto p = compile(s);
  EXPECT_TRUE(p) << p.error().what();
  return p ? std::move(p).value() : Program{};
}

oci::Seccomp allowWith(oci::SeccompSyscall rule) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Allow;
  s.syscalls.push_back(std::move(rule));
  return s;
}

TEST(SeccompInstall, AnErrnoRuleFailsOnlyThatSyscall) {
  auto p = compileOrDie(
      allowWith({.names = {"getcwd"}, .action = SeccompAction::Errno, .errnoRet = ENOTSUP}));
  int status = runFiltered(p, [](int) {
    if (errnoOf(rawGetcwd()) != ENOTSUP) return 1;
    if (syscall(SYS_getpid) != getpid()) return 2;
    if (errnoOf(syscall(SYS_getppid)) != 0) return 3;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, SyscallsNewerThanTheProfileAnswerEnosysOthersTheDefault) {
  // Deny by default with a short allow list: its highest call is exit_group (231 on x86_64).
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Errno;
  s.syscalls.push_back({.names = {"exit", "exit_group", "getpid"}, .action = SeccompAction::Allow});
  auto p = compileOrDie(s);
  int status = runFiltered(p, [](int) {
    // The raw exit_group: a sanitizer's _exit would want calls this list refuses.
    auto leave = [](int code) -> int { return static_cast<int>(syscall(SYS_exit_group, code)); };
    if (syscall(SYS_getpid) != getpid()) return leave(1);
    if (errnoOf(syscall(SYS_uname, nullptr)) != EPERM) return leave(2);  // below: the default
    if (errnoOf(syscall(SYS_exit_group + 1)) != ENOSYS) return leave(3);
    if (errnoOf(syscall(1000)) != ENOSYS) return leave(4);  // no kernel has it (yet)
    return leave(0);
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, AnAllowingDefaultGetsNoEnosysStub) {
  auto withStub = compileOrDie([] {
    oci::Seccomp s;
    s.defaultAction = SeccompAction::Errno;
    s.syscalls.push_back({.names = {"getpid"}, .action = SeccompAction::Allow});
    return s;
  }());
  auto without = compileOrDie(
      allowWith({.names = {"getpid"}, .action = SeccompAction::Errno, .errnoRet = EPERM}));
  // The stub's last instruction for the native architecture answers ENOSYS.
  auto answersEnosys = [](const Program& p) {
    for (const auto& i : p.filter) {
      if (i.code == (BPF_RET | BPF_K) && i.k == (SECCOMP_RET_ERRNO | ENOSYS)) return true;
    }
    return false;
  };
  EXPECT_TRUE(answersEnosys(withStub));
  EXPECT_FALSE(answersEnosys(without));
  // A default that allows lets the kernel answer ENOSYS for what it does not have.
  int status = runFiltered(without, [](int) { return errnoOf(syscall(1000)) == ENOSYS ? 0 : 1; });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, AnErrnoRuleWithoutErrnoRetAnswersEperm) {
  auto p = compileOrDie(allowWith({.names = {"getcwd"}, .action = SeccompAction::Errno}));
  int status = runFiltered(p, [](int) { return errnoOf(rawGetcwd()) == EPERM ? 0 : 1; });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, ADefaultErrnoActionAnswersDefaultErrnoRet) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Errno;
  s.defaultErrnoRet = ENOSYS;
  // Besides what the check calls, what a sanitizer's runtime may call in the child (its fake
  // stacks are mmap'd).
  s.syscalls.push_back({.names = {"exit_group", "exit", "getpid", "mmap", "munmap", "mprotect",
                                  "madvise", "brk", "write", "rt_sigprocmask", "sigaltstack"},
                        .action = SeccompAction::Allow});
  auto p = compileOrDie(s);
  int status = runFiltered(p, [](int) {
    if (errnoOf(rawGetcwd()) != ENOSYS) return 1;
    if (syscall(SYS_getpid) <= 0) return 2;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, AnEqualArgumentFilterMatchesOnlyThatValue) {
  auto p = compileOrDie(allowWith({.names = {"personality"},
                                   .action = SeccompAction::Errno,
                                   .errnoRet = EACCES,
                                   .args = {{.index = 0, .value = 0xffffffff}}}));
  int status = runFiltered(p, [](int) {
    // 0xffffffff only queries the persona; 0 (PER_LINUX) is the persona the child already has.
    if (errnoOf(syscall(SYS_personality, 0xffffffffUL)) != EACCES) return 1;
    if (errnoOf(syscall(SYS_personality, 0UL)) != 0) return 2;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, AMaskedEqualFilterComparesUnderTheMask) {
  // value is the mask, valueTwo the datum (Docker's clone rule relies on that order): this denies
  // the PER_LINUX32 persona whatever flags come with it.
  auto p = compileOrDie(allowWith(
      {.names = {"personality"},
       .action = SeccompAction::Errno,
       .errnoRet = EACCES,
       .args = {{.index = 0, .value = 0xff, .valueTwo = 0x08, .op = SeccompOp::MaskedEqual}}}));
  int status = runFiltered(p, [](int) {
    if (errnoOf(syscall(SYS_personality, 0x0400008UL)) != EACCES) return 1;
    if (errnoOf(syscall(SYS_personality, 0x08UL)) != EACCES) return 2;
    if (errnoOf(syscall(SYS_personality, 0xffffffffUL)) != 0) return 3;
    if (errnoOf(syscall(SYS_personality, 0UL)) != 0) return 4;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, AGreaterThanFilterLeavesSmallerValuesAlone) {
  auto p = compileOrDie(
      allowWith({.names = {"getpgid"},
                 .action = SeccompAction::Errno,
                 .errnoRet = EACCES,
                 .args = {{.index = 0, .value = 1u << 30, .op = SeccompOp::GreaterThan}}}));
  int status = runFiltered(p, [](int) {
    if (errnoOf(syscall(SYS_getpgid, (1L << 30) + 1)) != EACCES) return 1;
    if (errnoOf(syscall(SYS_getpgid, 0L)) != 0) return 2;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, ArgumentsOnDifferentIndexesMustAllMatch) {
  auto p = compileOrDie(
      allowWith({.names = {"getpriority"},
                 .action = SeccompAction::Errno,
                 .errnoRet = EACCES,
                 .args = {{.index = 0, .value = PRIO_PROCESS}, {.index = 1, .value = 999999}}}));
  int status = runFiltered(p, [](int) {
    if (errnoOf(syscall(SYS_getpriority, PRIO_PROCESS, 999999)) != EACCES) return 1;
    if (errnoOf(syscall(SYS_getpriority, PRIO_PROCESS, 0)) != 0) return 2;
    // No such process group: the kernel's own ESRCH, not the filter's EACCES.
    if (errnoOf(syscall(SYS_getpriority, PRIO_PGRP, 999999)) != ESRCH) return 3;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, ArgumentsRepeatingAnIndexMatchEitherComparison) {
  // As runc: libseccomp cannot AND two tests of one argument, so they become separate rules.
  auto p = compileOrDie(
      allowWith({.names = {"getpgid"},
                 .action = SeccompAction::Errno,
                 .errnoRet = EACCES,
                 .args = {{.index = 0, .value = 999997}, {.index = 0, .value = 999998}}}));
  int status = runFiltered(p, [](int) {
    if (errnoOf(syscall(SYS_getpgid, 999997L)) != EACCES) return 1;
    if (errnoOf(syscall(SYS_getpgid, 999998L)) != EACCES) return 2;
    if (errnoOf(syscall(SYS_getpgid, 999999L)) != ESRCH) return 3;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, KillProcessKillsTheChildWithSigsys) {
  auto p = compileOrDie(allowWith({.names = {"getcwd"}, .action = SeccompAction::KillProcess}));
  int status = runFiltered(p, [](int) {
    rawGetcwd();
    return 1;
  });
  EXPECT_EQ(termSignal(status), SIGSYS);
}

TEST(SeccompInstall, KillEndsASingleThreadedChildWithSigsys) {
  auto p = compileOrDie(allowWith({.names = {"getcwd"}, .action = SeccompAction::Kill}));
  int status = runFiltered(p, [](int) {
    rawGetcwd();
    return 1;
  });
  EXPECT_EQ(termSignal(status), SIGSYS);
}

void onSigsys(int, siginfo_t* info, void*) {
  _exit(info->si_syscall == SYS_getcwd ? 42 : 43);
}

TEST(SeccompInstall, TrapDeliversSigsysNamingTheSyscall) {
  auto p = compileOrDie(allowWith({.names = {"getcwd"}, .action = SeccompAction::Trap}));
  int status = runFiltered(p, [](int) {
    struct sigaction sa {};
    sa.sa_sigaction = onSigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, nullptr);
    rawGetcwd();
    return 1;
  });
  EXPECT_EQ(exitCode(status), 42);
}

TEST(SeccompInstall, TraceWithoutATracerFailsWithEnosys) {
  auto p = compileOrDie(allowWith({.names = {"getcwd"}, .action = SeccompAction::Trace}));
  int status = runFiltered(p, [](int) { return errnoOf(rawGetcwd()) == ENOSYS ? 0 : 1; });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, LogLetsTheSyscallRun) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Log;
  s.syscalls.push_back({.names = {"getpid"}, .action = SeccompAction::Allow});
  s.syscalls.push_back({.names = {"getppid"}, .action = SeccompAction::Errno});
  auto p = compileOrDie(s);
  int status = runFiltered(p, [](int) {
    if (errnoOf(rawGetcwd()) != 0) return 1;
    if (errnoOf(syscall(SYS_getppid)) != EPERM) return 2;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, NotifyReturnsAListenerFd) {
  // acct is never called by the child, so nothing waits on the listener.
  auto p = compileOrDie(allowWith({.names = {"acct"}, .action = SeccompAction::Notify}));
  ASSERT_TRUE(p.notify);
  int status = runFiltered(p, [](int fd) {
    if (fd <= 2) return 1;
    return fcntl(fd, F_GETFD) >= 0 ? 0 : 2;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, SeveralArchitecturesStillFilterTheNativeOne) {
  auto s = allowWith({.names = {"getcwd"}, .action = SeccompAction::Errno, .errnoRet = ENOTSUP});
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  auto p = compileOrDie(s);
  int status = runFiltered(p, [](int) {
    if (errnoOf(rawGetcwd()) != ENOTSUP) return 1;
    if (syscall(SYS_getpid) <= 0) return 2;
    return 0;
  });
  EXPECT_EQ(exitCode(status), 0);
}

TEST(SeccompInstall, ReportsAKernelRefusalAsNegativeErrno) {
  Program bogus;
  bogus.filter.push_back(sock_filter{0xffff, 0, 0, 0});  // not a valid BPF opcode
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    _exit(install(bogus) == -EINVAL ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(exitCode(status), 0);
}

}  // namespace
}  // namespace berth::runtime::seccomp
