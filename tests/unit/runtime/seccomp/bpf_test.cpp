#include "runtime/seccomp/bpf.h"

#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "equivalence.h"

namespace berth::runtime::seccomp {
namespace {

using oci::SeccompAction;
using oci::SeccompOp;

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kKillProcess = SECCOMP_RET_KILL_PROCESS;

seccomp_data dataFor(uint32_t arch, int nr, uint64_t arg0 = 0) {
  seccomp_data d{};
  d.arch = arch;
  d.nr = nr;
  d.args[0] = arg0;
  return d;
}

TEST(BpfRun, FollowsLoadsComparisonsAndReturns) {
  const std::vector<sock_filter> f = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 100, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 1),
      BPF_STMT(BPF_RET | BPF_A, 0),
      BPF_STMT(BPF_RET | BPF_K, kAllow),
  };
  EXPECT_EQ(runFilter(f, dataFor(0, 7)), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(runFilter(f, dataFor(0, 101)), SECCOMP_RET_TRAP);
  EXPECT_EQ(runFilter(f, dataFor(0, 3, 0x1f)), 0x10u);  // RET A
  EXPECT_EQ(runFilter(f, dataFor(0, 3, 0x2f)), kAllow);
}

TEST(BpfRun, TheXRegisterAndScratchMemory) {
  const std::vector<sock_filter> f = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_STMT(BPF_MISC | BPF_TAX, 0),
      BPF_STMT(BPF_ST, 3),
      BPF_STMT(BPF_LD | BPF_IMM, 1),
      BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
      BPF_STMT(BPF_LDX | BPF_MEM, 3),
      BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
      BPF_STMT(BPF_RET | BPF_A, 0),
  };
  EXPECT_EQ(runFilter(f, dataFor(0, 4)), (1u << 4) + 4);
}

TEST(BpfRun, WhatTheKernelWouldRefuseKills) {
  const std::vector<sock_filter> pastTheData = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
                                                BPF_STMT(BPF_RET | BPF_K, kAllow)};
  EXPECT_EQ(runFilter(pastTheData, dataFor(0, 1)), kKillProcess);
  const std::vector<sock_filter> outOfTheProgram = {BPF_STMT(BPF_JMP | BPF_JA, 1),
                                                    BPF_STMT(BPF_RET | BPF_K, kAllow)};
  EXPECT_EQ(runFilter(outOfTheProgram, dataFor(0, 1)), kKillProcess);
  const std::vector<sock_filter> noReturn = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
  EXPECT_EQ(runFilter(noReturn, dataFor(0, 1)), kKillProcess);
}

TEST(BpfCompress, LeavesWhatItDoesNotFollowAlone) {
  // Arithmetic on the syscall number: ranges would not be enough.
  const std::vector<sock_filter> f = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kAllow),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
  };
  EXPECT_FALSE(compressSyscallDispatch(f));
  const std::vector<sock_filter> usesX = {BPF_STMT(BPF_MISC | BPF_TAX, 0),
                                          BPF_STMT(BPF_RET | BPF_K, kAllow)};
  EXPECT_FALSE(compressSyscallDispatch(usesX));
  // Already as short as it gets.
  const std::vector<sock_filter> one = {BPF_STMT(BPF_RET | BPF_K, kAllow)};
  EXPECT_FALSE(compressSyscallDispatch(one));
}

TEST(BpfCompress, AChainOfNumbersBecomesASearchOverRuns) {
  // Numbers 10..59 allowed one comparison each (as libseccomp's linear list has them), the
  // rest refused: the comparison at index 1 + j jumps to the allowing return at index 52.
  std::vector<sock_filter> f = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr))};
  for (uint32_t j = 0; j < 50; ++j) {
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10 + j, static_cast<uint8_t>(50 - j), 0));
  }
  f.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
  f.push_back(BPF_STMT(BPF_RET | BPF_K, kAllow));
  auto c = compressSyscallDispatch(f);
  ASSERT_TRUE(c);
  EXPECT_LT(c->size(), 12u);
  for (uint32_t arch : {0u, static_cast<uint32_t>(AUDIT_ARCH_X86_64)}) {
    for (int nr = 0; nr < 80; ++nr) {
      EXPECT_EQ(runFilter(*c, dataFor(arch, nr)), runFilter(f, dataFor(arch, nr))) << nr;
    }
  }
}

oci::SeccompSyscall rule(std::vector<std::string> names, SeccompAction action,
                         std::vector<oci::SeccompArg> args = {}) {
  oci::SeccompSyscall r;
  r.names = std::move(names);
  r.action = action;
  r.args = std::move(args);
  return r;
}

// The x86_64 syscall names numbered [first, last), but those in skip.
std::vector<std::string> namesNumbered(int first, int last,
                                       const std::set<std::string>& skip = {}) {
  std::vector<std::string> names;
  for (int nr = first; nr < last; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    if (name != nullptr && !skip.contains(name)) names.emplace_back(name);
    free(name);
  }
  return names;
}

TEST(BpfCompress, AnAllowingProfileAnswersAsLibseccomps) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Allow;
  s.syscalls.push_back(rule(namesNumbered(150, 260), SeccompAction::Errno));
  s.syscalls.push_back(rule({"bpf", "perf_event_open"}, SeccompAction::Errno));
  s.syscalls.back().errnoRet = ENOSYS;
  auto [plain, compressed] = testing::expectSameAnswers(s);
  EXPECT_LT(compressed * 2, plain) << plain << " -> " << compressed;
}

TEST(BpfCompress, EveryComparisonOnSeveralArchitecturesAnswersAsLibseccomps) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Errno;
  s.defaultErrnoRet = EPERM;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
                     "SCMP_ARCH_ARM"};
  // Dense, as allowlists are: every x86_64 syscall below 400 but every tenth and those with
  // rules of their own.
  std::set<std::string> own = {"ioctl",   "kill",    "lseek",  "pread64", "pwrite64",
                               "madvise", "clone",   "socket", "prctl",   "getuid",
                               "getgid",  "getppid", "uname"};
  std::vector<std::string> allowed;
  for (int tens = 0; tens < 40; ++tens) {
    auto some = namesNumbered(tens * 10, tens * 10 + 9, own);
    allowed.insert(allowed.end(), some.begin(), some.end());
  }
  s.syscalls.push_back(rule(allowed, SeccompAction::Allow));
  const uint64_t big = 0x123456789abcULL;
  s.syscalls.push_back(rule({"ioctl"}, SeccompAction::Allow,
                            {{.index = 1, .value = 0x5401, .op = SeccompOp::EqualTo}}));
  s.syscalls.push_back(
      rule({"kill"}, SeccompAction::Allow, {{.index = 1, .value = 9, .op = SeccompOp::NotEqual}}));
  s.syscalls.push_back(
      rule({"lseek"}, SeccompAction::Allow, {{.index = 2, .value = 3, .op = SeccompOp::LessThan}}));
  s.syscalls.push_back(rule({"pread64"}, SeccompAction::Allow,
                            {{.index = 3, .value = big, .op = SeccompOp::LessEqual}}));
  s.syscalls.push_back(rule({"pwrite64"}, SeccompAction::Allow,
                            {{.index = 3, .value = big, .op = SeccompOp::GreaterThan}}));
  s.syscalls.push_back(rule({"madvise"}, SeccompAction::Allow,
                            {{.index = 2, .value = 4, .op = SeccompOp::GreaterEqual}}));
  s.syscalls.push_back(
      rule({"clone"}, SeccompAction::Allow,
           {{.index = 0, .value = 0x7e020000, .valueTwo = 0, .op = SeccompOp::MaskedEqual}}));
  // Two arguments (both must match), and one index twice (either matches, as runc has it).
  s.syscalls.push_back(rule({"socket"}, SeccompAction::Allow,
                            {{.index = 0, .value = 1, .op = SeccompOp::EqualTo},
                             {.index = 1, .value = 1, .op = SeccompOp::EqualTo}}));
  s.syscalls.push_back(rule({"prctl"}, SeccompAction::Allow,
                            {{.index = 0, .value = 15, .op = SeccompOp::EqualTo},
                             {.index = 0, .value = 16, .op = SeccompOp::EqualTo}}));
  // Other actions beside the argument rules.
  s.syscalls.push_back(rule({"getuid"}, SeccompAction::Trap));
  s.syscalls.push_back(rule({"getgid"}, SeccompAction::KillProcess));
  s.syscalls.push_back(rule({"getppid"}, SeccompAction::Log));
  s.syscalls.push_back(rule({"uname"}, SeccompAction::Trace));
  auto [plain, compressed] = testing::expectSameAnswers(s);
  EXPECT_LT(compressed * 2, plain) << plain << " -> " << compressed;
}

TEST(BpfCompress, ANotifyingProfileAnswersAsLibseccomps) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Allow;
  s.syscalls.push_back(rule(namesNumbered(80, 95), SeccompAction::Notify));
  s.syscalls.push_back(
      rule({"openat"}, SeccompAction::Notify,
           {{.index = 2, .value = 0100, .valueTwo = 0100, .op = SeccompOp::MaskedEqual}}));
  auto [plain, compressed] = testing::expectSameAnswers(s);
  EXPECT_LT(compressed, plain);
}

}  // namespace
}  // namespace berth::runtime::seccomp
