#pragma once
// ContainerService's insides, shared by the container_*.cpp files. Locking: Impl::mu guards
// the maps (ids, names, execs); each Container's own mu guards its document and runtime state.
// Take Impl::mu before a Container's mu, never the other way round.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "apitypes/timestamp.h"
#include "base/log.h"
#include "base/sqlite.h"
#include "engine/container_service.h"
#include "engine/netns_pool.h"
#include "engine/shim_client.h"
#include "storage/snapshot.h"

namespace berth::engine {

struct Container {
  std::mutex mu;
  std::condition_variable cv;
  std::string id;
  Json doc;              // Docker's ContainerJSON, as inspect shows it (and as stored)
  uint64_t exitSeq = 0;  // bumped on every exit, for wait condition=next-exit
  bool removed = false;
  bool starting = false;       // start in progress (shim launched, start not yet sent)
  bool attachOpen = false;     // the shim is up and attachers may connect
  int pendingAttach = 0;       // attachers waiting for the shim
  uint64_t startFailures = 0;  // bumped when a start fails, so waiting attachers give up
  bool stopRequested = false;  // stop/kill by the user: no restart by the policy
  bool monitored = false;      // a thread holds the shim's wait connection
  // The container's shim until it has exited. It reports the exit before the runtime's cleanup
  // (`runtime delete`) is done, so a new start waits for it to end.
  pid_t shimPid = 0;
  std::chrono::steady_clock::time_point startedAt;
  int64_t backoffMs = 0;  // restart back-off, doubled per restart
};

struct ExecRecord {
  std::string id, containerId;
  ExecConfig cfg;
  bool running = false, started = false;
  bool launchFailed = false;  // started, but its process could not be (exit code 126)
  int exitCode = -1;          // -1: none yet (null in inspect)
  pid_t pid = 0;
};

// An exec's process, started: its shim stream (output frames, then the exit frame) and pid.
struct LaunchedExec {
  UniqueFd stream;
  pid_t pid = 0;
};

struct ContainerService::Impl {
  EngineOptions opts;
  ImageService& images;
  std::mutex& imageMu;
  EventBus& events;
  std::unique_ptr<storage::SnapshotStore> snapshots;
  SqliteDb db;

  mutable std::mutex mu;
  std::map<std::string, std::shared_ptr<Container>> byId;
  std::map<std::string, std::string> byName;  // "/name" -> id
  std::map<std::string, ExecRecord> execs;
  bool closing = false;
  // Forks the shims (see shim_client.h); null when berthd has none (unit tests).
  std::unique_ptr<ShimLauncher> launcher;
  // Containers' network namespaces, made ahead (see netns_pool.h).
  NetnsPool netns;

  Impl(const EngineOptions& o, ImageService& i, std::mutex& m, EventBus& e)
      : opts(o), images(i), imageMu(m), events(e) {}
  /// A container event with Docker's attributes (image, name, labels) plus extra.
  void emit(const Json& doc, const std::string& action,
            std::map<std::string, std::string> extra = {});

  Result<std::shared_ptr<Container>> find(std::string_view nameOrId) const;
  std::string bundleDir(const std::string& id) const { return opts.dataRoot + "/containers/" + id; }
  std::string stateDir(const std::string& id) const { return opts.execRoot + "/" + id; }
  std::string runtimeRoot() const { return opts.execRoot + "/runtime"; }
  /// The init layer (container_rootfs.cpp): the topmost lower of every container's rootfs.
  std::string initLayerDir() const { return opts.dataRoot + "/init-layer.v1"; }
  // Directories of removed containers on their way out (see removeLocked).
  std::string trashDir() const { return opts.dataRoot + "/trash"; }
  Status ensureInitLayer();
  /// The overlay lowers of a container's rootfs, bottom first: its image's layers, the init layer.
  Result<std::vector<std::string>> rootfsLowers(const Json& doc);
  /// Starts an exec's process in the running container of doc (its spec written to the state
  /// dir as exec-<execId>.json, removed again when the launch fails).
  Result<LaunchedExec> launchExec(const Json& doc, const std::string& execId, const ExecConfig& cfg,
                                  bool withStdin);
  /// Health checks (container_health.cpp): the monitor of a container that just started (fresh)
  /// or was restored running; a no-op without a Healthcheck. Called with c->mu held.
  void startHealthMonitor(const std::shared_ptr<Container>& c, bool fresh);
  /// At a container's first start (rootfs mounted), its empty volumes take the image's content
  /// at their mount points, as docker fills them (container_volumes.cpp).
  Status fillVolumesOnFirstStart(Container& c, const std::string& rootfs);
  /// The size of an image ("sha256:..."), 0 when it is gone (ps -s's virtual size).
  int64_t imageSize(const std::string& imageId);
  std::string runtimeFor(const Json& doc) const;
  /// After a restart of berthd: the shim found in the state dir, watched until it exits.
  void watchRestoredShim(const std::shared_ptr<Container>& c);

  // Persistence (container_store.cpp): one transaction per change.
  Status openDb();
  Status save(const Container& c);
  Status erase(const std::string& id);
  Result<std::vector<Json>> loadAll();

  // Volumes (container_volumes.cpp): records in the volumes table, data in volumes/<name>/_data.
  Status ensureVolume(const std::string& name, bool anonymous);
  Status removeVolumeRecord(const std::string& name);
  // Containers whose Mounts use the named volume.
  std::vector<std::string> volumeUsers(const std::string& name) const;

  // Lifecycle (container_start.cpp).
  Status startLocked(const std::shared_ptr<Container>& c, std::unique_lock<std::mutex>& lk);
  void monitor(std::shared_ptr<Container> c);
  void handleExit(const std::shared_ptr<Container>& c, int code, const std::string& finishedAt,
                  bool oomKilled = false);
  /// The container's cgroup path as the runtime makes it (CgroupParent or berthd's, then its ID).
  std::string cgroupPath(const Json& doc) const;
  void restore(const std::shared_ptr<Container>& c);
  /// Unmounts the container's rootfs when mounted.
  Status unmountRootfs(Container& c);
  /// unmountRootfs, and the shim's state dir removed.
  Status cleanupAfterExit(Container& c);
  Status runRuntime(const Json& doc, const std::vector<std::string>& args);
  Status removeLocked(const std::shared_ptr<Container>& c, std::unique_lock<std::mutex>& lk,
                      bool volumes);
  Status killLocked(Container& c, int sig);
};

// container_spec.cpp: docker's ReplaceOrAppendEnvValues: each override replaces the entry of
// its name or is appended; a bare NAME (no '=') removes it and is not added.
std::vector<std::string> replaceOrAppendEnv(std::vector<std::string> env,
                                            const std::vector<std::string>& overrides);
// container_spec.cpp: CapAdd and CapDrop name known capabilities (docker's create-time check).
Status checkCapabilities(const Json& hc);
// container_spec.cpp: the OCI spec for a container's doc (rootfs mounted at bundle/rootfs).
/// The OCI spec of a container. netnsPath: the network namespace it joins (made by berthd);
/// empty: the runtime makes one, or none with the host's network.
Result<std::string> buildSpec(const ContainerService::Impl& im, const Json& doc,
                              const std::string& netnsPath = "");
Result<std::string> buildExecProcess(const ContainerService::Impl& im, const Json& doc,
                                     const ExecConfig& cfg);

// container_archive.cpp: runs fn with the container's rootfs mounted (for the call, when stopped;
// then with its volumes and bind mounts mounted on it too when volumes is true).
Status withRootfs(ContainerService::Impl& im, const std::shared_ptr<Container>& c,
                  const std::function<Status(const std::string&)>& fn, bool volumes = false);

// Docker-ish helpers (container_util.cpp).
using apitypes::nowRfc3339Nano;
using apitypes::parseRfc3339Ns;
std::string randomHexId();
std::string generateName(const std::set<std::string>& taken);
Result<int> signalNumber(std::string_view s);  // "KILL", "SIGKILL", "9"
// "running", "exited"... from the State document.
std::string stateStatus(const Json& state);

}  // namespace berth::engine
