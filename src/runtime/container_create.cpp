#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "base/file.h"
#include "base/strings.h"
#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/create_internal.h"
#include "runtime/hooks.h"
#include "runtime/process/launch.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

Result<std::string> absolutePath(const std::string& p, const char* what) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) return Error::sys(errno, "{} {}", what, p);
  return std::string(buf);
}

std::string idMapText(const std::vector<oci::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps) out += fmt::format("{} {} {}\n", m.containerID, m.hostID, m.size);
  return out;
}

// The mount that holds `path` (longest mountinfo mount point prefix).
std::string parentMountOf(const std::string& path) {
  auto text = readFile("/proc/self/mountinfo");
  std::string best = "/";
  if (!text) return best;
  for (const auto& line : split(*text, '\n', true)) {
    auto f = split(line, ' ');
    if (f.size() < 5) continue;
    const std::string& mp = f[4];
    if ((path == mp || startsWith(path, mp == "/" ? "/" : mp + "/")) && mp.size() > best.size())
      best = mp;
  }
  return best;
}

void adjustOomScore(const oci::Spec& spec) {
  if (!spec.process || !spec.process->oomScoreAdj) return;
  auto st = writeFile("/proc/self/oom_score_adj", std::to_string(*spec.process->oomScoreAdj));
  if (!st) {
    // Lowering the score needs CAP_SYS_RESOURCE, which this host may not grant.
    spdlog::warn("oomScoreAdj {}: {}", *spec.process->oomScoreAdj, st.error().what());
  }
}

// The spec's device rules, then the devices every container may use whatever its rules say
// (runc's AllowedDevices, including mknod of any node so linux.devices can be created). A device
// of linux.devices is usable only if a rule of the spec allows it, as with runc. One of those
// that the spec already allows, with no deny after it, is not written again: berthd's specs
// list them all, and each write to a v1 devices cgroup costs as much as a small syscall's run.
oci::Resources effectiveResources(const oci::Spec& spec) {
  oci::Resources r =
      spec.linux && spec.linux->resources ? *spec.linux->resources : oci::Resources{};
  size_t lastDeny = 0;  // one past the spec's last deny rule
  for (size_t i = 0; i < r.devices.size(); ++i) {
    if (!r.devices[i].allow) lastDeny = i + 1;
  }
  const size_t fromSpec = r.devices.size();
  auto allow = [&](const char* type, std::optional<int64_t> major, std::optional<int64_t> minor,
                   const char* access) {
    oci::DeviceCgroupRule rule;
    rule.allow = true;
    rule.type = type;
    rule.major = major;
    rule.minor = minor;
    rule.access = access;
    auto first = r.devices.begin() + static_cast<std::ptrdiff_t>(lastDeny);
    auto end = r.devices.begin() + static_cast<std::ptrdiff_t>(fromSpec);
    if (std::find(first, end, rule) != end) return;
    r.devices.push_back(rule);
  };
  allow("c", std::nullopt, std::nullopt, "m");
  allow("b", std::nullopt, std::nullopt, "m");
  allow("c", 1, 3, "rwm");               // null
  allow("c", 1, 8, "rwm");               // random
  allow("c", 1, 7, "rwm");               // full
  allow("c", 5, 0, "rwm");               // tty
  allow("c", 1, 5, "rwm");               // zero
  allow("c", 1, 9, "rwm");               // urandom
  allow("c", 5, 1, "rwm");               // console
  allow("c", 136, std::nullopt, "rwm");  // pts/*
  allow("c", 5, 2, "rwm");               // ptmx
  allow("c", 10, 200, "rwm");            // net/tun
  return r;
}

// Detaches what an init without a mount namespace of its own mounted on the rootfs: the binds
// stacked there since `before` (normally one, with everything beneath it).
void detachHostMounts(const std::string& rootfs, std::optional<uint64_t> before, Error& e) {
  for (int i = 0; i < 8; ++i) {
    auto now = sys::mountIdOf(rootfs);
    if (!now || now == before) return;
    if (::umount2(rootfs.c_str(), MNT_DETACH) != 0) {
      e.addCleanupError(Error::sys(errno, "unmount {}", rootfs));
      return;
    }
  }
}

// config.json parsed, with linux.seccomp cut out of the text first when it can be: most of the
// file with Docker's default profile (8 of 12 KB), it is then compiled through the cache keyed
// by its text and parsed only on a miss. A section that names a listener is parsed with the
// rest (the listener needs it), as is any text where a parser could see another section than
// the scan found.
Result<oci::Spec> parseConfig(const std::string& text, std::optional<JsonSpan>& seccomp) {
  seccomp = findMemberSpan(text, {"linux", "seccomp"});
  if (seccomp) {
    std::string_view section = std::string_view(text).substr(seccomp->offset, seccomp->length);
    if (section == "null" || section.find("listenerPath") != std::string_view::npos) {
      seccomp.reset();
    }
  }
  if (seccomp) {
    std::string rest =
        text.substr(0, seccomp->offset) + "null" + text.substr(seccomp->offset + seccomp->length);
    auto spec = oci::parseSpec(rest);
    if (spec && spec->linux && !spec->linux->seccomp) return spec;
    seccomp.reset();  // the whole text's own error, or its own reading
  }
  return TRY_CTX(oci::parseSpec(text), "invalid config.json");
}

}  // namespace

Result<Prepared> prepareCreate(const Globals& g, const CreateOptions& o, bool withFifo) {
  if (g.systemdCgroup) {
    return Error(ErrorKind::NotImplemented,
                 "--systemd-cgroup is not supported: berth-runtime manages cgroupfs directly");
  }
  TRY(StateStore::validateId(o.id));
  Prepared p;
  std::string bundle = TRY(absolutePath(o.bundle, "bundle"));
  auto text = TRY_CTX(readFile(bundle + "/config.json"), "load bundle");
  p.spec = TRY(parseConfig(text, p.seccomp));
  p.specJson = std::move(text);
  if (::chdir(bundle.c_str()) != 0) return Error::sys(errno, "chdir {}", bundle);
  std::string rootPath =
      p.spec.root.path[0] == '/' ? p.spec.root.path : bundle + "/" + p.spec.root.path;
  std::string rootfs = TRY_CTX(absolutePath(rootPath, "rootfs"), "invalid config.json: root.path");
  struct stat st {};
  if (::stat(rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Error::invalid("invalid config.json: root.path {:?} is not a directory", rootPath);
  }
  p.layout = TRY(cgroups::detectLayout());
  const std::string cgPathIn = p.spec.linux ? p.spec.linux->cgroupsPath : "";
  std::string cgPath =
      TRY_CTX(cgroups::containerPath(cgPathIn, o.id), "invalid config.json: linux.cgroupsPath");
  int consoleFd = -1;
  if (!o.consoleSocket.empty()) {
    p.console = TRY(sys::connectUnix(o.consoleSocket, "console socket"));
    consoleFd = p.console.get();
  } else if (p.spec.process && p.spec.process->terminal && withFifo) {
    return Error::invalid("cannot allocate a pseudo-TTY without --console-socket");
  }
  PlanOptions po{rootfs, &p.layout, cgPath, o.noPivot, consoleFd, o.preserveFds};
  if (p.seccomp)
    po.seccompText = std::string_view(p.specJson).substr(p.seccomp->offset, p.seccomp->length);
  p.plan = TRY_CTX(buildInitPlan(p.spec, po), "invalid config.json");
  if (p.plan.rootPropagation & MS_SHARED) p.plan.rootfsParentMount = parentMountOf(rootfs);
  if (p.spec.linux) {
    p.maps.uidMap = idMapText(p.spec.linux->uidMappings);
    p.maps.gidMap = idMapText(p.spec.linux->gidMappings);
    if (p.spec.linux->seccomp && !p.spec.linux->seccomp->listenerPath.empty()) {
      p.seccompListener =
          TRY(sys::connectUnix(p.spec.linux->seccomp->listenerPath, "seccomp listener"));
      p.plan.seccompListenerSocket = p.seccompListener.get();
      p.plan.seccompStateBuf.resize(256 * 1024);
    }
  }
  p.state.id = o.id;
  p.state.bundle = bundle;
  p.state.rootfs = rootfs;
  p.state.cgroupPath = cgPath;
  p.state.created = nowRfc3339();
  p.state.spec = p.spec;
  return p;
}

Status launchPrepared(const Globals& g, const CreateOptions& o, Prepared& p, bool withFifo) {
  StateStore store(g.root);
  p.lock = TRY(store.claim(o.id));
  p.plan.lockFd = p.lock.get();
  // The mount that holds the rootfs now: one in its place afterwards is the init's own bind.
  const auto rootMountBefore = sys::mountIdOf(p.state.rootfs);
  auto fail = [&](Error e) -> Error {
    if (p.plan.hostMountNamespace) detachHostMounts(p.state.rootfs, rootMountBefore, e);
    if (p.cgroup) {
      if (auto st = p.cgroup->destroy(); !st) e.addCleanupError(st.error());
    }
    if (auto st = store.remove(o.id); !st) e.addCleanupError(st.error());
    return e;
  };
  p.cgroup = cgroups::makeManager(p.layout, p.state.cgroupPath);
  UniqueFd stateDir;
  if (withFifo) {
    std::string fifo = store.fifoPath(o.id);
    if (::mkfifo(fifo.c_str(), 0622) != 0) return fail(Error::sys(errno, "mkfifo {}", fifo));
    stateDir.reset(::open(store.dir(o.id).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!stateDir) return fail(Error::sys(errno, "open {}", store.dir(o.id)));
    p.plan.stateDirFd = stateDir.get();
  }
  adjustOomScore(p.spec);
  LaunchHooks hooks;
  // The cgroup exists before the clone, so the child can be born in it (cgroups::SelfJoin); it
  // is filled while the child creates its namespaces, and joined (v1) after Go.
  if (auto st = p.cgroup->create(); !st)
    return fail(std::move(st).error().context("create cgroup"));
  hooks.afterClone = [&]() -> Status {
    TRY_CTX(p.cgroup->apply(effectiveResources(p.spec)), "apply cgroup resources");
    return ok();
  };
  const auto& h = p.spec.hooks;
  if (!h.prestart.empty() || !h.createRuntime.empty() || p.plan.hooksSync) {
    p.plan.hooksSync = true;
    if (p.plan.stateBuf.empty()) p.plan.stateBuf.resize(256 * 1024);
    hooks.runtimeHooks = [&](pid_t pid) -> Result<std::string> {
      ContainerState s = p.state;
      s.pid = pid;
      std::string json = dumpJson(ociState(s, ContainerStatus::Creating));
      TRY(runHooks(h.prestart, json, "prestart"));
      TRY(runHooks(h.createRuntime, json, "createRuntime"));
      return dumpJson(ociState(s, ContainerStatus::Created));
    };
  }
  hooks.seccompState = [&](pid_t pid) {
    ContainerState s = p.state;
    s.pid = pid;
    Json j = {{"ociVersion", oci::kSpecVersion},
              {"fds", {"seccompFd"}},
              {"pid", pid},
              {"metadata", p.spec.linux->seccomp->listenerMetadata},
              {"state", ociState(s, ContainerStatus::Creating)}};
    return dumpJson(j);
  };
  // run waits for the exec before it touches the plan again; create returns while the init
  // waits for start.
  auto memory = withFifo ? ChildMemory::Copied : ChildMemory::SharedUntilExec;
  auto launched = launch(p.plan, p.cgroup.get(), p.maps, hooks, memory);
  if (!launched) return fail(std::move(launched).error());
  p.launched = std::move(*launched);
  p.state.pid = p.launched.pid;
  if (p.plan.hostMountNamespace) {
    auto now = sys::mountIdOf(p.state.rootfs);
    if (now && now != rootMountBefore) p.state.hostMountId = *now;
  }
  p.state.pidStartTime = sys::processStartTime(p.launched.pid).value_or(0);
  auto kill = [&](Error e) -> Error {
    ::kill(p.launched.pid, SIGKILL);
    detail::waitGone(p.launched.pid, p.state.pidStartTime, 1000);
    return fail(std::move(e));
  };
  if (auto st = store.save(p.state, p.specJson); !st) return kill(std::move(st).error());
  if (!o.pidFile.empty()) {
    if (auto st =
            writeFileAtomic(o.pidFile, std::to_string(p.launched.pid), 0644, Durability::Volatile);
        !st) {
      return kill(std::move(st).error().context("write pid file"));
    }
  }
  return ok();
}

Status create(const Globals& g, const CreateOptions& o) {
  auto p = TRY_CTX(prepareCreate(g, o, true), "create container {}", o.id);
  TRY_CTX(launchPrepared(g, o, p, true), "create container {}", o.id);
  return ok();
}

}  // namespace berth::runtime
