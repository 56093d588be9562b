// What runc's config validator and specconv reject, checked without touching the filesystem.
// Messages name the field path; where runc has a well-known message we keep its wording so
// users can search for it.

#include <set>

#include "base/strings.h"
#include "oci/capabilities.h"
#include "oci/mount_options.h"
#include "oci/spec.h"

namespace berth::oci {
namespace {

Status checkAbsolute(const std::string& path, const std::string& field) {
  if (path.empty()) return Error::invalid("{} is required", field);
  if (path.front() != '/')
    return Error::invalid("{} \"{}\": must be an absolute path", field, path);
  return ok();
}

// Absolute, and no ".." climbing above "/" (resolved inside the rootfs later).
Status checkContainerPath(const std::string& path, const std::string& field) {
  TRY(checkAbsolute(path, field));
  if (!cleanPath(path)) return Error::invalid("{} \"{}\": path escapes the rootfs", field, path);
  return ok();
}

Status checkCapabilityList(const std::vector<std::string>& caps, const std::string& field) {
  for (size_t i = 0; i < caps.size(); ++i) {
    TRY_CTX(capabilityFromName(caps[i]), "{}[{}]", field, i);
  }
  return ok();
}

Status checkCapabilities(const Capabilities& c) {
  TRY(checkCapabilityList(c.bounding, "process.capabilities.bounding"));
  TRY(checkCapabilityList(c.effective, "process.capabilities.effective"));
  TRY(checkCapabilityList(c.inheritable, "process.capabilities.inheritable"));
  TRY(checkCapabilityList(c.permitted, "process.capabilities.permitted"));
  TRY(checkCapabilityList(c.ambient, "process.capabilities.ambient"));
  return ok();
}

Status checkRlimits(const std::vector<Rlimit>& rlimits) {
  std::set<std::string> seen;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const Rlimit& r = rlimits[i];
    TRY_CTX(rlimitFromName(r.type), "process.rlimits[{}].type", i);
    if (!seen.insert(r.type).second) {
      return Error::invalid("process.rlimits[{}]: duplicate rlimit \"{}\"", i, r.type);
    }
    if (r.soft > r.hard) {
      return Error::invalid("process.rlimits[{}]: {} soft limit {} is greater than hard limit {}",
                            i, r.type, r.soft, r.hard);
    }
  }
  return ok();
}

Status checkHooks(const std::vector<Hook>& hooks, const char* stage) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    std::string field = fmt::format("hooks.{}[{}]", stage, i);
    TRY(checkAbsolute(hooks[i].path, field + ".path"));
    if (hooks[i].timeout && *hooks[i].timeout <= 0) {
      return Error::invalid("{}.timeout: must be greater than zero, got {}", field,
                            *hooks[i].timeout);
    }
  }
  return ok();
}

Status checkAllHooks(const Hooks& h) {
  TRY(checkHooks(h.prestart, "prestart"));
  TRY(checkHooks(h.createRuntime, "createRuntime"));
  TRY(checkHooks(h.createContainer, "createContainer"));
  TRY(checkHooks(h.startContainer, "startContainer"));
  TRY(checkHooks(h.poststart, "poststart"));
  TRY(checkHooks(h.poststop, "poststop"));
  return ok();
}

Status checkMounts(const std::vector<Mount>& mounts) {
  for (size_t i = 0; i < mounts.size(); ++i) {
    TRY(checkContainerPath(mounts[i].destination, fmt::format("mounts[{}].destination", i)));
  }
  return ok();
}

Status checkNamespaces(const Linux& l) {
  std::set<NamespaceType> seen;
  for (size_t i = 0; i < l.namespaces.size(); ++i) {
    const Namespace& ns = l.namespaces[i];
    if (!seen.insert(ns.type).second) {
      return Error::invalid("linux.namespaces[{}]: duplicate namespace \"{}\"", i,
                            namespaceTypeName(ns.type));
    }
    if (!ns.path.empty() && ns.path.front() != '/') {
      return Error::invalid("linux.namespaces[{}].path \"{}\": must be an absolute path", i,
                            ns.path);
    }
  }
  const Namespace* user = l.findNamespace(NamespaceType::User);
  if (user == nullptr) {
    if (!l.uidMappings.empty() || !l.gidMappings.empty()) {
      return Error::invalid(
          "user namespace mappings specified, but user namespace isn't enabled in the config");
    }
  } else if (user->path.empty()) {
    // Joining an existing user namespace may carry mappings (runc caches them); a new one
    // cannot work without them.
    if (l.uidMappings.empty())
      return Error::invalid("user namespaces enabled, but no uid mappings found");
    if (l.gidMappings.empty())
      return Error::invalid("user namespaces enabled, but no gid mappings found");
  }
  auto checkMappings = [](const std::vector<IdMapping>& maps, const char* field) -> Status {
    for (size_t i = 0; i < maps.size(); ++i) {
      if (maps[i].size == 0) {
        return Error::invalid("linux.{}[{}].size: must be greater than zero", field, i);
      }
    }
    return ok();
  };
  TRY(checkMappings(l.uidMappings, "uidMappings"));
  TRY(checkMappings(l.gidMappings, "gidMappings"));
  return ok();
}

Status checkDevices(const std::vector<Device>& devices) {
  for (size_t i = 0; i < devices.size(); ++i) {
    const Device& d = devices[i];
    std::string field = fmt::format("linux.devices[{}]", i);
    TRY(checkContainerPath(d.path, field + ".path"));
    if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p") {
      return Error::invalid("{}.type \"{}\": must be one of c, b, u, p", field, d.type);
    }
    if (d.major < 0 || d.minor < 0) {
      return Error::invalid("{}: major and minor must not be negative", field);
    }
  }
  return ok();
}

Status checkResources(const Resources& r) {
  for (size_t i = 0; i < r.devices.size(); ++i) {
    const DeviceCgroupRule& d = r.devices[i];
    std::string field = fmt::format("linux.resources.devices[{}]", i);
    if (d.type != "a" && d.type != "c" && d.type != "b") {
      return Error::invalid("{}.type \"{}\": must be one of a, c, b", field, d.type);
    }
    if (d.access.find_first_not_of("rwm") != std::string::npos) {
      return Error::invalid("{}.access \"{}\": may only contain r, w and m", field, d.access);
    }
  }
  if (r.memory) {
    const MemoryResources& m = *r.memory;
    auto checkLimit = [](const std::optional<int64_t>& v, const char* name) -> Status {
      if (v && *v < -1) {
        return Error::invalid("linux.resources.memory.{}: {} is invalid (use -1 for unlimited)",
                              name, *v);
      }
      return ok();
    };
    TRY(checkLimit(m.limit, "limit"));
    TRY(checkLimit(m.reservation, "reservation"));
    TRY(checkLimit(m.swap, "swap"));
    if (m.limit && m.swap && *m.swap != -1 && *m.limit > 0 && *m.swap < *m.limit) {
      return Error::invalid(
          "linux.resources.memory.swap: memory+swap limit {} should be greater than or equal to "
          "memory limit {}",
          *m.swap, *m.limit);
    }
    if (m.swappiness && *m.swappiness > 100) {
      return Error::invalid(
          "linux.resources.memory.swappiness: invalid value {}, valid range is 0-100",
          *m.swappiness);
    }
  }
  if (r.pidsLimit && *r.pidsLimit < -1) {
    return Error::invalid("linux.resources.pids.limit: {} is invalid (use -1 for unlimited)",
                          *r.pidsLimit);
  }
  return ok();
}

bool isIpcSysctl(const std::string& key) {
  static const std::set<std::string> kIpc = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  return kIpc.count(key) > 0 || startsWith(key, "fs.mqueue.");
}

// runc's sysctl rule: only keys that belong to a namespace the container has its own of.
Status checkSysctl(const Spec& s) {
  const Linux& l = *s.linux;
  for (const auto& [key, value] : l.sysctl) {
    for (const auto& part : split(key, '/')) {
      for (const auto& word : split(part, '.')) {
        if (word.empty() || word == "..") {
          return Error::invalid("linux.sysctl: invalid key \"{}\"", key);
        }
      }
    }
    if (isIpcSysctl(key)) {
      if (l.findNamespace(NamespaceType::Ipc)) continue;
      return Error::invalid("linux.sysctl: sysctl \"{}\" is not allowed in the hosts ipc namespace",
                            key);
    }
    if (startsWith(key, "net.") || startsWith(key, "net/")) {
      // A joined network namespace is accepted: whether it is the host's needs the filesystem.
      if (l.findNamespace(NamespaceType::Network)) continue;
      return Error::invalid("linux.sysctl: sysctl \"{}\" not allowed in host network namespace",
                            key);
    }
    if (l.findNamespace(NamespaceType::Uts)) {
      if (key == "kernel.domainname") continue;
      if (key == "kernel.hostname") {
        return Error::invalid(
            "linux.sysctl: sysctl \"{}\" is not allowed as it conflicts with the OCI \"hostname\" "
            "field",
            key);
      }
    }
    return Error::invalid("linux.sysctl: sysctl \"{}\" is not in a separate kernel namespace", key);
  }
  return ok();
}

Status checkLinux(const Spec& s) {
  const Linux& l = *s.linux;
  TRY(checkNamespaces(l));
  TRY(checkDevices(l.devices));
  if (l.resources) TRY(checkResources(*l.resources));
  if (propagationFlags(l.rootfsPropagation) < 0) {
    return Error::invalid(
        "linux.rootfsPropagation \"{}\": must be one of private, rprivate, slave, rslave, shared, "
        "rshared, unbindable, runbindable",
        l.rootfsPropagation);
  }
  for (size_t i = 0; i < l.maskedPaths.size(); ++i) {
    TRY(checkAbsolute(l.maskedPaths[i], fmt::format("linux.maskedPaths[{}]", i)));
  }
  for (size_t i = 0; i < l.readonlyPaths.size(); ++i) {
    TRY(checkAbsolute(l.readonlyPaths[i], fmt::format("linux.readonlyPaths[{}]", i)));
  }
  TRY(checkSysctl(s));
  if (l.seccomp) TRY(validateSeccomp(*l.seccomp));
  return ok();
}

}  // namespace

Status validateSeccomp(const Seccomp& s) {
  const auto& calls = s.syscalls;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].names.empty()) {
      return Error::invalid("linux.seccomp.syscalls[{}].names: must not be empty", i);
    }
    for (size_t k = 0; k < calls[i].args.size(); ++k) {
      // The kernel hands a filter six syscall arguments.
      if (calls[i].args[k].index > 5) {
        return Error::invalid("linux.seccomp.syscalls[{}].args[{}].index: {} is out of range 0-5",
                              i, k, calls[i].args[k].index);
      }
    }
  }
  return ok();
}

Status validateProcess(const Process& p) {
  if (p.args.empty()) return Error::invalid("process.args must not be empty");
  if (p.cwd.empty() || p.cwd.front() != '/') {
    return Error::invalid("process.cwd \"{}\": must be an absolute path", p.cwd);
  }
  if (p.capabilities) TRY(checkCapabilities(*p.capabilities));
  TRY(checkRlimits(p.rlimits));
  if (p.oomScoreAdj && (*p.oomScoreAdj < -1000 || *p.oomScoreAdj > 1000)) {
    return Error::invalid("process.oomScoreAdj: {} is out of range -1000..1000", *p.oomScoreAdj);
  }
  return ok();
}

Status validateSpec(const Spec& s) {
  if (s.ociVersion.empty()) return Error::invalid("ociVersion is required");
  if (!startsWith(s.ociVersion, "1.")) {
    return Error::invalid("ociVersion \"{}\": unsupported, want 1.x", s.ociVersion);
  }
  if (s.root.path.empty()) return Error::invalid("root.path is required");
  if (!s.process) return Error::invalid("process is required");
  TRY(validateProcess(*s.process));
  TRY(checkMounts(s.mounts));
  TRY(checkAllHooks(s.hooks));
  auto hasUts = [&] { return s.linux && s.linux->findNamespace(NamespaceType::Uts); };
  if (!s.hostname.empty() && !hasUts()) {
    return Error::invalid("unable to set hostname without a private UTS namespace");
  }
  if (!s.domainname.empty() && !hasUts()) {
    return Error::invalid("unable to set domainname without a private UTS namespace");
  }
  if (s.linux) TRY(checkLinux(s));
  return ok();
}

}  // namespace berth::oci
