// runc's `runc spec` output (libcontainer/specconv Example and ToRootless), with berth's hostname.

#include "base/strings.h"
#include "oci/spec.h"

namespace berth::oci {

Spec defaultSpec() {
  Spec s;
  s.ociVersion = kSpecVersion;
  s.root = {.path = "rootfs", .readonly = true};

  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  p.noNewPrivileges = true;
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  p.capabilities = Capabilities{.bounding = caps, .effective = caps, .permitted = caps};
  p.rlimits = {{.type = "RLIMIT_NOFILE", .hard = 1024, .soft = 1024}};
  s.process = std::move(p);

  s.hostname = "berth";
  s.mounts = {
      {"/proc", "proc", "proc", {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };

  Linux l;
  l.resources = Resources{};
  l.resources->devices = {DeviceCgroupRule{.allow = false, .access = "rwm"}};
  for (NamespaceType t : {NamespaceType::Pid, NamespaceType::Network, NamespaceType::Ipc,
                          NamespaceType::Uts, NamespaceType::Mount, NamespaceType::Cgroup}) {
    l.namespaces.push_back({.type = t});
  }
  l.maskedPaths = {"/proc/acpi",
                   "/proc/asound",
                   "/proc/kcore",
                   "/proc/keys",
                   "/proc/latency_stats",
                   "/proc/timer_list",
                   "/proc/timer_stats",
                   "/proc/sched_debug",
                   "/sys/firmware",
                   "/proc/scsi",
                   "/sys/devices/virtual/powercap"};
  l.readonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  s.linux = std::move(l);
  return s;
}

Spec rootlessSpec(uint32_t uid, uint32_t gid) {
  Spec s = defaultSpec();
  Linux& l = *s.linux;
  std::vector<Namespace> namespaces;
  for (const auto& ns : l.namespaces) {
    // An unprivileged user cannot configure a network namespace (no veth), so share the host's.
    if (ns.type != NamespaceType::Network && ns.type != NamespaceType::User)
      namespaces.push_back(ns);
  }
  namespaces.push_back({.type = NamespaceType::User});
  l.namespaces = std::move(namespaces);
  l.uidMappings = {{.containerID = 0, .hostID = uid, .size = 1}};
  l.gidMappings = {{.containerID = 0, .hostID = gid, .size = 1}};

  std::vector<Mount> mounts;
  for (auto& m : s.mounts) {
    // sysfs cannot be mounted without owning the network namespace: bind the host's instead.
    if (m.destination == "/sys") {
      mounts.push_back({"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}});
      continue;
    }
    // The host's cgroup tree comes in with the /sys rbind; a cgroup mount needs privileges.
    if (m.destination == "/sys/fs/cgroup") continue;
    // Only one uid and gid are mapped, so uid=/gid= options (devpts gid=5) would fail.
    std::vector<std::string> options;
    for (auto& o : m.options) {
      if (!startsWith(o, "uid=") && !startsWith(o, "gid=")) options.push_back(std::move(o));
    }
    m.options = std::move(options);
    mounts.push_back(std::move(m));
  }
  s.mounts = std::move(mounts);
  // Rootless cgroups need delegation the caller may not have.
  l.resources.reset();
  return s;
}

}  // namespace berth::oci
