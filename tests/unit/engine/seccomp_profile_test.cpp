// seccompFromProfile: Docker's format -> OCI linux.seccomp, with moby's include/exclude rules
// checked against the capabilities, architecture and kernel handed in; and the default profile.

#include "engine/seccomp_profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "oci/spec.h"

namespace berth::engine {
namespace {

const std::vector<std::string> kDockerCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

SeccompTarget target(std::vector<std::string> extraCaps = {}, std::string arch = "amd64",
                     unsigned kernel = 6, unsigned major = 1) {
  std::vector<std::string> caps = kDockerCaps;
  caps.insert(caps.end(), extraCaps.begin(), extraCaps.end());
  return {.caps = caps, .arch = std::move(arch), .kernel = kernel, .major = major};
}

Json convert(std::string_view text, const SeccompTarget& t) {
  auto r = seccompFromProfile(text, t);
  EXPECT_TRUE(r) << r.error().what();
  if (!r || !*r) return Json();
  return **r;
}

Json defaultFor(const SeccompTarget& t) {
  return convert(defaultSeccompProfile(), t);
}

// The rules that name `call`, in order.
std::vector<Json> rulesFor(const Json& section, const std::string& call) {
  std::vector<Json> out;
  for (const auto& r : section["syscalls"]) {
    for (const auto& n : r["names"]) {
      if (n == call) out.push_back(r);
    }
  }
  return out;
}

// Whether an unconditional SCMP_ACT_ALLOW rule names `call`.
bool allowed(const Json& section, const std::string& call) {
  for (const auto& r : rulesFor(section, call)) {
    if (r["action"] == "SCMP_ACT_ALLOW" && !r.contains("args")) return true;
  }
  return false;
}

TEST(SeccompDefaultProfile, DeniesWithEpermAndKeepsOnlyTheNativeArchitectures) {
  Json s = defaultFor(target());
  EXPECT_EQ(s["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(s["defaultErrnoRet"], 1);
  EXPECT_EQ(s["architectures"],
            Json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_EQ(defaultFor(target({}, "arm64"))["architectures"],
            Json::array({"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  EXPECT_FALSE(s.contains("archMap"));
  for (const auto& r : s["syscalls"]) {
    EXPECT_FALSE(r.contains("includes") || r.contains("excludes") || r.contains("comment"))
        << r.dump();
  }
  // What the runtime reads back is the whole section.
  Json spec = oci::specToJson(oci::defaultSpec());
  spec["linux"]["seccomp"] = s;
  auto parsed = oci::specFromJson(spec);
  ASSERT_TRUE(parsed) << parsed.error().what();
  ASSERT_TRUE(parsed->linux && parsed->linux->seccomp);
  EXPECT_EQ(parsed->linux->seccomp->defaultErrnoRet, 1u);
  EXPECT_GT(parsed->linux->seccomp->syscalls.size(), 30u);
}

TEST(SeccompDefaultProfile, DefaultCapabilities) {
  Json s = defaultFor(target());
  for (const char* call :
       {"read", "execve", "arch_prctl", "modify_ldt", "chroot", "ptrace", "process_vm_readv"})
    EXPECT_TRUE(allowed(s, call)) << call;
  // Admin calls need CAP_SYS_ADMIN; the rest of the capability-gated ones their own.
  for (const char* call : {"mount",
                           "umount2",
                           "unshare",
                           "setns",
                           "sethostname",
                           "bpf",
                           "perf_event_open",
                           "reboot",
                           "init_module",
                           "kcmp",
                           "acct",
                           "iopl",
                           "settimeofday",
                           "mbind",
                           "syslog",
                           "vhangup",
                           "open_by_handle_at",
                           "s390_runtime_instr",
                           "set_tls",
                           "swapon",
                           "keyctl",
                           "io_uring_setup"})
    EXPECT_TRUE(rulesFor(s, call).empty()) << call;
  // clone only without namespace flags; clone3 answers ENOSYS so that libcs fall back to clone.
  auto clone = rulesFor(s, "clone");
  ASSERT_EQ(clone.size(), 1u);
  EXPECT_EQ(clone[0]["args"], Json::parse(R"([{"index": 0, "value": 2114060288,
                                               "op": "SCMP_CMP_MASKED_EQ"}])"));
  auto clone3 = rulesFor(s, "clone3");
  ASSERT_EQ(clone3.size(), 1u);
  EXPECT_EQ(clone3[0]["action"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(clone3[0]["errnoRet"], 38);
  // personality and socket only with the listed arguments; AF_VSOCK (40) is not among them.
  EXPECT_EQ(rulesFor(s, "personality").size(), 5u);
  auto socket = rulesFor(s, "socket");
  EXPECT_EQ(socket.size(), 26u);
  for (const auto& r : socket) EXPECT_NE(r["args"][0]["value"], 40);
}

TEST(SeccompDefaultProfile, CapabilitiesOpenTheirCalls) {
  Json s = defaultFor(target({"CAP_SYS_ADMIN"}));
  for (const char* call :
       {"mount", "umount2", "unshare", "setns", "sethostname", "bpf", "clone", "clone3"})
    EXPECT_TRUE(allowed(s, call)) << call;
  // With CAP_SYS_ADMIN neither clone's filter nor clone3's ENOSYS remains.
  EXPECT_EQ(rulesFor(s, "clone").size(), 1u);
  EXPECT_EQ(rulesFor(s, "clone3").size(), 1u);
  EXPECT_FALSE(allowed(s, "reboot"));

  Json p = defaultFor(target({"CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_SYS_TIME"}));
  for (const char* call : {"kcmp", "pidfd_getfd", "reboot", "settimeofday", "clock_settime"})
    EXPECT_TRUE(allowed(p, call)) << call;
  EXPECT_FALSE(allowed(p, "mount"));

  // --cap-drop SYS_CHROOT takes chroot away.
  SeccompTarget noChroot = target();
  std::erase(noChroot.caps, "CAP_SYS_CHROOT");
  EXPECT_FALSE(allowed(defaultFor(noChroot), "chroot"));
}

TEST(SeccompDefaultProfile, MinKernelAndArchitecture) {
  // ptrace comes with kernel 4.8 (before it, a filter could be bypassed through ptrace).
  EXPECT_TRUE(allowed(defaultFor(target({}, "amd64", 4, 8)), "ptrace"));
  EXPECT_TRUE(allowed(defaultFor(target({}, "amd64", 5, 0)), "ptrace"));
  EXPECT_FALSE(allowed(defaultFor(target({}, "amd64", 4, 7)), "ptrace"));
  EXPECT_FALSE(allowed(defaultFor(target({}, "amd64", 3, 10)), "ptrace"));
  // Per-architecture calls and s390's argument order for clone.
  Json arm = defaultFor(target({}, "arm64"));
  EXPECT_TRUE(allowed(arm, "set_tls"));
  EXPECT_FALSE(allowed(arm, "arch_prctl"));
  Json s390 = defaultFor(target({}, "s390x"));
  EXPECT_EQ(s390["architectures"], Json::array({"SCMP_ARCH_S390X", "SCMP_ARCH_S390"}));
  auto clone = rulesFor(s390, "clone");
  ASSERT_EQ(clone.size(), 1u);
  EXPECT_EQ(clone[0]["args"][0]["index"], 1);
}

TEST(SeccompProfile, UserProfilesGetTheSameRules) {
  const char* text = R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [
      {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
       "excludes": {"caps": ["CAP_SYS_ADMIN"]}, "comment": "legacy single name"},
      {"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_NET_ADMIN"]}},
      {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "99.0"}},
      {"names": ["chown"], "action": "SCMP_ACT_ERRNO", "excludes": {"minKernel": "3.10"}},
      {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": null}
    ]
  })";
  Json s = convert(text, target());
  EXPECT_EQ(s["architectures"], Json::array({"SCMP_ARCH_X86_64"}));
  ASSERT_EQ(s["syscalls"].size(), 2u) << s.dump();
  EXPECT_EQ(s["syscalls"][0],
            Json::parse(R"({"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13})"));
  EXPECT_EQ(s["syscalls"][1], Json::parse(R"({"names": ["getpid"], "action": "SCMP_ACT_ERRNO"})"));

  Json admin = convert(text, target({"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}));
  ASSERT_EQ(admin["syscalls"].size(), 2u) << admin.dump();
  EXPECT_EQ(admin["syscalls"][0]["names"], Json::array({"mkdirat"}));
}

TEST(SeccompProfile, AnEmptyProfileTurnsSeccompOff) {
  auto r = seccompFromProfile("{}", target());
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_FALSE(r->has_value());
  r = seccompFromProfile(R"({"defaultAction": "", "syscalls": []})", target());
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_FALSE(r->has_value());
}

TEST(SeccompProfile, BadProfilesAreRefused) {
  auto refused = [](std::string_view text, std::string_view want) {
    auto r = seccompFromProfile(text, target());
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(r.error().what().find(want), std::string::npos) << r.error().what();
  };
  refused("not json", "seccomp profile");
  refused("[]", "must be a JSON object");
  refused(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
              "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})",
          "both 'architectures' and 'archMap'");
  refused(R"({"defaultAction": "SCMP_ACT_ALLOW",
              "syscalls": [{"name": "a", "names": ["b"], "action": "SCMP_ACT_ERRNO"}]})",
          "both 'name' and 'names'");
  for (const char* v : {"\"4\"", "\"4.8.1\"", "\"0.0\"", "\"x.1\"", "\"256.1\"", "48"}) {
    refused(fmt::format(R"({{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{{"names": ["a"],
                           "action": "SCMP_ACT_ERRNO", "includes": {{"minKernel": {}}}}}]}})",
                        v),
            "invalid kernel version");
  }
  refused(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "a"}]})",
          "syscalls[0].names must be a list of syscall names");
  refused(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"],
              "includes": {"caps": "CAP_SYS_ADMIN"}}]})",
          "syscalls[0].includes.caps must be a list of strings");
}

TEST(SeccompProfile, HostTarget) {
  SeccompTarget t = hostSeccompTarget({"CAP_KILL"});
  EXPECT_EQ(t.caps, std::vector<std::string>{"CAP_KILL"});
  EXPECT_FALSE(t.arch.empty());
  EXPECT_GE(t.kernel, 3u);
}

}  // namespace
}  // namespace berth::engine
