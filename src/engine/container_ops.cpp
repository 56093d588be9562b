// Container lookups and the operations that change a container's state: stop, kill, pause,
// unpause, remove, rename, wait; plus list and inspect.

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/networks.h"
#include "engine/shim_client.h"
#include "storage/fs_tree.h"
#include "sys/mount_api.h"

namespace berth::engine {

ContainerService::ContainerService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ContainerService::~ContainerService() {
  std::lock_guard g(impl_->mu);
  impl_->closing = true;
  for (auto& [_, c] : impl_->byId) c->cv.notify_all();
}

Result<std::unique_ptr<ContainerService>> ContainerService::open(const EngineOptions& opts,
                                                                 ImageService& images,
                                                                 std::mutex& imageMu,
                                                                 EventBus& events) {
  auto impl = std::make_unique<Impl>(opts, images, imageMu, events);
  TRY(ensureDir(opts.dataRoot + "/containers", 0710));
  TRY(ensureDir(opts.dataRoot + "/volumes", 0701));
  // What a removal moved here and a crash kept it from deleting.
  TRY(storage::removeTree(impl->trashDir()));
  TRY(ensureDir(impl->trashDir(), 0700));
  TRY(ensureDir(opts.execRoot, 0711));
  impl->snapshots = TRY(storage::openSnapshotStore(opts.dataRoot));
  TRY(impl->ensureInitLayer());
  TRY(impl->openDb());
  // Before the restore, which may start containers, and before any request, so that its
  // socket is one of berthd's fds from the start.
  if (::access(opts.shimPath.c_str(), X_OK) == 0) {
    impl->launcher = std::make_unique<ShimLauncher>(opts.shimPath);
    if (auto st = impl->launcher->start(); !st)
      spdlog::warn("shim launcher: {}", st.error().what());
  }
  // Its namespaces made ahead from the start, their fds among berthd's from then on.
  impl->netns.start();
  std::vector<std::shared_ptr<Container>> all;
  for (Json& doc : TRY(impl->loadAll())) {
    auto c = std::make_shared<Container>();
    c->id = doc.value("Id", "");
    std::string name = doc.value("Name", "");
    c->doc = std::move(doc);
    impl->byName[name] = c->id;
    impl->byId[c->id] = c;
    all.push_back(c);
  }
  auto svc = std::unique_ptr<ContainerService>(new ContainerService(std::move(impl)));
  for (auto& c : all) svc->impl_->restore(c);
  return svc;
}

void ContainerService::Impl::emit(const Json& doc, const std::string& action,
                                  std::map<std::string, std::string> extra) {
  Event e{.type = "container", .action = action, .id = doc.value("Id", "")};
  e.attributes = std::move(extra);
  e.attributes["image"] = doc["Config"].value("Image", "");
  std::string name = doc.value("Name", "");
  e.attributes["name"] = name.empty() ? name : name.substr(1);
  if (doc["Config"].contains("Labels") && doc["Config"]["Labels"].is_object()) {
    for (const auto& [k, v] : doc["Config"]["Labels"].items()) {
      if (v.is_string()) e.attributes.emplace(k, v.get<std::string>());
    }
  }
  events.publish(std::move(e));
}

Result<std::shared_ptr<Container>> ContainerService::Impl::find(std::string_view nameOrId) const {
  std::lock_guard g(mu);
  std::string key(nameOrId);
  if (key.empty()) return Error::notFound("No such container: {}", key);
  if (auto it = byId.find(key); it != byId.end()) return it->second;
  if (auto it = byName.find(key[0] == '/' ? key : "/" + key); it != byName.end())
    return byId.at(it->second);
  std::shared_ptr<Container> found;
  for (const auto& [id, c] : byId) {
    if (startsWith(id, key)) {
      if (found) return Error::invalid("multiple IDs found with provided prefix: {}", key);
      found = c;
    }
  }
  if (!found) return Error::notFound("No such container: {}", key);
  return found;
}

Result<std::string> ContainerService::resolve(std::string_view nameOrId) const {
  auto c = TRY(impl_->find(nameOrId));
  return c->id;
}

Status ContainerService::Impl::killLocked(Container& c, int sig) {
  return runRuntime(c.doc, {"kill", c.id, std::to_string(sig)});
}

Status ContainerService::kill(const std::string& nameOrId, const std::string& signal) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  int sig = TRY(signalNumber(signal.empty() ? "KILL" : signal));
  std::unique_lock lk(c->mu);
  if (!c->doc["State"].value("Running", false)) {
    return Error(
        ErrorKind::Conflict,
        fmt::format("Cannot kill container: {}: Container {} is not running", nameOrId, c->id));
  }
  if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT) c->stopRequested = true;
  TRY(im.killLocked(*c, sig));
  im.emit(c->doc, "kill", {{"signal", std::to_string(sig)}});
  if (c->doc["State"].value("Paused", false) && (sig == SIGKILL || sig == SIGTERM)) {
    (void)im.runRuntime(c->doc, {"resume", c->id});
  }
  return {};
}

Status ContainerService::stop(const std::string& nameOrId, std::optional<int> timeoutSeconds,
                              const std::string& signal) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::unique_lock lk(c->mu);
  Json& s = c->doc["State"];
  c->stopRequested = true;
  if (s.value("Restarting", false)) {
    s["Restarting"] = false;
    s["Status"] = "exited";
    (void)im.save(*c);
    c->cv.notify_all();
    return {};
  }
  if (!s.value("Running", false)) return Error(ErrorKind::NotModified, "container already stopped");
  std::string sigName = signal.empty() ? c->doc["Config"].value("StopSignal", "") : signal;
  int sig = TRY(signalNumber(sigName.empty() ? "TERM" : sigName));
  int timeout = timeoutSeconds.value_or(c->doc["Config"].value("StopTimeout", 10));
  uint64_t seq = c->exitSeq;
  if (auto st = im.killLocked(*c, sig); !st) spdlog::info("stop {}: {}", c->id, st.error().what());
  if (s.value("Paused", false)) (void)im.runRuntime(c->doc, {"resume", c->id});
  im.emit(c->doc, "kill", {{"signal", std::to_string(sig)}});
  bool exited = timeout < 0 ? (c->cv.wait(lk, [&] { return c->exitSeq != seq; }), true)
                            : c->cv.wait_for(lk, std::chrono::seconds(timeout),
                                             [&] { return c->exitSeq != seq; });
  if (exited) {
    im.emit(c->doc, "stop");
    return {};
  }
  if (auto st = im.killLocked(*c, SIGKILL); !st)
    spdlog::info("stop {}: {}", c->id, st.error().what());
  if (!c->cv.wait_for(lk, std::chrono::seconds(30), [&] { return c->exitSeq != seq; })) {
    return Error::internal("container {} did not exit 30 s after SIGKILL", c->id.substr(0, 12));
  }
  im.emit(c->doc, "stop");
  return {};
}

Status ContainerService::restart(const std::string& nameOrId, std::optional<int> timeoutSeconds) {
  if (auto st = stop(nameOrId, timeoutSeconds); !st && st.error().kind() != ErrorKind::NotModified)
    return st;
  return start(nameOrId);
}

Status ContainerService::start(const std::string& nameOrId) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::unique_lock lk(c->mu);
  std::string status = stateStatus(c->doc["State"]);
  if (c->removed)
    return Error(ErrorKind::Conflict,
                 fmt::format("container {} is marked for removal and cannot be started", c->id));
  if (status == "paused")
    return Error(ErrorKind::Conflict, "cannot start a paused container, try unpause instead");
  if (status == "running" || c->starting)
    return Error(ErrorKind::NotModified, "container already started");
  if (status == "restarting")
    return Error(
        ErrorKind::Conflict,
        fmt::format("container {} is restarting, wait until the container is running", c->id));
  c->stopRequested = false;
  Status st = im.startLocked(c, lk);
  if (!st && c->doc["HostConfig"].value("AutoRemove", false)) {
    // docker run --rm waits for the removal, also when the start failed.
    if (auto r = im.removeLocked(c, lk, true); !r)
      spdlog::warn("auto-remove {}: {}", c->id, r.error().what());
  }
  return st;
}

Status ContainerService::pause(const std::string& nameOrId) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::unique_lock lk(c->mu);
  Json& s = c->doc["State"];
  if (!s.value("Running", false))
    return Error(ErrorKind::Conflict, fmt::format("Container {} is not running", c->id));
  if (s.value("Paused", false))
    return Error(ErrorKind::Conflict, fmt::format("Container {} is already paused", c->id));
  TRY(im.runRuntime(c->doc, {"pause", c->id}));
  s["Paused"] = true;
  s["Status"] = "paused";
  im.emit(c->doc, "pause");
  return im.save(*c);
}

Status ContainerService::unpause(const std::string& nameOrId) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::unique_lock lk(c->mu);
  Json& s = c->doc["State"];
  if (!s.value("Paused", false))
    return Error(ErrorKind::Conflict, fmt::format("Container {} is not paused", c->id));
  TRY(im.runRuntime(c->doc, {"resume", c->id}));
  s["Paused"] = false;
  s["Status"] = "running";
  im.emit(c->doc, "unpause");
  return im.save(*c);
}

Status ContainerService::Impl::removeLocked(const std::shared_ptr<Container>& c,
                                            std::unique_lock<std::mutex>& lk, bool volumes) {
  c->removed = true;
  c->doc["State"]["Status"] = "removing";
  c->stopRequested = true;
  // The container's directory (upper, work, config, logs) leaves containers/ by a rename and is
  // deleted once the removal is reported, with the shim's state dir: the deletion is most of a
  // removal's time (ext4 unlinks, synchronous discards on some hosts: milliseconds), and
  // `run --rm` waits for the removal, not for the files.
  // Its rootfs moves along, still mounted, and is unmounted there afterwards too: an unmount
  // waits for RCU grace periods (the mount's, the overlay's), up to a millisecond on this VM.
  std::string rootfs = bundleDir(c->id) + "/rootfs";
  Status st;
  std::string trashed;
  auto moved = snapshots->moveToTrash(c->id, trashDir(), rootfs);
  if (moved) {
    trashed = std::move(*moved);
  } else {
    st = unmountRootfs(*c);
    if (st) st = std::move(moved).error();
  }
  if (!st) {
    c->removed = false;
    c->doc["State"]["Status"] = "dead";
    c->doc["State"]["Dead"] = true;
    (void)save(*c);
    return std::move(st).error().context("remove container " + c->id.substr(0, 12));
  }
  if (volumes) {
    for (const auto& v : c->doc["_berth"].value("anonymousVolumes", Json::array())) {
      if (auto r = removeVolumeRecord(v.get<std::string>()); !r)
        spdlog::warn("remove volume {}: {}", v.get<std::string>(), r.error().what());
    }
  }
  {
    std::lock_guard g(imageMu);
    if (auto d = Digest::parse(c->doc.value("Image", "")); d) {
      if (auto r = images.removeUser(*d, c->id); !r)
        spdlog::warn("remove {}: {}", c->id, r.error().what());
    }
  }
  (void)erase(c->id);
  emit(c->doc, "destroy");
  std::string name = c->doc.value("Name", "");
  c->cv.notify_all();
  lk.unlock();
  {
    std::lock_guard g(mu);
    byId.erase(c->id);
    if (auto it = byName.find(name); it != byName.end() && it->second == c->id) byName.erase(it);
  }
  (void)storage::removeTree(stateDir(c->id));
  if (!trashed.empty()) {
    Status r = sys::unmount(trashed + "/rootfs", MNT_DETACH, true);
    if (r) r = storage::removeTree(trashed);
    if (!r) spdlog::warn("remove container {}: {}", c->id, r.error().what());
  }
  lk.lock();
  return {};
}

Status ContainerService::remove(const std::string& nameOrId, bool force, bool volumes) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::unique_lock lk(c->mu);
  if (c->removed)
    return Error(ErrorKind::Conflict,
                 fmt::format("removal of container {} is already in progress", c->id));
  Json& s = c->doc["State"];
  if (s.value("Running", false) || s.value("Restarting", false)) {
    if (!force) {
      std::string what = s.value("Paused", false)       ? "paused"
                         : s.value("Restarting", false) ? "restarting"
                                                        : "running";
      return Error(ErrorKind::Conflict,
                   fmt::format("cannot remove container \"{}\": container is {}: stop the "
                               "container before removing or force remove",
                               c->doc.value("Name", c->id), what));
    }
    c->stopRequested = true;
    if (s.value("Running", false)) {
      uint64_t seq = c->exitSeq;
      TRY(im.killLocked(*c, SIGKILL));
      if (s.value("Paused", false)) (void)im.runRuntime(c->doc, {"resume", c->id});
      if (!c->cv.wait_for(lk, std::chrono::seconds(30), [&] { return c->exitSeq != seq; })) {
        return Error::internal("container {} did not exit after SIGKILL", c->id.substr(0, 12));
      }
      if (c->removed) return {};  // AutoRemove got there first
    }
  }
  return im.removeLocked(c, lk, volumes);
}

Status ContainerService::rename(const std::string& nameOrId, const std::string& newName) {
  auto& im = *impl_;
  std::string name = newName;
  if (!name.empty() && name[0] == '/') name = name.substr(1);
  if (name.empty()) return Error::invalid("Neither old nor new names may be empty");
  auto c = TRY(im.find(nameOrId));
  std::lock_guard g(im.mu);
  std::unique_lock lk(c->mu);
  std::string old = c->doc.value("Name", "");
  if (old == "/" + name)
    return Error::invalid("Renaming a container with the same name as its current name");
  if (auto it = im.byName.find("/" + name); it != im.byName.end()) {
    return Error(
        ErrorKind::Conflict,
        fmt::format("Conflict. The container name \"/{}\" is already in use by container \"{}\". "
                    "You have to remove (or rename) that container to be able to reuse that name.",
                    name, it->second));
  }
  c->doc["Name"] = "/" + name;
  if (auto st = im.save(*c); !st) {
    c->doc["Name"] = old;
    return st;
  }
  im.byName.erase(old);
  im.byName["/" + name] = c->id;
  im.emit(c->doc, "rename", {{"oldName", old}});
  return {};
}

Result<WaitResult> ContainerService::wait(const std::string& nameOrId, const std::string& condition,
                                          const CancelFn& cancelled) {
  auto c = TRY(impl_->find(nameOrId));
  std::unique_lock lk(c->mu);
  uint64_t seq = c->exitSeq;
  auto done = [&] {
    if (condition == "removed") return c->removed;
    if (condition == "next-exit") return c->exitSeq != seq || c->removed;
    const Json& s = c->doc["State"];
    return (!s.value("Running", false) && !c->starting && !s.value("Restarting", false)) ||
           c->removed;
  };
  if (condition != "" && condition != "not-running" && condition != "next-exit" &&
      condition != "removed") {
    return Error::invalid("invalid condition: \"{}\"", condition);
  }
  while (!done()) {
    c->cv.wait_for(lk, std::chrono::milliseconds(250));
    if (cancelled && cancelled()) return Error(ErrorKind::Cancelled, "client went away");
  }
  WaitResult r;
  // A start that failed is the start request's error, not the wait's (dockerd's waiters see
  // only the exit code then: 127 for a missing executable).
  r.statusCode = c->doc["State"].value("ExitCode", 0);
  return r;
}

Status ContainerService::resize(const std::string& nameOrId, int rows, int cols) {
  auto c = TRY(impl_->find(nameOrId));
  std::unique_lock lk(c->mu);
  if (!c->doc["State"].value("Running", false)) {
    return Error(ErrorKind::Conflict, fmt::format("Container {} is not running", c->id));
  }
  TRY(shimCall(impl_->stateDir(c->id), fmt::format("resize {} {}", rows, cols)));
  return {};
}

Result<bool> ContainerService::isTty(const std::string& nameOrId) const {
  auto c = TRY(impl_->find(nameOrId));
  std::lock_guard lk(c->mu);
  return c->doc["Config"].value("Tty", false);
}

Result<Json> ContainerService::inspect(const std::string& nameOrId, bool size) const {
  auto c = TRY(impl_->find(nameOrId));
  Json doc;
  {
    std::lock_guard lk(c->mu);
    doc = c->doc;
  }
  doc.erase("_berth");
  if (doc["NetworkSettings"].is_object())
    doc["NetworkSettings"]["Networks"] = containerNetworks(doc["HostConfig"]);
  std::vector<std::string> execIds;
  {
    std::lock_guard g(impl_->mu);
    for (const auto& [id, e] : impl_->execs) {
      if (e.containerId == c->id) execIds.push_back(id);
    }
  }
  doc["ExecIDs"] = execIds.empty() ? Json(nullptr) : Json(execIds);
  if (size) {
    int64_t rw = impl_->snapshots->diskUsage(c->id).value_or(0);
    doc["SizeRw"] = rw;
    doc["SizeRootFs"] = rw + impl_->imageSize(doc.value("Image", ""));
  }
  return doc;
}

}  // namespace berth::engine
