#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oci/spec.h"
#include "testdata.h"

namespace berth::oci {
namespace {

using ::testing::ElementsAre;

Spec roundTrip(const Spec& s) {
  auto back = specFromJson(Json::parse(dumpJson(specToJson(s))));
  EXPECT_TRUE(back) << back.error().what();
  return back ? *back : Spec{};
}

TEST(SpecToJson, RoundTripsTheDockerConfig) {
  auto s = parseSpec(testdata::kDockerConfig);
  ASSERT_TRUE(s) << s.error().what();
  Spec back = roundTrip(*s);
  EXPECT_EQ(back, *s);
  // Each part separately, so a failure says which one lost data.
  EXPECT_EQ(back.process, s->process);
  EXPECT_EQ(back.mounts, s->mounts);
  EXPECT_EQ(back.hooks, s->hooks);
  EXPECT_EQ(back.linux->resources, s->linux->resources);
  EXPECT_EQ(back.linux->seccomp, s->linux->seccomp);
}

TEST(SpecToJson, WritesSpecFieldNames) {
  auto s = parseSpec(testdata::kDockerConfig);
  ASSERT_TRUE(s) << s.error().what();
  Json j = specToJson(*s);
  EXPECT_EQ(j["ociVersion"], "1.2.0");
  EXPECT_EQ(j["process"]["user"]["uid"], 1000);
  EXPECT_EQ(j["linux"]["namespaces"][1]["type"], "network");
  EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][2]["args"][0]["op"], "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][5]["args"][1]["value"], UINT64_MAX);
  EXPECT_EQ(j["linux"]["resources"]["pids"]["limit"], -1);
  EXPECT_EQ(j["linux"]["resources"]["memory"]["kernel"], -1);
  EXPECT_FALSE(j["linux"]["resources"]["devices"][0].contains("major"));
  EXPECT_EQ(j["linux"]["devices"][0]["fileMode"], 438);
}

TEST(SpecToJson, LeavesOutAbsentOptionalFields) {
  Spec s = defaultSpec();
  Json j = specToJson(s);
  EXPECT_FALSE(j.contains("hooks"));
  EXPECT_FALSE(j.contains("annotations"));
  EXPECT_FALSE(j.contains("domainname"));
  EXPECT_FALSE(j["process"].contains("oomScoreAdj"));
  EXPECT_FALSE(j["process"]["capabilities"].contains("ambient"));
  EXPECT_FALSE(j["linux"]["resources"].contains("memory"));
}

TEST(ProcessToJson, RoundTripsAProcess) {
  Process p;
  p.args = {"top", "-b"};
  p.env = {"A=1"};
  p.cwd = "/work";
  p.terminal = true;
  p.consoleSize = ConsoleSize{24, 80};
  p.user = User{.uid = 7, .gid = 8, .umask = 022, .additionalGids = {1, 2}};
  p.capabilities = Capabilities{.bounding = {"CAP_KILL"}, .ambient = {"CAP_KILL"}};
  p.rlimits = {{"RLIMIT_CORE", 0, 0}};
  p.noNewPrivileges = true;
  p.oomScoreAdj = 0;
  p.apparmorProfile = "unconfined";
  auto back = processFromJson(processToJson(p));
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(*back, p);
}

TEST(DefaultSpec, ValidatesAndMatchesRuncSpec) {
  Spec s = defaultSpec();
  Status st = validateSpec(s);
  EXPECT_TRUE(st) << st.error().what();
  EXPECT_EQ(s.ociVersion, kSpecVersion);
  EXPECT_EQ(s.root.path, "rootfs");
  EXPECT_TRUE(s.root.readonly);
  EXPECT_EQ(s.hostname, "berth");
  ASSERT_TRUE(s.process);
  EXPECT_TRUE(s.process->terminal);
  EXPECT_THAT(s.process->args, ElementsAre("sh"));
  EXPECT_THAT(s.process->env,
              ElementsAre("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                          "TERM=xterm"));
  EXPECT_EQ(s.process->cwd, "/");
  EXPECT_TRUE(s.process->noNewPrivileges);
  ASSERT_TRUE(s.process->capabilities);
  EXPECT_THAT(s.process->capabilities->bounding,
              ElementsAre("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"));
  EXPECT_EQ(s.process->capabilities->effective, s.process->capabilities->bounding);
  EXPECT_EQ(s.process->capabilities->permitted, s.process->capabilities->bounding);
  EXPECT_TRUE(s.process->capabilities->inheritable.empty());
  EXPECT_TRUE(s.process->capabilities->ambient.empty());
  ASSERT_EQ(s.process->rlimits.size(), 1u);
  EXPECT_EQ(s.process->rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(s.process->rlimits[0].soft, 1024u);
  ASSERT_EQ(s.mounts.size(), 7u);
  EXPECT_EQ(s.mounts[2].destination, "/dev/pts");
  EXPECT_THAT(s.mounts[2].options, ElementsAre("nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                               "mode=0620", "gid=5"));
  EXPECT_EQ(s.mounts[6].type, "cgroup");
  ASSERT_TRUE(s.linux);
  EXPECT_EQ(s.linux->namespaces.size(), 6u);
  EXPECT_EQ(s.linux->findNamespace(NamespaceType::User), nullptr);
  ASSERT_TRUE(s.linux->resources);
  ASSERT_EQ(s.linux->resources->devices.size(), 1u);
  EXPECT_FALSE(s.linux->resources->devices[0].allow);
  EXPECT_EQ(s.linux->resources->devices[0].access, "rwm");
  EXPECT_THAT(s.linux->readonlyPaths, ElementsAre("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                  "/proc/sysrq-trigger"));
  EXPECT_EQ(roundTrip(s), s);
}

TEST(RootlessSpec, MapsCallerToRootWithoutNetworkOrCgroups) {
  Spec s = rootlessSpec(1000, 1001);
  Status st = validateSpec(s);
  EXPECT_TRUE(st) << st.error().what();
  const Linux& l = *s.linux;
  EXPECT_EQ(l.findNamespace(NamespaceType::Network), nullptr);
  ASSERT_NE(l.findNamespace(NamespaceType::User), nullptr);
  ASSERT_EQ(l.uidMappings.size(), 1u);
  EXPECT_EQ(l.uidMappings[0], (IdMapping{0, 1000, 1}));
  EXPECT_EQ(l.gidMappings[0], (IdMapping{0, 1001, 1}));
  EXPECT_FALSE(l.resources);
  bool sawSys = false;
  for (const auto& m : s.mounts) {
    EXPECT_NE(m.destination, "/sys/fs/cgroup");
    for (const auto& o : m.options) EXPECT_NE(o.rfind("gid=", 0), 0u) << m.destination;
    if (m.destination == "/sys") {
      sawSys = true;
      EXPECT_EQ(m.source, "/sys");
      EXPECT_THAT(m.options, ElementsAre("rbind", "nosuid", "noexec", "nodev", "ro"));
    }
  }
  EXPECT_TRUE(sawSys);
  EXPECT_EQ(roundTrip(s), s);
}

}  // namespace
}  // namespace berth::oci
