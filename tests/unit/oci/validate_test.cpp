#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oci/spec.h"

namespace berth::oci {
namespace {

using ::testing::HasSubstr;

Spec validSpec() {
  Spec s;
  s.ociVersion = "1.0.2";
  s.root.path = "rootfs";
  s.process = Process{};
  s.process->args = {"sh"};
  s.linux = Linux{};
  s.linux->namespaces = {{NamespaceType::Pid, ""},
                         {NamespaceType::Mount, ""},
                         {NamespaceType::Uts, ""},
                         {NamespaceType::Ipc, ""},
                         {NamespaceType::Network, ""}};
  return s;
}

std::string errorOf(const Spec& s) {
  Status st = validateSpec(s);
  if (st) return "<valid>";
  EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument);
  return st.error().what();
}

TEST(ValidateSpec, AcceptsAValidSpec) {
  EXPECT_EQ(errorOf(validSpec()), "<valid>");
}

TEST(ValidateSpec, RequiresOciVersion1) {
  Spec s = validSpec();
  s.ociVersion = "";
  EXPECT_EQ(errorOf(s), "ociVersion is required");
  s.ociVersion = "0.6.0";
  EXPECT_THAT(errorOf(s), HasSubstr("ociVersion \"0.6.0\": unsupported, want 1.x"));
}

TEST(ValidateSpec, RequiresRootPath) {
  Spec s = validSpec();
  s.root.path.clear();
  EXPECT_EQ(errorOf(s), "root.path is required");
}

TEST(ValidateSpec, RequiresProcess) {
  Spec s = validSpec();
  s.process.reset();
  EXPECT_EQ(errorOf(s), "process is required");
}

TEST(ValidateSpec, RequiresProcessArgs) {
  Spec s = validSpec();
  s.process->args.clear();
  EXPECT_EQ(errorOf(s), "process.args must not be empty");
}

TEST(ValidateSpec, RequiresAbsoluteCwd) {
  Spec s = validSpec();
  s.process->cwd = "home";
  EXPECT_EQ(errorOf(s), "process.cwd \"home\": must be an absolute path");
  s.process->cwd = "";
  EXPECT_THAT(errorOf(s), HasSubstr("process.cwd \"\": must be an absolute path"));
}

TEST(ValidateSpec, RejectsDuplicateNamespace) {
  Spec s = validSpec();
  s.linux->namespaces.push_back({NamespaceType::Pid, "/proc/1/ns/pid"});
  EXPECT_EQ(errorOf(s), "linux.namespaces[5]: duplicate namespace \"pid\"");
}

TEST(ValidateSpec, RejectsRelativeNamespacePath) {
  Spec s = validSpec();
  s.linux->namespaces[4].path = "netns";
  EXPECT_THAT(errorOf(s),
              HasSubstr("linux.namespaces[4].path \"netns\": must be an absolute path"));
}

TEST(ValidateSpec, RejectsNewUserNamespaceWithoutUidMappings) {
  Spec s = validSpec();
  s.linux->namespaces.push_back({NamespaceType::User, ""});
  EXPECT_EQ(errorOf(s), "user namespaces enabled, but no uid mappings found");
}

TEST(ValidateSpec, RejectsNewUserNamespaceWithoutGidMappings) {
  Spec s = validSpec();
  s.linux->namespaces.push_back({NamespaceType::User, ""});
  s.linux->uidMappings = {{0, 1000, 1}};
  EXPECT_EQ(errorOf(s), "user namespaces enabled, but no gid mappings found");
  s.linux->gidMappings = {{0, 1000, 1}};
  EXPECT_EQ(errorOf(s), "<valid>");
}

TEST(ValidateSpec, AcceptsJoinedUserNamespaceWithoutMappings) {
  Spec s = validSpec();
  s.linux->namespaces.push_back({NamespaceType::User, "/proc/42/ns/user"});
  EXPECT_EQ(errorOf(s), "<valid>");
}

TEST(ValidateSpec, RejectsMappingsWithoutUserNamespace) {
  Spec s = validSpec();
  s.linux->uidMappings = {{0, 1000, 1}};
  EXPECT_THAT(errorOf(s), HasSubstr("user namespace isn't enabled in the config"));
}

TEST(ValidateSpec, RejectsEmptyIdMapping) {
  Spec s = validSpec();
  s.linux->namespaces.push_back({NamespaceType::User, ""});
  s.linux->uidMappings = {{0, 1000, 1}};
  s.linux->gidMappings = {{0, 1000, 1}, {1, 2000, 0}};
  EXPECT_EQ(errorOf(s), "linux.gidMappings[1].size: must be greater than zero");
}

TEST(ValidateSpec, RejectsRelativeMountDestination) {
  Spec s = validSpec();
  s.mounts = {{"/proc", "proc", "proc", {}}, {"data", "bind", "/srv", {"rbind"}}};
  EXPECT_EQ(errorOf(s), "mounts[1].destination \"data\": must be an absolute path");
}

TEST(ValidateSpec, RejectsMountDestinationThatEscapesTheRootfs) {
  Spec s = validSpec();
  s.mounts = {{"/a", "tmpfs", "tmpfs", {}},
              {"/b", "tmpfs", "tmpfs", {}},
              {"/c", "tmpfs", "tmpfs", {}},
              {"/../etc", "bind", "/etc", {"bind"}}};
  EXPECT_EQ(errorOf(s), "mounts[3].destination \"/../etc\": path escapes the rootfs");
  s.mounts[3].destination = "/usr/../../etc";
  EXPECT_THAT(errorOf(s), HasSubstr("path escapes the rootfs"));
}

TEST(ValidateSpec, AcceptsMountDestinationWithDotDotInside) {
  Spec s = validSpec();
  s.mounts = {{"/usr/lib/../share//x/.", "tmpfs", "tmpfs", {}}};
  EXPECT_EQ(errorOf(s), "<valid>");
}

TEST(ValidateSpec, RejectsMissingMountDestination) {
  Spec s = validSpec();
  s.mounts = {{"", "tmpfs", "tmpfs", {}}};
  EXPECT_EQ(errorOf(s), "mounts[0].destination is required");
}

TEST(ValidateSpec, RejectsUnknownCapability) {
  Spec s = validSpec();
  s.process->capabilities = Capabilities{};
  s.process->capabilities->permitted = {"CAP_CHOWN", "CAP_FLY"};
  EXPECT_EQ(errorOf(s), "process.capabilities.permitted[1]: unknown capability \"CAP_FLY\"");
}

TEST(ValidateSpec, RejectsUnknownRlimit) {
  Spec s = validSpec();
  s.process->rlimits = {{"RLIMIT_NOFILE", 10, 10}, {"RLIMIT_FOO", 1, 1}};
  EXPECT_EQ(errorOf(s), "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
}

TEST(ValidateSpec, RejectsSoftRlimitAboveHard) {
  Spec s = validSpec();
  s.process->rlimits = {{"RLIMIT_NOFILE", 1024, 2048}};
  EXPECT_THAT(errorOf(s), HasSubstr("process.rlimits[0]: RLIMIT_NOFILE soft limit 2048 is greater "
                                    "than hard limit 1024"));
}

TEST(ValidateSpec, RejectsDuplicateRlimit) {
  Spec s = validSpec();
  s.process->rlimits = {{"RLIMIT_CORE", 0, 0}, {"RLIMIT_CORE", 1, 1}};
  EXPECT_THAT(errorOf(s), HasSubstr("process.rlimits[1]: duplicate rlimit \"RLIMIT_CORE\""));
}

TEST(ValidateSpec, RejectsOomScoreAdjOutOfRange) {
  Spec s = validSpec();
  s.process->oomScoreAdj = 1001;
  EXPECT_THAT(errorOf(s), HasSubstr("process.oomScoreAdj: 1001 is out of range -1000..1000"));
  s.process->oomScoreAdj = -1000;
  EXPECT_EQ(errorOf(s), "<valid>");
}

TEST(ValidateSpec, RejectsRelativeHookPath) {
  Spec s = validSpec();
  s.hooks.poststop = {Hook{.path = "/bin/ok"}, Hook{.path = "cleanup.sh"}};
  EXPECT_EQ(errorOf(s), "hooks.poststop[1].path \"cleanup.sh\": must be an absolute path");
}

TEST(ValidateSpec, RejectsNonPositiveHookTimeout) {
  Spec s = validSpec();
  s.hooks.prestart = {Hook{.path = "/bin/hook", .timeout = 0}};
  EXPECT_THAT(errorOf(s), HasSubstr("hooks.prestart[0].timeout: must be greater than zero"));
}

TEST(ValidateSpec, RejectsUnknownDeviceType) {
  Spec s = validSpec();
  s.linux->devices = {Device{.path = "/dev/fuse", .type = "x", .major = 10, .minor = 229}};
  EXPECT_EQ(errorOf(s), "linux.devices[0].type \"x\": must be one of c, b, u, p");
}

TEST(ValidateSpec, RejectsRelativeDevicePath) {
  Spec s = validSpec();
  s.linux->devices = {Device{.path = "dev/fuse", .type = "c", .major = 10, .minor = 229}};
  EXPECT_EQ(errorOf(s), "linux.devices[0].path \"dev/fuse\": must be an absolute path");
}

TEST(ValidateSpec, RejectsUnknownRootfsPropagation) {
  Spec s = validSpec();
  s.linux->rootfsPropagation = "rsharedd";
  EXPECT_THAT(errorOf(s), HasSubstr("linux.rootfsPropagation \"rsharedd\": must be one of"));
  for (const char* ok : {"", "private", "rprivate", "slave", "rslave", "shared", "rshared",
                         "unbindable", "runbindable"}) {
    s.linux->rootfsPropagation = ok;
    EXPECT_EQ(errorOf(s), "<valid>") << ok;
  }
}

TEST(ValidateSpec, RejectsHostnameWithoutUtsNamespace) {
  Spec s = validSpec();
  s.hostname = "box";
  EXPECT_EQ(errorOf(s), "<valid>");
  s.linux->namespaces.erase(s.linux->namespaces.begin() + 2);  // uts
  EXPECT_EQ(errorOf(s), "unable to set hostname without a private UTS namespace");
}

TEST(ValidateSpec, RejectsDomainnameWithoutUtsNamespace) {
  Spec s = validSpec();
  s.linux.reset();
  s.domainname = "example.org";
  EXPECT_EQ(errorOf(s), "unable to set domainname without a private UTS namespace");
}

TEST(ValidateSpec, RejectsIpcSysctlWithoutIpcNamespace) {
  Spec s = validSpec();
  s.linux->sysctl = {{"kernel.shmmax", "1"}, {"fs.mqueue.msg_max", "10"}};
  EXPECT_EQ(errorOf(s), "<valid>");
  s.linux->namespaces.erase(s.linux->namespaces.begin() + 3);  // ipc
  EXPECT_THAT(errorOf(s), HasSubstr("not allowed in the hosts ipc namespace"));
}

TEST(ValidateSpec, RejectsNetSysctlWithoutNetworkNamespace) {
  Spec s = validSpec();
  s.linux->sysctl = {{"net.ipv4.ip_forward", "1"}};
  EXPECT_EQ(errorOf(s), "<valid>");
  s.linux->namespaces.pop_back();  // network
  EXPECT_THAT(errorOf(s), HasSubstr("sysctl \"net.ipv4.ip_forward\" not allowed in host network"));
}

TEST(ValidateSpec, RejectsHostSysctl) {
  Spec s = validSpec();
  s.linux->sysctl = {{"vm.swappiness", "10"}};
  EXPECT_THAT(errorOf(s),
              HasSubstr("sysctl \"vm.swappiness\" is not in a separate kernel namespace"));
}

TEST(ValidateSpec, RejectsHostnameSysctl) {
  Spec s = validSpec();
  s.linux->sysctl = {{"kernel.hostname", "x"}};
  EXPECT_THAT(errorOf(s), HasSubstr("conflicts with the OCI \"hostname\" field"));
  s.linux->sysctl = {{"kernel.domainname", "x"}};
  EXPECT_EQ(errorOf(s), "<valid>");
}

TEST(ValidateSpec, RejectsSysctlKeyThatClimbsOut) {
  Spec s = validSpec();
  s.linux->sysctl = {{"net/../../kernel/core_pattern", "x"}};
  EXPECT_THAT(errorOf(s), HasSubstr("invalid key"));
}

TEST(ValidateSpec, RejectsSwapBelowMemoryLimit) {
  Spec s = validSpec();
  s.linux->resources = Resources{};
  s.linux->resources->memory = MemoryResources{.limit = 2000, .swap = 1000};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.resources.memory.swap: memory+swap limit 1000 should be "
                                    "greater than or equal to memory limit 2000"));
  s.linux->resources->memory->swap = -1;
  EXPECT_EQ(errorOf(s), "<valid>");
  s.linux->resources->memory->swap = 2000;
  EXPECT_EQ(errorOf(s), "<valid>");
}

TEST(ValidateSpec, RejectsMemoryLimitBelowMinusOne) {
  Spec s = validSpec();
  s.linux->resources = Resources{};
  s.linux->resources->memory = MemoryResources{.limit = -2};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.resources.memory.limit: -2 is invalid"));
}

TEST(ValidateSpec, RejectsSwappinessAbove100) {
  Spec s = validSpec();
  s.linux->resources = Resources{};
  s.linux->resources->memory = MemoryResources{.swappiness = 101};
  EXPECT_THAT(errorOf(s), HasSubstr("valid range is 0-100"));
}

TEST(ValidateSpec, RejectsBadDeviceCgroupRule) {
  Spec s = validSpec();
  s.linux->resources = Resources{};
  s.linux->resources->devices = {DeviceCgroupRule{.type = "p"}};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.resources.devices[0].type \"p\""));
  s.linux->resources->devices = {DeviceCgroupRule{.access = "rwx"}};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.resources.devices[0].access \"rwx\""));
}

TEST(ValidateSpec, RejectsPidsLimitBelowMinusOne) {
  Spec s = validSpec();
  s.linux->resources = Resources{.pidsLimit = -5};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.resources.pids.limit: -5 is invalid"));
}

TEST(ValidateSpec, RejectsRelativeMaskedPath) {
  Spec s = validSpec();
  s.linux->maskedPaths = {"/proc/kcore", "proc/keys"};
  EXPECT_THAT(errorOf(s),
              HasSubstr("linux.maskedPaths[1] \"proc/keys\": must be an absolute path"));
  s.linux->maskedPaths.clear();
  s.linux->readonlyPaths = {"sys"};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.readonlyPaths[0] \"sys\""));
}

TEST(ValidateSpec, RejectsSeccompRuleWithoutNames) {
  Spec s = validSpec();
  s.linux->seccomp = Seccomp{};
  s.linux->seccomp->syscalls = {SeccompSyscall{}};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.seccomp.syscalls[0].names: must not be empty"));
}

TEST(ValidateSpec, RejectsSeccompArgumentIndexAbove5) {
  Spec s = validSpec();
  s.linux->seccomp = Seccomp{};
  s.linux->seccomp->syscalls = {
      SeccompSyscall{.names = {"kill"}, .args = {SeccompArg{.index = 6}}}};
  EXPECT_THAT(errorOf(s), HasSubstr("linux.seccomp.syscalls[0].args[0].index: 6 is out of range"));
}

TEST(ValidateSpec, ParseReportsValidationErrorsAsInvalidConfig) {
  auto s = parseSpec(R"({"ociVersion": "1.0.0", "root": {"path": "r"},
                         "process": {"args": ["sh"]}, "hostname": "x"})");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().what(),
            "invalid config: unable to set hostname without a private UTS namespace");
}

}  // namespace
}  // namespace berth::oci
