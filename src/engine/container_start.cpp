// Starting a container (rootfs mount, spec, shim), watching it, and what happens when it exits:
// the exit recorded, the rootfs unmounted, the restart policy applied with Docker's back-off,
// AutoRemove honoured.

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <future>
#include <optional>
#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/process_run.h"
#include "engine/shim_client.h"
#include "shim/protocol.h"
#include "storage/fs_tree.h"
#include "storage/mountinfo.h"
#include "sys/mount_api.h"

namespace berth::engine {

namespace {

// The exit code docker uses when the process could not be started: 127 for a missing
// executable, 126 for one that cannot be run, 128 otherwise.
int startFailureCode(const std::string& msg) {
  if (msg.find("no such file") != std::string::npos || msg.find("not found") != std::string::npos)
    return 127;
  if (msg.find("permission denied") != std::string::npos ||
      msg.find("Permission denied") != std::string::npos)
    return 126;
  return 128;
}

// Blocks until the process of pidfd has ended (a child or not).
void awaitEnd(const UniqueFd& pidfd) {
  struct pollfd p = {pidfd.get(), POLLIN, 0};
  while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

// The shim that was c's has exited: a start waiting for it may go on.
void shimEnded(Container& c, pid_t shimPid) {
  std::lock_guard g(c.mu);
  if (c.shimPid == shimPid) c.shimPid = 0;
  c.cv.notify_all();
}

bool isMounted(const std::string& path) {
  auto mounts = storage::readMountInfo();
  if (!mounts) return false;
  for (const auto& m : *mounts) {
    if (m.mountPoint == path) return true;
  }
  return false;
}

}  // namespace

std::string ContainerService::Impl::runtimeFor(const Json& doc) const {
  std::string name = doc["HostConfig"].value("Runtime", "berth");
  if (auto it = opts.runtimes.find(name); it != opts.runtimes.end()) return it->second;
  return opts.runtimePath;
}

Status ContainerService::Impl::runRuntime(const Json& doc, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {runtimeFor(doc), "--root", runtimeRoot()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOutput out;
  return runProgram(argv, "runtime " + args.front(), &out);
}

Status ContainerService::Impl::unmountRootfs(Container& c) {
  std::string rootfs = bundleDir(c.id) + "/rootfs";
  if (isMounted(rootfs)) return snapshots->unmount(rootfs);
  return {};
}

Status ContainerService::Impl::cleanupAfterExit(Container& c) {
  Status st = unmountRootfs(c);
  (void)storage::removeTree(stateDir(c.id));
  return st;
}

Status ContainerService::Impl::startLocked(const std::shared_ptr<Container>& c,
                                           std::unique_lock<std::mutex>& lk) {
  Json& doc = c->doc;
  std::string id = c->id;
  std::string bundle = bundleDir(id);
  std::string rootfs = bundle + "/rootfs";
  std::string state = stateDir(id);
  auto fail = [&](Error e) -> Status {
    (void)cleanupAfterExit(*c);
    c->starting = false;
    c->attachOpen = false;
    c->startFailures++;
    doc["State"]["Error"] = e.what();
    doc["State"]["ExitCode"] = startFailureCode(e.what());
    doc["State"]["Status"] =
        doc["State"]["StartedAt"] == "0001-01-01T00:00:00Z" ? "created" : "exited";
    doc["State"]["Restarting"] = false;
    (void)save(*c);
    c->cv.notify_all();
    return std::move(e).context("start container " + id.substr(0, 12));
  };

  // The last shim may still be running `runtime delete` for this id: a new create would race it.
  if (c->shimPid != 0 &&
      !c->cv.wait_for(lk, std::chrono::seconds(10), [&] { return c->shimPid == 0; })) {
    return Error(ErrorKind::Unavailable,
                 fmt::format("start container {}: its previous shim (pid {}) has not exited",
                             id.substr(0, 12), c->shimPid));
  }
  c->starting = true;
  // The shim first: its process starts (a millisecond here) while the rootfs is mounted and
  // the spec written; until "start" it needs only the state dir.
  (void)storage::removeTree(state);
  if (auto st = ensureDir(state, 0711); !st) return fail(st.error());
  const Json& cfg = doc["Config"];
  ShimLaunch l{.shimPath = opts.shimPath,
               .id = id,
               .bundle = bundle,
               .stateDir = state,
               .runtimePath = runtimeFor(doc),
               .runtimeRoot = runtimeRoot(),
               .logPath = doc.value("LogPath", ""),
               .tty = cfg.value("Tty", false),
               .stdinOpen = cfg.value("OpenStdin", false),
               .stdinOnce = cfg.value("StdinOnce", false)};
  if (l.logPath.empty()) l.logPath = "/dev/null";
  // Where the kernel counts the container's OOM kills: read by the shim before the cgroup goes.
  bool v2 = ::access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
  l.oomFile = v2 ? "/sys/fs/cgroup" + cgroupPath(doc) + "/memory.events"
                 : "/sys/fs/cgroup/memory" + cgroupPath(doc) + "/memory.oom_control";
  // A spawn holds its caller until the shim's exec (vfork underneath): it runs on the thread
  // that then reaps the shim, whenever it ends (not before, or its pid could be reused while a
  // restore still trusts it), and overlaps the mount and the spec below.
  std::promise<Result<SpawnedShim>> spawning;
  std::future<Result<SpawnedShim>> spawnedLater = spawning.get_future();
  std::thread([c, l = std::move(l), p = std::move(spawning), launcher = launcher.get()]() mutable {
    auto s = spawnShim(l, launcher);
    pid_t pid = s ? s->pid : 0;
    UniqueFd pidfd = s ? std::move(s->pidfd) : UniqueFd();
    p.set_value(std::move(s));
    if (pid <= 0) return;
    if (pidfd) {
      awaitEnd(pidfd);  // the launcher's child, reaped by it
    } else {
      ::waitpid(pid, nullptr, 0);
    }
    shimEnded(*c, pid);  // takes c->mu: after takeShim below has recorded the pid
  }).detach();
  std::optional<SpawnedShim> spawned;
  auto takeShim = [&]() -> Status {
    if (spawned) return {};
    auto s = spawnedLater.get();
    if (!s) return std::move(s).error();
    spawned = std::move(*s);
    c->shimPid = spawned->pid;
    return {};
  };
  // A failure before "start": the shim has nothing to run (reaped by the thread above).
  auto failEarly = [&](Error e) -> Status {
    if (takeShim()) ::kill(spawned->pid, SIGKILL);
    return fail(std::move(e));
  };

  auto lowers = rootfsLowers(doc);
  if (!lowers) return failEarly(lowers.error());
  if (isMounted(rootfs)) (void)snapshots->unmount(rootfs);
  // An AutoRemove container's upper is thrown away after this run: no syncs of it, so its
  // unmount does not wait for a sync of the whole host filesystem.
  storage::SnapshotMountOptions mountOpts;
  mountOpts.volatileUpper = doc["HostConfig"].value("AutoRemove", false);
  if (auto st = snapshots->mount(id, *lowers, rootfs, mountOpts); !st) return failEarly(st.error());
  if (auto st = fillVolumesOnFirstStart(*c, rootfs); !st) return failEarly(st.error());
  // A network namespace of berthd's making, kept open until the runtime has joined it.
  UniqueFd netnsFd;
  std::string netnsPath;
  if (doc["HostConfig"].value("NetworkMode", "none") != "host") {
    if (auto ns = netns.take()) {
      netnsFd = std::move(*ns);
      netnsPath = fmt::format("/proc/{}/fd/{}", ::getpid(), netnsFd.get());
    }
  }
  auto spec = buildSpec(*this, doc, netnsPath);
  if (!spec) return failEarly(spec.error());
  // Rewritten at every start: no need to sync it.
  if (auto st = writeFileAtomic(bundle + "/config.json", *spec, 0600, Durability::Volatile); !st)
    return failEarly(st.error());
  if (auto st = takeShim(); !st) return fail(st.error());
  if (auto st = awaitShim(*spawned, id); !st) return fail(st.error());

  // Attachers that came before start connect now, before the process runs.
  c->attachOpen = true;
  c->cv.notify_all();
  c->cv.wait_for(lk, std::chrono::seconds(5), [&] { return c->pendingAttach == 0; });

  auto started = shimCall(state, "start");
  if (!started) {
    // A shim that answered has cleaned up after the runtime itself; one that is gone has not.
    if (started.error().kind() == ErrorKind::Unavailable) {
      (void)runRuntime(doc, {"delete", "--force", id});
      return fail(started.error());
    }
    return fail(Error(ErrorKind::Internal, started.error().message()));  // the runtime's
  }
  auto pid = parseInt(trim(*started), "init pid");
  if (!pid) return fail(pid.error());
  c->starting = false;
  c->startedAt = std::chrono::steady_clock::now();
  Json& s = doc["State"];
  s["Status"] = "running";
  s["Running"] = true;
  s["Paused"] = false;
  s["Restarting"] = false;
  s["OOMKilled"] = false;
  s["Dead"] = false;
  s["Pid"] = static_cast<pid_t>(*pid);
  s["ExitCode"] = 0;
  s["Error"] = "";
  s["StartedAt"] = nowRfc3339Nano();
  if (auto st = save(*c); !st) spdlog::warn("container {}: {}", id, st.error().what());
  c->monitored = true;
  std::thread([this, c] { monitor(c); }).detach();
  startHealthMonitor(c, true);
  c->cv.notify_all();
  emit(doc, "start");
  return {};
}

void ContainerService::Impl::monitor(std::shared_ptr<Container> c) {
  std::string state = stateDir(c->id);
  int code = -1;
  if (auto fd = connectShim(state); fd) {
    if (auto r = shimRequest(fd->get(), "wait"); r) {
      code = static_cast<int>(parseInt(trim(*r), "exit code").value_or(255));
    }
  }
  std::string finishedAt;
  bool oomKilled = false;
  if (auto text = readFile(state + "/" + shim::kExitFileName); text) {
    if (auto j = parseJson(*text, "exit file"); j && j->is_object()) {
      if (code < 0) code = j->value("exitCode", 255);
      finishedAt = j->value("exitedAt", "");
      oomKilled = j->value("oomKilled", false);
    }
  }
  if (code < 0) code = 255;  // the shim died without recording the exit
  if (finishedAt.empty()) finishedAt = nowRfc3339Nano();
  handleExit(c, code, finishedAt, oomKilled);
}

std::string ContainerService::Impl::cgroupPath(const Json& doc) const {
  std::string parent = doc["HostConfig"].value("CgroupParent", "");
  if (parent.empty()) parent = opts.cgroupParent;
  return parent + "/" + doc.value("Id", "");
}

void ContainerService::Impl::handleExit(const std::shared_ptr<Container>& c, int code,
                                        const std::string& finishedAt, bool oomKilled) {
  std::unique_lock lk(c->mu);
  c->monitored = false;
  Json& s = c->doc["State"];
  s["Running"] = false;
  s["Paused"] = false;
  s["Pid"] = 0;
  s["ExitCode"] = code;
  s["FinishedAt"] = finishedAt;
  s["Status"] = "exited";
  s["OOMKilled"] = oomKilled;
  c->attachOpen = false;
  if (oomKilled) emit(c->doc, "oom");
  emit(c->doc, "die", {{"exitCode", std::to_string(code)}});

  const Json& hc = c->doc["HostConfig"];
  std::string policy = hc["RestartPolicy"].value("Name", "no");
  int64_t maxRetries = hc["RestartPolicy"].value("MaximumRetryCount", 0);
  int64_t restarts = c->doc.value("RestartCount", 0);
  bool restart =
      !c->stopRequested && !c->removed && !closing &&
      (policy == "always" || policy == "unless-stopped" ||
       (policy == "on-failure" && code != 0 && (maxRetries == 0 || restarts < maxRetries)));
  if (restart) {
    s["Restarting"] = true;
    s["Status"] = "restarting";
  }
  bool autoRemove = !restart && hc.value("AutoRemove", false) && !c->removed;
  // The rootfs is unmounted now, or by the removal after it is reported; the shim's state dir
  // goes once the exit is reported (below, or by the removal or the restart): its files are
  // deleted synchronously on this host's filesystem, a discard each.
  if (!autoRemove) {  // an AutoRemove container's record is erased below
    if (auto st = unmountRootfs(*c); !st)
      spdlog::warn("container {}: {}", c->id, st.error().what());
    (void)save(*c);
  }
  c->exitSeq++;
  c->cv.notify_all();
  if (!restart && !autoRemove) (void)storage::removeTree(stateDir(c->id));

  if (restart) {
    // Docker's back-off: 100 ms doubling per restart, reset after 10 s of running, at most 1 min.
    auto ran = std::chrono::steady_clock::now() - c->startedAt;
    int64_t& backoff = c->backoffMs;
    backoff = ran > std::chrono::seconds(10) || backoff == 0
                  ? 100
                  : std::min<int64_t>(backoff * 2, 60000);
    int64_t delay = backoff;
    lk.unlock();
    std::thread([this, c, delay] {
      std::unique_lock l(c->mu);
      c->cv.wait_for(l, std::chrono::milliseconds(delay),
                     [&] { return c->stopRequested || c->removed || closing; });
      if (c->stopRequested || c->removed || closing || c->doc["State"]["Status"] != "restarting")
        return;
      c->doc["RestartCount"] = c->doc.value("RestartCount", 0) + 1;
      if (auto st = startLocked(c, l); !st) {
        spdlog::warn("restart {}: {}", c->id, st.error().what());
      }
    }).detach();
    return;
  }
  if (autoRemove) {
    if (auto st = removeLocked(c, lk, true); !st)
      spdlog::warn("auto-remove {}: {}", c->id, st.error().what());
  }
}

void ContainerService::Impl::watchRestoredShim(const std::shared_ptr<Container>& c) {
  auto text = readFile(stateDir(c->id) + "/" + shim::kPidFileName);
  if (!text) return;
  auto pid = parseInt(trim(*text), "shim pid");
  if (!pid || *pid <= 0) return;
  // The pid may have been reused since: it is the shim only if its command line names the id.
  auto cmdline = readFile(fmt::format("/proc/{}/cmdline", *pid));
  if (!cmdline || cmdline->find(c->id) == std::string::npos) return;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(*pid), 0)));
  if (!pidfd) return;  // gone
  pid_t shimPid = static_cast<pid_t>(*pid);
  c->shimPid = shimPid;
  std::thread([c, pidfd = std::move(pidfd), shimPid] {
    awaitEnd(pidfd);
    shimEnded(*c, shimPid);
  }).detach();
}

void ContainerService::Impl::restore(const std::shared_ptr<Container>& c) {
  std::unique_lock lk(c->mu);
  watchRestoredShim(c);
  Json& s = c->doc["State"];
  std::string status = stateStatus(s);
  if (status != "running" && status != "paused" && status != "restarting") {
    // A crash between mount and record may have left the rootfs mounted.
    (void)cleanupAfterExit(*c);
    return;
  }
  if (status == "restarting") {
    lk.unlock();
    handleExit(c, s.value("ExitCode", 0), s.value("FinishedAt", nowRfc3339Nano()));
    return;
  }
  auto answer = shimCall(stateDir(c->id), "status");
  if (answer && !startsWith(*answer, "exited")) {
    c->attachOpen = true;
    c->monitored = true;
    c->startedAt = std::chrono::steady_clock::now();
    std::thread([this, c] { monitor(c); }).detach();
    startHealthMonitor(c, false);
    return;
  }
  lk.unlock();
  monitor(c);  // reads the exit file the shim left, or records 255
}

}  // namespace berth::engine
