#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "base/file.h"
#include "commands.h"
#include "oci/capabilities.h"

namespace berth::tool {
namespace {

Json features() {
  Json linux = {
      {"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time"}},
      {"capabilities", oci::allCapabilityNames()},
      {"cgroup",
       {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}}},
      {"seccomp",
       {{"enabled", true},
        {"actions",
         {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
          "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
          "SCMP_ACT_TRAP"}},
        {"operators",
         {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
          "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"}},
        {"archs",
         {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
          "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
          "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
          "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"}},
        {"knownFlags",
         {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
          "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}},
        {"supportedFlags",
         {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
          "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}}}},
      {"apparmor", {{"enabled", false}}},
      {"selinux", {{"enabled", false}}},
      {"intelRdt", {{"enabled", false}}},
      {"mountExtensions", {{"idmap", {{"enabled", false}}}}}};
  return Json{
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", oci::kSpecVersion},
      {"hooks",
       {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions",
       {"async",     "atime",  "bind",        "defaults",      "dev",         "diratime",
        "dirsync",   "exec",   "mand",        "noatime",       "nodev",       "nodiratime",
        "noexec",    "nomand", "norelatime",  "nostrictatime", "nosuid",      "nosymfollow",
        "private",   "ratime", "rbind",       "relatime",      "remount",     "ro",
        "rprivate",  "rro",    "rshared",     "rslave",        "runbindable", "rw",
        "shared",    "slave",  "strictatime", "suid",          "sync",        "tmpcopyup",
        "unbindable"}},
      {"linux", linux},
      {"annotations",
       {{"org.opencontainers.runc.version", std::string("berth-") + BERTH_VERSION}}}};
}

}  // namespace

void registerSpec(CLI::App& app, Context& ctx) {
  static bool rootless = false;
  static std::string bundle = ".";
  auto* s = app.add_subcommand("spec", "write a default config.json");
  s->add_flag("--rootless", rootless, "a spec for a rootless container");
  s->add_option("-b,--bundle", bundle, "where to write config.json");
  s->callback([&] {
    ctx.action = [&]() -> Result<int> {
      std::string path = bundle + "/config.json";
      if (::access(path.c_str(), F_OK) == 0) {
        return Error(ErrorKind::AlreadyExists, "File " + path + " exists. Remove it first");
      }
      oci::Spec spec = rootless ? oci::rootlessSpec(::getuid(), ::getgid()) : oci::defaultSpec();
      TRY(writeFileAtomic(path, dumpJson(oci::specToJson(spec), 2) + "\n", 0644));
      return 0;
    };
  });
  auto* f = app.add_subcommand("features", "print what this runtime supports (JSON)");
  f->callback([&] {
    ctx.action = [&]() -> Result<int> {
      std::printf("%s\n", dumpJson(features(), 2).c_str());
      return 0;
    };
  });
}

}  // namespace berth::tool
