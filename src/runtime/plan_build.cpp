#include "runtime/plan.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "base/file.h"
#include "base/strings.h"
#include "oci/capabilities.h"
#include "oci/mount_options.h"
#include "runtime/rootfs/path_resolve.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

struct DefaultDevice {
  const char* path;
  unsigned major, minor;
};
constexpr DefaultDevice kDefaultDevices[] = {{"/dev/null", 1, 3},    {"/dev/zero", 1, 5},
                                             {"/dev/full", 1, 7},    {"/dev/random", 1, 8},
                                             {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};

bool isBind(const oci::Mount& m, const oci::MountOptions& o) {
  return o.bind || m.type == "bind";
}

Status addCgroupMount(InitPlan& plan, const std::string& dest, const oci::MountOptions& o,
                      const PlanOptions& opts, bool newCgroupNs) {
  if (!opts.cgroupLayout) return Error::internal("cgroup mount without a cgroup layout");
  size_t first = plan.mounts.size();
  auto markFirst = [&] {
    if (plan.mounts.size() > first) plan.mounts[first].needsCgroup = true;
    for (size_t i = first; i < plan.mounts.size(); ++i) plan.mounts[i].cgroupMount = true;
  };
  const auto& layout = *opts.cgroupLayout;
  unsigned long flags = (o.flags & ~(MS_BIND | MS_REC)) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  auto bindFrom = [&](const std::string& hostDir, const std::string& target) {
    MountStep s{MountStep::Kind::Bind};
    s.source = hostDir;
    s.target = target;
    s.flags = MS_BIND | MS_REC;
    s.remountFlags = MS_BIND | MS_REMOUNT | flags;
    plan.mounts.push_back(std::move(s));
  };
  if (layout.mode == cgroups::Mode::V2) {
    const auto* h = layout.unifiedHierarchy();
    if (!h) return Error::internal("cgroup v2 host without a cgroup2 mount");
    if (newCgroupNs) {
      plan.mounts.push_back(
          MountStep{MountStep::Kind::Mount, "cgroup2", dest, "cgroup2", "", flags});
    } else {
      bindFrom(h->mountpoint + opts.cgroupPath, dest);
    }
    markFirst();
    return ok();
  }
  // v1 and hybrid: a tmpfs holding one directory per hierarchy, as docker and runc lay it out.
  plan.mounts.push_back(MountStep{MountStep::Kind::Mount, "tmpfs", dest, "tmpfs", "mode=755",
                                  MS_NOSUID | MS_NODEV | MS_NOEXEC});
  for (const auto& h : layout.hierarchies) {
    std::string base = h.mountpoint.substr(h.mountpoint.rfind('/') + 1);
    std::string target = dest + "/" + base;
    plan.mounts.push_back(
        MountStep{MountStep::Kind::Mkdir, "", target, "", "", 0, 0, 0, false, 0755});
    if (newCgroupNs) {
      std::string data =
          h.unified ? "" : (h.name.empty() ? join(h.controllers, ",") : "none,name=" + h.name);
      plan.mounts.push_back(MountStep{MountStep::Kind::Mount, h.unified ? "cgroup2" : "cgroup",
                                      target, h.unified ? "cgroup2" : "cgroup", data, flags});
    } else {
      bindFrom(h.mountpoint + opts.cgroupPath, target);
    }
    if (h.controllers.size() > 1) {
      for (const auto& c : h.controllers) {
        if (c == base) continue;
        plan.mounts.push_back(MountStep{MountStep::Kind::Symlink, base, dest + "/" + c});
      }
    }
  }
  if (o.flags & MS_RDONLY) {
    plan.mounts.push_back(MountStep{MountStep::Kind::Mount, "", dest, "", "mode=755",
                                    MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC});
  }
  markFirst();
  return ok();
}

std::string homeFromPasswd(const std::string& rootfs, uid_t uid) {
  auto text = readFile(rootfs + "/etc/passwd");
  if (!text) return "/";
  for (const auto& line : split(*text, '\n', true)) {
    auto f = split(line, ':');
    if (f.size() >= 6 && f[2] == std::to_string(uid)) return f[5];
  }
  return "/";
}

bool hasCapSysResource() {
  sys::CapSets s;
  if (sys::capgetRaw(s) != 0) return false;
  return s.effective & (1ULL << 24);  // CAP_SYS_RESOURCE
}

Result<uint64_t> capMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  int last = sys::lastCap();
  for (const auto& n : names) {
    int cap = TRY(oci::capabilityFromName(n));
    // A capability this kernel does not know cannot be granted; runc skips it with a warning.
    if (cap > last) {
      spdlog::warn("capability {} is not supported by this kernel; ignored", n);
      continue;
    }
    mask |= 1ULL << cap;
  }
  return mask;
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

bool canDeferCgroupMounts(const InitPlan& plan, const oci::Spec& spec) {
  if (!spec.hooks.prestart.empty() || !spec.hooks.createRuntime.empty() ||
      !spec.hooks.createContainer.empty()) {
    return false;
  }
  std::vector<std::string> dests;
  bool seen = false;
  for (const auto& s : plan.mounts) {
    if (s.cgroupMount) {
      // Host paths are out of reach after pivot_root.
      if (s.kind == MountStep::Kind::Bind) return false;
      if (s.needsCgroup) dests.push_back(s.target);
      seen = true;
      continue;
    }
    for (const auto& d : dests) {
      if (seen && (under(s.target, d) || under(d, s.target))) return false;
    }
  }
  for (const auto& d : dests) {
    for (const auto& p : plan.maskedPaths)
      if (under(p, d) || under(d, p)) return false;
    for (const auto& p : plan.readonlyPaths)
      if (under(p, d) || under(d, p)) return false;
  }
  return seen;
}

}  // namespace

unsigned long cloneFlag(oci::NamespaceType t) {
  switch (t) {
    case oci::NamespaceType::Pid:
      return CLONE_NEWPID;
    case oci::NamespaceType::Network:
      return CLONE_NEWNET;
    case oci::NamespaceType::Mount:
      return CLONE_NEWNS;
    case oci::NamespaceType::Ipc:
      return CLONE_NEWIPC;
    case oci::NamespaceType::Uts:
      return CLONE_NEWUTS;
    case oci::NamespaceType::User:
      return CLONE_NEWUSER;
    case oci::NamespaceType::Cgroup:
      return CLONE_NEWCGROUP;
    case oci::NamespaceType::Time:
      return CLONE_NEWTIME;
  }
  return 0;
}

void finalizePointers(ProcessPlan& p) {
  p.argv.clear();
  for (auto& a : p.args) p.argv.push_back(a.data());
  p.argv.push_back(nullptr);
  p.envp.clear();
  for (auto& e : p.env) p.envp.push_back(e.data());
  p.envp.push_back(nullptr);
}

void finalizePointers(HookCmd& h) {
  h.argv.clear();
  if (h.args.empty()) h.args.push_back(h.path);
  for (auto& a : h.args) h.argv.push_back(a.data());
  h.argv.push_back(nullptr);
  h.envp.clear();
  for (auto& e : h.env) h.envp.push_back(e.data());
  h.envp.push_back(nullptr);
}

Result<ProcessPlan> buildProcessPlan(const oci::Process& p, const oci::Spec& spec,
                                     const std::string& rootfsForPasswd) {
  ProcessPlan out;
  if (p.args.empty()) return Error::invalid("process.args must not be empty");
  out.args = p.args;
  out.env = p.env;
  out.cwd = p.cwd.empty() ? "/" : p.cwd;
  out.uid = p.user.uid;
  out.gid = p.user.gid;
  out.groups.assign(p.user.additionalGids.begin(), p.user.additionalGids.end());
  out.umask = p.user.umask ? static_cast<int>(*p.user.umask) : -1;
  bool hasHome = false;
  out.pathEnv = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : out.env) {
    if (startsWith(e, "HOME=")) hasHome = true;
    if (startsWith(e, "PATH=")) out.pathEnv = e.substr(5);
  }
  if (!hasHome) out.env.push_back("HOME=" + homeFromPasswd(rootfsForPasswd, out.uid));
  if (p.capabilities) {
    out.hasCaps = true;
    out.capBounding = TRY_CTX(capMask(p.capabilities->bounding), "process.capabilities.bounding");
    out.capEffective =
        TRY_CTX(capMask(p.capabilities->effective), "process.capabilities.effective");
    out.capPermitted =
        TRY_CTX(capMask(p.capabilities->permitted), "process.capabilities.permitted");
    out.capInheritable =
        TRY_CTX(capMask(p.capabilities->inheritable), "process.capabilities.inheritable");
    out.capAmbient = TRY_CTX(capMask(p.capabilities->ambient), "process.capabilities.ambient");
  }
  out.noNewPrivileges = p.noNewPrivileges;
  bool canRaise = hasCapSysResource();
  for (const auto& rl : p.rlimits) {
    int res = TRY(oci::rlimitFromName(rl.type));
    struct rlimit want {
      rl.soft, rl.hard
    };
    struct rlimit cur {};
    if (::getrlimit(res, &cur) == 0 && !canRaise && want.rlim_max > cur.rlim_max) {
      spdlog::warn(
          "rlimit {}: hard limit {} is above the runtime's own {} and CAP_SYS_RESOURCE is missing; "
          "clamped to {}",
          rl.type, rl.hard, cur.rlim_max, cur.rlim_max);
      want.rlim_max = cur.rlim_max;
      if (want.rlim_cur > want.rlim_max) want.rlim_cur = want.rlim_max;
    }
    out.rlimits.push_back({res, want});
  }
  if (spec.linux && spec.linux->seccomp) {
    out.hasSeccomp = true;
    out.seccomp = TRY_CTX(seccomp::compileCached(*spec.linux->seccomp), "linux.seccomp");
  }
  if (!p.apparmorProfile.empty()) {
    spdlog::warn("apparmor profile {:?} ignored: this host has no AppArmor", p.apparmorProfile);
  }
  if (!p.selinuxLabel.empty()) {
    spdlog::warn("selinux label {:?} ignored: this host has no SELinux", p.selinuxLabel);
  }
  out.terminal = p.terminal;
  if (p.consoleSize) {
    out.rows = static_cast<unsigned short>(p.consoleSize->height);
    out.cols = static_cast<unsigned short>(p.consoleSize->width);
  }
  finalizePointers(out);
  return out;
}

Result<InitPlan> buildInitPlan(const oci::Spec& spec, const PlanOptions& opts) {
  InitPlan plan;
  plan.rootfs = opts.rootfs;
  plan.noPivot = opts.noPivot;
  plan.consoleSocket = opts.consoleSocket;
  plan.preserveFds = opts.preserveFds;
  const oci::Linux empty;
  const oci::Linux& lx = spec.linux ? *spec.linux : empty;

  bool newUser = false, newCgroup = false, newMount = false;
  for (const auto& ns : lx.namespaces) {
    unsigned long flag = cloneFlag(ns.type);
    if (ns.path.empty()) {
      plan.newNamespaces |= flag;
      if (ns.type == oci::NamespaceType::User) newUser = true;
      if (ns.type == oci::NamespaceType::Cgroup) newCgroup = true;
      if (ns.type == oci::NamespaceType::Mount) newMount = true;
    } else {
      int fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        return Error::sys(errno, "open {}", ns.path)
            .context(fmt::format("join {} namespace", oci::namespaceTypeName(ns.type)));
      }
      plan.joinNamespaces.emplace_back(static_cast<int>(flag), fd);
    }
  }
  // Join the user namespace last: once inside it, the others (owned by the host's) are out of
  // reach.
  std::stable_partition(plan.joinNamespaces.begin(), plan.joinNamespaces.end(),
                        [](const auto& p) { return p.first != CLONE_NEWUSER; });
  plan.newUserNamespace = newUser;
  if (!newMount) {
    bool joinsMount = false;
    for (auto& [t, fd] : plan.joinNamespaces) joinsMount |= t == CLONE_NEWNS;
    plan.hostMountNamespace = !joinsMount;
  }

  // "/" becomes rslave (or what rootfsPropagation asks) so nothing propagates back to the host.
  long prop = oci::propagationFlags(lx.rootfsPropagation);
  if (prop < 0)
    return Error::invalid("linux.rootfsPropagation {:?} is not valid", lx.rootfsPropagation);
  plan.rootPropagation = prop ? static_cast<unsigned long>(prop) : (MS_SLAVE | MS_REC);
  plan.rootfsPropagation = static_cast<unsigned long>(prop);
  plan.readonlyRoot = spec.root.readonly;

  bool devBound = false, ptsMounted = false;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const auto& m = spec.mounts[i];
    auto ctx = [&] { return fmt::format("mounts[{}] {:?}", i, m.destination); };
    std::string dest = TRY_CTX(cleanContainerPath(m.destination), "{}", ctx());
    TRY_CTX(resolveInRootfs(opts.rootfs, dest), "{}", ctx());
    auto o = oci::parseMountOptions(m.options);
    if (m.type == "cgroup") {
      TRY_CTX(addCgroupMount(plan, dest, o, opts, newCgroup), "{}", ctx());
      continue;
    }
    if (isBind(m, o)) {
      struct stat st {};
      if (::stat(m.source.c_str(), &st) != 0) {
        return Error::sys(errno, "stat {}", m.source).context(ctx());
      }
      MountStep s{MountStep::Kind::Bind};
      s.source = m.source;
      s.target = dest;
      s.targetIsFile = !S_ISDIR(st.st_mode);
      s.flags = MS_BIND | (o.recursive ? MS_REC : 0);
      unsigned long extra = o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
      if (extra) s.remountFlags = MS_BIND | MS_REMOUNT | extra;
      s.propagation = o.propagation;
      plan.mounts.push_back(std::move(s));
      if (dest == "/dev") devBound = true;
    } else {
      MountStep s{MountStep::Kind::Mount};
      s.source = m.source.empty() ? m.type : m.source;
      s.target = dest;
      s.fstype = m.type;
      s.data = o.data;
      s.flags = o.flags & ~MS_REMOUNT;
      s.propagation = o.propagation;
      plan.mounts.push_back(std::move(s));
      if (dest == "/dev/pts") ptsMounted = true;
    }
    if (o.recursiveReadonly) {
      plan.mounts.push_back(MountStep{MountStep::Kind::RecursiveReadonly, "", dest});
    }
  }

  // Devices: the defaults and the spec's, unless /dev is the host's own (bind-mounted).
  if (!devBound) {
    auto addDevice = [&](const std::string& path, mode_t type, unsigned major, unsigned minor,
                         mode_t perm, std::optional<uint32_t> uid, std::optional<uint32_t> gid) {
      MountStep s{newUser ? MountStep::Kind::BindDevice : MountStep::Kind::Mknod};
      s.target = path;
      s.source = path;  // host device for BindDevice (user namespaces cannot mknod)
      s.targetIsFile = true;
      s.mode = type | perm;
      s.dev = makedev(major, minor);
      if (uid || gid) {
        s.chown = true;
        s.uid = uid.value_or(0);
        s.gid = gid.value_or(0);
      }
      plan.mounts.push_back(std::move(s));
    };
    // The spec's own entry for a default device's path replaces the default (as runc does).
    for (const auto& d : kDefaultDevices) {
      if (std::none_of(lx.devices.begin(), lx.devices.end(), [&](const oci::Device& sd) {
            return cleanContainerPath(sd.path).value_or("") == d.path;
          }))
        addDevice(d.path, S_IFCHR, d.major, d.minor, 0666, {}, {});
    }
    for (size_t i = 0; i < lx.devices.size(); ++i) {
      const auto& d = lx.devices[i];
      std::string path = TRY_CTX(cleanContainerPath(d.path), "linux.devices[{}]", i);
      TRY_CTX(resolveInRootfs(opts.rootfs, path), "linux.devices[{}]", i);
      mode_t type = d.type == "b" ? S_IFBLK : d.type == "p" ? S_IFIFO : S_IFCHR;
      addDevice(path, type, static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor),
                d.fileMode ? (*d.fileMode & 07777) : 0666, d.uid, d.gid);
    }
    const std::pair<const char*, const char*> links[] = {{"/proc/self/fd", "/dev/fd"},
                                                         {"/proc/self/fd/0", "/dev/stdin"},
                                                         {"/proc/self/fd/1", "/dev/stdout"},
                                                         {"/proc/self/fd/2", "/dev/stderr"}};
    for (const auto& [target, link] : links) {
      MountStep s{MountStep::Kind::Symlink, target, link};
      s.optional = true;
      plan.mounts.push_back(std::move(s));
    }
    if (::access("/proc/kcore", F_OK) == 0) {
      MountStep s{MountStep::Kind::Symlink, "/proc/kcore", "/dev/core"};
      s.optional = true;
      plan.mounts.push_back(std::move(s));
    }
    if (ptsMounted) {
      MountStep s{MountStep::Kind::Symlink, "pts/ptmx", "/dev/ptmx"};
      s.optional = true;
      plan.mounts.push_back(std::move(s));
    }
  }

  for (const auto& p : lx.maskedPaths) plan.maskedPaths.push_back(TRY(cleanContainerPath(p)));
  for (const auto& p : lx.readonlyPaths) plan.readonlyPaths.push_back(TRY(cleanContainerPath(p)));
  plan.deferCgroupMounts = canDeferCgroupMounts(plan, spec);
  for (const auto& [k, v] : lx.sysctl) {
    if (k.find("..") != std::string::npos || k.find('/') != std::string::npos) {
      return Error::invalid("linux.sysctl {:?}: invalid key", k);
    }
    std::string path = "/proc/sys/" + k;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    plan.sysctl.emplace_back(path, v);
  }
  if (!spec.hostname.empty()) {
    plan.hostname = spec.hostname;
    plan.setHostname = true;
  }
  if (!spec.domainname.empty()) {
    plan.domainname = spec.domainname;
    plan.setDomainname = true;
  }
  auto hooks = [](const std::vector<oci::Hook>& in) {
    std::vector<HookCmd> out;
    for (const auto& h : in) {
      HookCmd c;
      c.path = h.path;
      c.args = h.args;
      c.env = h.env;
      c.timeout = h.timeout.value_or(0);
      out.push_back(std::move(c));
    }
    return out;
  };
  plan.createContainerHooks = hooks(spec.hooks.createContainer);
  plan.startContainerHooks = hooks(spec.hooks.startContainer);
  for (auto& h : plan.createContainerHooks) finalizePointers(h);
  for (auto& h : plan.startContainerHooks) finalizePointers(h);
  if (!plan.createContainerHooks.empty() || !plan.startContainerHooks.empty()) {
    plan.hooksSync = true;
    plan.stateBuf.resize(256 * 1024);
  }

  if (!spec.process) return Error::invalid("process is required to create a container");
  // runc creates a missing working directory, so images may name one they lack.
  if (!spec.process->cwd.empty() && spec.process->cwd != "/") {
    std::string cwd = TRY_CTX(cleanContainerPath(spec.process->cwd), "process.cwd");
    TRY_CTX(resolveInRootfs(opts.rootfs, cwd), "process.cwd");
    plan.mounts.push_back(MountStep{MountStep::Kind::Mkdir, "", cwd, "", "", 0, 0, 0, false, 0755});
  }
  plan.process = TRY(buildProcessPlan(*spec.process, spec, opts.rootfs));
  if (!opts.seccompText.empty()) {
    plan.process.hasSeccomp = true;
    plan.process.seccomp = TRY_CTX(seccomp::compileCachedText(opts.seccompText), "linux.seccomp");
  }
  return plan;
}

}  // namespace berth::runtime
