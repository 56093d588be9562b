#include <errno.h>
#include <linux/seccomp.h>

#include <gtest/gtest.h>

#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp {
namespace {

using oci::SeccompAction;

oci::Seccomp allowWithGetcwdDenied() {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Allow;
  s.syscalls.push_back({.names = {"getcwd"}, .action = SeccompAction::Errno, .errnoRet = ENOTSUP});
  return s;
}

bool sameProgram(const Program& a, const Program& b) {
  if (a.filter.size() != b.filter.size()) return false;
  for (size_t i = 0; i < a.filter.size(); ++i) {
    const auto& x = a.filter[i];
    const auto& y = b.filter[i];
    if (x.code != y.code || x.jt != y.jt || x.jf != y.jf || x.k != y.k) return false;
  }
  return true;
}

TEST(SeccompCompile, ProducesAProgramWithoutFlags) {
  auto p = compile(allowWithGetcwdDenied());
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_FALSE(p->filter.empty());
  EXPECT_EQ(p->flags, 0u);
  EXPECT_FALSE(p->notify);
}

TEST(SeccompCompile, RejectsAnUnknownArchitecture) {
  auto s = allowWithGetcwdDenied();
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"};
  auto p = compile(s);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(p.error().what().find("SCMP_ARCH_VAX"), std::string::npos);
}

TEST(SeccompCompile, RejectsAnUnknownFlag) {
  auto s = allowWithGetcwdDenied();
  s.flags = {"SECCOMP_FILTER_FLAG_BOGUS"};
  auto p = compile(s);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::InvalidArgument);
}

TEST(SeccompCompile, RejectsAnArgumentIndexPastTheSixth) {
  auto s = allowWithGetcwdDenied();
  s.syscalls[0].args = {{.index = 6, .value = 1}};
  auto p = compile(s);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::InvalidArgument);
}

TEST(SeccompCompile, RejectsAnErrnoRetWiderThanSixteenBits) {
  auto s = allowWithGetcwdDenied();
  s.syscalls[0].errnoRet = 0x10000;
  auto p = compile(s);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind(), ErrorKind::InvalidArgument);
}

TEST(SeccompCompile, RecordsTheFilterFlags) {
  auto s = allowWithGetcwdDenied();
  s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
             "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_EQ(p->flags,
            SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
}

TEST(SeccompCompile, DropsWaitKillableRecvWithoutAListener) {
  auto s = allowWithGetcwdDenied();
  s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_EQ(p->flags, 0u);
}

TEST(SeccompCompile, ANotifyRuleAsksForANewListener) {
  auto s = allowWithGetcwdDenied();
  s.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  s.syscalls.push_back({.names = {"acct"}, .action = SeccompAction::Notify});
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_TRUE(p->notify);
  EXPECT_EQ(p->flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
                          SECCOMP_FILTER_FLAG_NEW_LISTENER |
                          SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
}

TEST(SeccompCompile, ANotifyDefaultActionAsksForANewListener) {
  oci::Seccomp s;
  s.defaultAction = SeccompAction::Notify;
  s.syscalls.push_back({.names = {"exit_group", "read", "write"}, .action = SeccompAction::Allow});
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_TRUE(p->notify);
  EXPECT_EQ(p->flags, SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

TEST(SeccompCompile, SkipsUnknownSyscallNames) {
  auto s = allowWithGetcwdDenied();
  s.syscalls[0].names = {"no_such_syscall", "getcwd", "another_unknown_one"};
  s.syscalls.push_back({.names = {"yet_another_unknown"}, .action = SeccompAction::Errno});
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  auto plain = compile(allowWithGetcwdDenied());
  ASSERT_TRUE(plain);
  EXPECT_TRUE(sameProgram(*p, *plain));
}

TEST(SeccompCompile, AcceptsAProfileWhereNoNameIsKnown) {
  oci::Seccomp s;
  s.syscalls.push_back({.names = {"no_such_syscall"}, .action = SeccompAction::Errno});
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_FALSE(p->filter.empty());
}

TEST(SeccompCompile, SkipsRulesWithTheDefaultAction) {
  auto s = allowWithGetcwdDenied();
  s.syscalls.push_back({.names = {"getpid"}, .action = SeccompAction::Allow});
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  auto plain = compile(allowWithGetcwdDenied());
  ASSERT_TRUE(plain);
  EXPECT_TRUE(sameProgram(*p, *plain));

  // ERRNO without errnoRet is ERRNO(EPERM), the same action as an EPERM default.
  oci::Seccomp deny;
  deny.defaultAction = SeccompAction::Errno;
  deny.syscalls.push_back({.names = {"exit_group"}, .action = SeccompAction::Allow});
  deny.syscalls.push_back({.names = {"getcwd"}, .action = SeccompAction::Errno, .errnoRet = EPERM});
  EXPECT_TRUE(compile(deny)) << compile(deny).error().what();
}

TEST(SeccompCompile, CompilesTheX86FamilyTogether) {
  auto s = allowWithGetcwdDenied();
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  auto p = compile(s);
  ASSERT_TRUE(p) << p.error().what();
  auto native = compile(allowWithGetcwdDenied());
  ASSERT_TRUE(native);
  EXPECT_GT(p->filter.size(), native->filter.size());
}

TEST(SeccompCompile, AcceptsEveryAction) {
  for (auto a : {SeccompAction::Kill, SeccompAction::KillProcess, SeccompAction::KillThread,
                 SeccompAction::Trap, SeccompAction::Errno, SeccompAction::Trace,
                 SeccompAction::Log, SeccompAction::Notify}) {
    oci::Seccomp s;
    s.syscalls.push_back({.names = {"getcwd"}, .action = a});
    auto p = compile(s);
    EXPECT_TRUE(p) << static_cast<int>(a) << ": " << p.error().what();
  }
}

TEST(SeccompCompile, AcceptsEveryComparison) {
  for (auto op : {oci::SeccompOp::NotEqual, oci::SeccompOp::LessThan, oci::SeccompOp::LessEqual,
                  oci::SeccompOp::EqualTo, oci::SeccompOp::GreaterEqual,
                  oci::SeccompOp::GreaterThan, oci::SeccompOp::MaskedEqual}) {
    oci::Seccomp s;
    s.syscalls.push_back({.names = {"personality"},
                          .action = SeccompAction::Errno,
                          .args = {{.index = 0, .value = 8, .valueTwo = 8, .op = op}}});
    auto p = compile(s);
    EXPECT_TRUE(p) << static_cast<int>(op) << ": " << p.error().what();
  }
}

}  // namespace
}  // namespace berth::runtime::seccomp
