#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include "oci/capabilities.h"
#include "oci/spec.h"

namespace berth::oci {
namespace {

using ::testing::HasSubstr;

TEST(Capabilities, UsesKernelNumbering) {
  EXPECT_EQ(capabilityFromName("CAP_CHOWN").value(), 0);
  EXPECT_EQ(capabilityFromName("CAP_NET_BIND_SERVICE").value(), 10);
  EXPECT_EQ(capabilityFromName("CAP_SYS_ADMIN").value(), 21);
  EXPECT_EQ(capabilityFromName("CAP_MKNOD").value(), 27);
  EXPECT_EQ(capabilityFromName("CAP_AUDIT_READ").value(), 37);
  EXPECT_EQ(capabilityFromName("CAP_PERFMON").value(), 38);
  EXPECT_EQ(capabilityFromName("CAP_BPF").value(), 39);
  EXPECT_EQ(capabilityFromName("CAP_CHECKPOINT_RESTORE").value(), 40);
  EXPECT_EQ(kLastKnownCap, 40);
}

TEST(Capabilities, NamesRoundTripForEveryNumber) {
  auto names = allCapabilityNames();
  ASSERT_EQ(names.size(), static_cast<size_t>(kLastKnownCap + 1));
  for (int i = 0; i <= kLastKnownCap; ++i) {
    EXPECT_EQ(names[i], capabilityName(i));
    EXPECT_EQ(capabilityFromName(names[i]).value(), i);
  }
  EXPECT_EQ(capabilityName(41), "41");
}

TEST(Capabilities, RejectsUnknownAndUnprefixedNames) {
  auto r = capabilityFromName("CAP_FLY");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(r.error().what(), HasSubstr("unknown capability \"CAP_FLY\""));
  EXPECT_FALSE(capabilityFromName("SYS_ADMIN"));
  EXPECT_FALSE(capabilityFromName("cap_sys_admin"));
}

TEST(NamespaceNames, MapsConfigAndProcNames) {
  struct Case {
    NamespaceType type;
    const char* name;
    const char* proc;
  };
  const Case cases[] = {
      {NamespaceType::Pid, "pid", "pid"},          {NamespaceType::Network, "network", "net"},
      {NamespaceType::Mount, "mount", "mnt"},      {NamespaceType::Ipc, "ipc", "ipc"},
      {NamespaceType::Uts, "uts", "uts"},          {NamespaceType::User, "user", "user"},
      {NamespaceType::Cgroup, "cgroup", "cgroup"}, {NamespaceType::Time, "time", "time"},
  };
  for (const auto& c : cases) {
    EXPECT_STREQ(namespaceTypeName(c.type), c.name);
    EXPECT_STREQ(namespaceProcName(c.type), c.proc);
    EXPECT_EQ(namespaceTypeFromName(c.name).value(), c.type);
  }
  EXPECT_FALSE(namespaceTypeFromName("net"));
}

TEST(SeccompNames, MapsEveryAction) {
  for (const char* n :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}) {
    auto a = seccompActionFromName(n);
    ASSERT_TRUE(a) << n;
    EXPECT_STREQ(seccompActionName(*a), n);
  }
  EXPECT_EQ(seccompActionFromName("SCMP_ACT_KILL_PROCESS").value(), SeccompAction::KillProcess);
  EXPECT_FALSE(seccompActionFromName("SCMP_ACT_ALLOWED"));
}

TEST(SeccompNames, MapsEveryOperator) {
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_NE").value(), SeccompOp::NotEqual);
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_LT").value(), SeccompOp::LessThan);
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_LE").value(), SeccompOp::LessEqual);
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_EQ").value(), SeccompOp::EqualTo);
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_GE").value(), SeccompOp::GreaterEqual);
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_GT").value(), SeccompOp::GreaterThan);
  EXPECT_EQ(seccompOpFromName("SCMP_CMP_MASKED_EQ").value(), SeccompOp::MaskedEqual);
  EXPECT_STREQ(seccompOpName(SeccompOp::MaskedEqual), "SCMP_CMP_MASKED_EQ");
  EXPECT_FALSE(seccompOpFromName("SCMP_CMP_EQUAL"));
}

TEST(RlimitNames, MapsEveryRlimitToItsNumber) {
  EXPECT_EQ(rlimitFromName("RLIMIT_NOFILE").value(), RLIMIT_NOFILE);
  EXPECT_EQ(rlimitFromName("RLIMIT_RTTIME").value(), RLIMIT_RTTIME);
  for (const char* n :
       {"RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
        "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
        "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"}) {
    EXPECT_TRUE(rlimitFromName(n)) << n;
  }
  EXPECT_FALSE(rlimitFromName("NOFILE"));
}

TEST(CleanPath, CollapsesSlashesDotsAndDotDots) {
  EXPECT_EQ(cleanPath("/").value(), "/");
  EXPECT_EQ(cleanPath("//a//b/").value(), "/a/b");
  EXPECT_EQ(cleanPath("/a/./b/../c").value(), "/a/c");
  EXPECT_EQ(cleanPath("/a/..").value(), "/");
  EXPECT_EQ(cleanPath("a/b/..").value(), "a");
  EXPECT_EQ(cleanPath("").value(), ".");
  EXPECT_EQ(cleanPath("./").value(), ".");
}

TEST(CleanPath, RejectsClimbingAboveTheRoot) {
  auto r = cleanPath("/../etc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_THAT(r.error().what(), HasSubstr("escapes the root"));
  EXPECT_FALSE(cleanPath("/a/../../b"));
  EXPECT_FALSE(cleanPath("../x"));
}

}  // namespace
}  // namespace berth::oci
