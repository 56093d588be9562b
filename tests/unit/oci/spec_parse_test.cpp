#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oci/spec.h"
#include "testdata.h"

namespace berth::oci {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A minimal valid config with `extra` spliced into the top-level object.
std::string config(const std::string& extra = "") {
  std::string out = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                        "process": {"args": ["sh"], "cwd": "/"})";
  if (!extra.empty()) out += ", " + extra;
  return out + "}";
}

std::string parseError(const std::string& text) {
  auto s = parseSpec(text);
  if (s) return "<parsed>";
  EXPECT_EQ(s.error().kind(), ErrorKind::InvalidArgument);
  return s.error().what();
}

TEST(SpecParse, ParsesDockerConfigWithEveryField) {
  auto parsed = parseSpec(testdata::kDockerConfig);
  ASSERT_TRUE(parsed) << parsed.error().what();
  const Spec& s = *parsed;
  EXPECT_EQ(s.ociVersion, "1.2.0");
  EXPECT_EQ(s.root.path, "/var/lib/berth/overlay/3f2a/merged");
  EXPECT_FALSE(s.root.readonly);
  EXPECT_EQ(s.hostname, "3f2a");
  EXPECT_EQ(s.domainname, "example.org");

  ASSERT_TRUE(s.process);
  const Process& p = *s.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.consoleSize);
  EXPECT_EQ(p.consoleSize->height, 40u);
  EXPECT_EQ(p.consoleSize->width, 120u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1000u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_THAT(p.user.additionalGids, ElementsAre(10u, 1000u));
  EXPECT_THAT(p.args, ElementsAre("sh", "-c", "echo hi"));
  EXPECT_EQ(p.env.size(), 3u);
  EXPECT_EQ(p.cwd, "/home/user");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding.size(), 14u);
  EXPECT_THAT(p.capabilities->effective, ElementsAre("CAP_CHOWN", "CAP_KILL"));
  EXPECT_TRUE(p.capabilities->inheritable.empty());
  EXPECT_THAT(p.capabilities->ambient, ElementsAre("CAP_KILL"));
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].hard, 1048576u);
  EXPECT_EQ(p.rlimits[0].soft, 1024u);
  EXPECT_TRUE(p.noNewPrivileges);
  EXPECT_EQ(p.apparmorProfile, "docker-default");
  EXPECT_EQ(p.selinuxLabel, "system_u:system_r:container_t:s0");
  EXPECT_EQ(p.oomScoreAdj, -500);

  ASSERT_EQ(s.mounts.size(), 9u);
  EXPECT_EQ(s.mounts[7].destination, "/etc/resolv.conf");
  EXPECT_EQ(s.mounts[7].type, "bind");
  EXPECT_EQ(s.mounts[7].source, "/var/lib/berth/containers/3f2a/resolv.conf");
  EXPECT_THAT(s.mounts[7].options, ElementsAre("rbind", "rprivate"));

  ASSERT_EQ(s.hooks.prestart.size(), 1u);
  EXPECT_EQ(s.hooks.prestart[0].path, "/usr/bin/berth-netns");
  EXPECT_THAT(s.hooks.prestart[0].args, ElementsAre("berth-netns", "setup"));
  EXPECT_THAT(s.hooks.prestart[0].env, ElementsAre("A=1"));
  EXPECT_EQ(s.hooks.prestart[0].timeout, 10);
  EXPECT_EQ(s.hooks.createRuntime.size(), 1u);
  EXPECT_EQ(s.hooks.createContainer.size(), 1u);
  EXPECT_EQ(s.hooks.startContainer.size(), 1u);
  EXPECT_EQ(s.hooks.poststart.size(), 1u);
  ASSERT_EQ(s.hooks.poststop.size(), 1u);
  EXPECT_FALSE(s.hooks.poststop[0].timeout);
  EXPECT_EQ(s.annotations.at("com.example.key"), "value");

  ASSERT_TRUE(s.linux);
  const Linux& l = *s.linux;
  ASSERT_EQ(l.namespaces.size(), 8u);
  EXPECT_EQ(l.namespaces[1].type, NamespaceType::Network);
  EXPECT_EQ(l.namespaces[1].path, "/var/run/netns/berth-3f2a");
  EXPECT_EQ(l.namespaces[7].type, NamespaceType::Time);
  ASSERT_NE(l.findNamespace(NamespaceType::User), nullptr);
  EXPECT_EQ(l.uidMappings[0].hostID, 100000u);
  EXPECT_EQ(l.gidMappings[0].size, 65536u);
  ASSERT_EQ(l.devices.size(), 2u);
  EXPECT_EQ(l.devices[0].path, "/dev/fuse");
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].fileMode, 438u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.devices[1].type, "p");
  EXPECT_FALSE(l.devices[1].fileMode);
  EXPECT_EQ(l.cgroupsPath, "system.slice:berth:3f2a");

  ASSERT_TRUE(l.resources);
  const Resources& r = *l.resources;
  ASSERT_EQ(r.devices.size(), 4u);
  EXPECT_FALSE(r.devices[0].allow);
  EXPECT_EQ(r.devices[0].type, "a");
  EXPECT_FALSE(r.devices[0].major);
  EXPECT_EQ(r.devices[1].major, 1);
  EXPECT_EQ(r.devices[1].minor, 5);
  EXPECT_FALSE(r.devices[2].minor);
  EXPECT_FALSE(r.devices[3].major);
  EXPECT_EQ(r.devices[3].access, "r");
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 536870912);
  EXPECT_EQ(r.memory->reservation, 268435456);
  EXPECT_EQ(r.memory->swap, 1073741824);
  EXPECT_EQ(r.memory->kernel, -1);
  EXPECT_EQ(r.memory->kernelTCP, 1048576);
  EXPECT_EQ(r.memory->swappiness, 60u);
  EXPECT_EQ(r.memory->disableOOMKiller, false);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->quota, 50000);
  EXPECT_EQ(r.cpu->period, 100000u);
  EXPECT_EQ(r.cpu->realtimeRuntime, 950000);
  EXPECT_EQ(r.cpu->realtimePeriod, 1000000u);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.cpu->mems, "0");
  EXPECT_EQ(r.pidsLimit, -1);
  EXPECT_EQ(r.unified.at("io.weight"), "default 100");

  EXPECT_EQ(l.rootfsPropagation, "rslave");
  ASSERT_TRUE(l.seccomp);
  const Seccomp& sc = *l.seccomp;
  EXPECT_EQ(sc.defaultAction, SeccompAction::Errno);
  EXPECT_EQ(sc.defaultErrnoRet, 1u);
  EXPECT_THAT(sc.architectures, ElementsAre("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
  EXPECT_THAT(sc.flags, ElementsAre("SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
  EXPECT_EQ(sc.listenerPath, "/run/seccomp-agent.sock");
  EXPECT_EQ(sc.listenerMetadata, "meta");
  ASSERT_EQ(sc.syscalls.size(), 6u);
  EXPECT_THAT(sc.syscalls[0].names, ElementsAre("accept", "accept4", "read", "write"));
  EXPECT_EQ(sc.syscalls[2].args[0].op, SeccompOp::MaskedEqual);
  EXPECT_EQ(sc.syscalls[2].args[0].value, 2114060288u);
  EXPECT_EQ(sc.syscalls[3].action, SeccompAction::Errno);
  EXPECT_EQ(sc.syscalls[3].errnoRet, 38u);
  EXPECT_EQ(sc.syscalls[4].action, SeccompAction::Notify);
  EXPECT_EQ(sc.syscalls[5].action, SeccompAction::Log);
  ASSERT_EQ(sc.syscalls[5].args.size(), 2u);
  EXPECT_EQ(sc.syscalls[5].args[0].index, 1u);
  EXPECT_EQ(sc.syscalls[5].args[0].op, SeccompOp::NotEqual);
  EXPECT_EQ(sc.syscalls[5].args[1].value, UINT64_MAX);
  EXPECT_EQ(sc.syscalls[5].args[1].op, SeccompOp::LessEqual);
  EXPECT_THAT(l.maskedPaths, ElementsAre("/proc/acpi", "/proc/kcore", "/sys/firmware"));
  EXPECT_THAT(l.readonlyPaths, ElementsAre("/proc/bus", "/proc/sys"));
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.mountLabel, "system_u:object_r:container_file_t:s0");
}

TEST(SpecParse, AcceptsMinimalConfigWithDefaults) {
  auto s = parseSpec(config());
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ(s->process->user.uid, 0u);
  EXPECT_FALSE(s->process->terminal);
  EXPECT_FALSE(s->process->capabilities);
  EXPECT_FALSE(s->process->oomScoreAdj);
  EXPECT_FALSE(s->linux);
}

TEST(SpecParse, IgnoresUnknownFields) {
  auto s = parseSpec(config(R"("future": {"x": [1, 2]}, "windows": {"layerFolders": []})"));
  EXPECT_TRUE(s) << s.error().what();
}

TEST(SpecParse, TreatsNullAsAbsent) {
  auto s = parseSpec(config(R"("hostname": null, "mounts": null, "linux": null)"));
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_TRUE(s->mounts.empty());
  EXPECT_FALSE(s->linux);
}

TEST(SpecParse, RejectsTextThatIsNotJson) {
  std::string err = parseError("this is not json");
  EXPECT_THAT(err, HasSubstr("invalid config: parse config.json"));
  EXPECT_THAT(err, HasSubstr("syntax error"));
}

TEST(SpecParse, RejectsTopLevelThatIsNotAnObject) {
  EXPECT_THAT(parseError("[1, 2]"), HasSubstr("config: expected object, got array"));
}

TEST(SpecParse, RejectsMissingRoot) {
  std::string text = R"({"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}})";
  EXPECT_EQ(parseError(text), "invalid config: root.path is required");
  EXPECT_THAT(parseError(R"({"ociVersion": "1.0.0", "root": {"path": ""},
                             "process": {"args": ["sh"], "cwd": "/"}})"),
              HasSubstr("root.path is required"));
}

TEST(SpecParse, RejectsMissingOrForeignVersion) {
  EXPECT_THAT(parseError(R"({"root": {"path": "r"}, "process": {"args": ["sh"]}})"),
              HasSubstr("ociVersion is required"));
  EXPECT_THAT(parseError(R"({"ociVersion": "2.0.0", "root": {"path": "r"},
                             "process": {"args": ["sh"]}})"),
              HasSubstr("ociVersion \"2.0.0\": unsupported"));
  EXPECT_THAT(parseError(R"({"ociVersion": 1, "root": {"path": "r"}})"),
              HasSubstr("ociVersion: expected string, got 1"));
}

TEST(SpecParse, RejectsNegativeUidWithFieldPath) {
  std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                         "process": {"args": ["sh"], "user": {"uid": -1}}})";
  EXPECT_EQ(parseError(text),
            "invalid config: process.user.uid: expected unsigned integer, got -1");
}

TEST(SpecParse, RejectsStringWhereNumberIsExpected) {
  std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                         "process": {"args": ["sh"], "user": {"uid": 0, "gid": "0"}}})";
  EXPECT_THAT(parseError(text),
              HasSubstr("process.user.gid: expected unsigned integer, got string"));
}

TEST(SpecParse, RejectsFractionalNumbers) {
  std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                         "process": {"args": ["sh"], "rlimits": [{"type": "RLIMIT_NOFILE",
                         "hard": 1.5, "soft": 1}]}})";
  EXPECT_THAT(parseError(text), HasSubstr("process.rlimits[0].hard: expected unsigned integer"));
}

TEST(SpecParse, RejectsUidAbove32Bits) {
  std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                         "process": {"args": ["sh"], "user": {"uid": 4294967296}}})";
  EXPECT_THAT(parseError(text), HasSubstr("process.user.uid: 4294967296 is out of range"));
}

TEST(SpecParse, RejectsNonStringInStringArray) {
  std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs"},
                         "process": {"args": ["sh", 3]}})";
  EXPECT_THAT(parseError(text), HasSubstr("process.args[1]: expected string, got 3"));
}

TEST(SpecParse, RejectsWrongTypeForBoolean) {
  std::string text = R"({"ociVersion": "1.0.2", "root": {"path": "rootfs", "readonly": "yes"},
                         "process": {"args": ["sh"]}})";
  EXPECT_THAT(parseError(text), HasSubstr("root.readonly: expected boolean, got string"));
}

TEST(SpecParse, RejectsUnknownNamespaceType) {
  std::string err = parseError(
      config(R"("linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "foo"}]})"));
  EXPECT_EQ(err, "invalid config: linux.namespaces[2].type: unknown namespace type \"foo\"");
}

TEST(SpecParse, RejectsNamespaceWithoutType) {
  EXPECT_THAT(parseError(config(R"("linux": {"namespaces": [{"path": "/proc/1/ns/net"}]})")),
              HasSubstr("linux.namespaces[0].type is required"));
}

TEST(SpecParse, RejectsUnknownSeccompAction) {
  std::string err = parseError(config(
      R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
          "syscalls": [{"names": ["read"], "action": "SCMP_ACT_MAYBE"}]}})"));
  EXPECT_THAT(err, HasSubstr("linux.seccomp.syscalls[0].action: unknown seccomp action "
                             "\"SCMP_ACT_MAYBE\""));
}

TEST(SpecParse, RejectsSeccompWithoutDefaultAction) {
  EXPECT_THAT(parseError(config(R"("linux": {"seccomp": {"syscalls": []}})")),
              HasSubstr("linux.seccomp.defaultAction is required"));
}

TEST(SpecParse, RejectsUnknownSeccompOperator) {
  std::string err = parseError(config(
      R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
          "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]}})"));
  EXPECT_THAT(err, HasSubstr("linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator"));
}

TEST(SpecParse, RejectsNegativeSeccompErrno) {
  std::string err = parseError(config(
      R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1}})"));
  EXPECT_THAT(err, HasSubstr("linux.seccomp.defaultErrnoRet: expected unsigned integer"));
}

TEST(SpecParse, AcceptsUnlimitedMemoryAndPids) {
  auto s = parseSpec(config(
      R"("linux": {"resources": {"memory": {"limit": -1, "swap": -1}, "pids": {"limit": -1}}})"));
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ(s->linux->resources->memory->limit, -1);
  EXPECT_EQ(s->linux->resources->memory->swap, -1);
  EXPECT_EQ(s->linux->resources->pidsLimit, -1);
}

TEST(SpecParse, RejectsNegativeCpuShares) {
  EXPECT_THAT(parseError(config(R"("linux": {"resources": {"cpu": {"shares": -2}}})")),
              HasSubstr("linux.resources.cpu.shares: expected unsigned integer, got -2"));
}

TEST(SpecParse, RejectsMemoryLimitBeyondInt64) {
  EXPECT_THAT(
      parseError(config(R"("linux": {"resources": {"memory": {"limit": 18446744073709551615}}})")),
      HasSubstr("linux.resources.memory.limit: 18446744073709551615 is out of range"));
}

TEST(SpecParse, RejectsNonStringAnnotation) {
  EXPECT_THAT(parseError(config(R"("annotations": {"a": 1})")),
              HasSubstr("annotations.a: expected string, got 1"));
}

TEST(SpecParse, RejectsMountsThatAreNotAnArray) {
  EXPECT_THAT(parseError(config(R"("mounts": {"destination": "/x"})")),
              HasSubstr("mounts: expected array, got object"));
}

TEST(ProcessFromJson, ParsesAndValidatesAnExecProcess) {
  auto p = processFromJson(Json::parse(R"({"args": ["ls", "-l"], "cwd": "/tmp",
                                           "env": ["A=b"], "user": {"uid": 5}})"));
  ASSERT_TRUE(p) << p.error().what();
  EXPECT_THAT(p->args, ElementsAre("ls", "-l"));
  EXPECT_EQ(p->user.uid, 5u);
}

TEST(ProcessFromJson, RejectsProcessWithoutArgs) {
  auto p = processFromJson(Json::parse(R"({"cwd": "/"})"));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().what(), "invalid process: process.args must not be empty");
}

TEST(ResourcesFromJson, ParsesAnUpdateDocument) {
  auto r = resourcesFromJson(Json::parse(R"({"memory": {"limit": 1048576}, "pids": {"limit": 20},
                                             "cpu": {"quota": -1}})"));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->memory->limit, 1048576);
  EXPECT_EQ(r->pidsLimit, 20);
  EXPECT_EQ(r->cpu->quota, -1);
}

TEST(ResourcesFromJson, NamesTheBadField) {
  auto r = resourcesFromJson(Json::parse(R"({"memory": {"swappiness": -1}})"));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what(),
              HasSubstr("resources.memory.swappiness: expected unsigned integer"));
}

}  // namespace
}  // namespace berth::oci
