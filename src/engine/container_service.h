#pragma once
// ContainerService: the containers of one daemon. A container's record is Docker's inspect
// document (ContainerJSON), kept in berth.db and changed only in transactions; its process runs
// under a berth-shim (src/shim/protocol.h) that outlives berthd, so open() picks running
// containers up again (live restore) and records the exits that happened while berthd was down.
// No HTTP here: streams are handed out as file descriptors in the shim's frame format.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "apitypes/filters.h"
#include "base/error.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "engine/events.h"
#include "engine/image_service.h"

namespace berth::engine {

struct EngineOptions {
  std::string dataRoot = "/var/lib/berth";
  std::string execRoot = "/run/berth";
  std::string runtimePath;  // berth-runtime (or runc) binary
  std::string shimPath;     // berth-shim binary
  std::string initPath;     // berth-init binary, mounted at /sbin/docker-init for --init
  std::string cgroupParent = "/berth";
  std::map<std::string, std::string> runtimes;  // --runtime NAME -> binary, "berth" built in
  // The profile of containers that name none (dockerd's --seccomp-profile): "builtin" (Docker's
  // default), "unconfined", or a file, which berthd read and parsed at start-up into
  // seccompProfileJson.
  std::string seccompProfile = "builtin";
  std::optional<Json> seccompProfileJson;
};

struct CreateResult {
  std::string id;
  std::vector<std::string> warnings;
};

struct ListOptions {
  bool all = false;
  int limit = -1;  // -n / last: the newest N (implies all)
  bool size = false;
  apitypes::Filters filters;
};

struct LogOptions {
  bool stdoutStream = true, stderrStream = true;
  bool follow = false, timestamps = false;
  int64_t sinceNs = 0, untilNs = 0;  // 0: unbounded
  int64_t tail = -1;                 // -1: all
};

struct LogEntry {
  int stream = 1;  // 1 stdout, 2 stderr
  std::string time;
  std::string line;
};

struct ExecConfig {
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user, workingDir;
  bool tty = false, attachStdin = false, attachStdout = true, attachStderr = true;
  bool privileged = false;
  std::string detachKeys;
};

struct WaitResult {
  int statusCode = 0;
};

// Stops a blocking call early (the client went away).
using CancelFn = std::function<bool()>;

class ContainerService {
 public:
  /// Opens the container table and restores: running containers whose shim answers are
  /// monitored again; the others get the exit their shim recorded (or 255 when none).
  /// imageMu serialises every use of images (ImageService assumes one writer at a time).
  static Result<std::unique_ptr<ContainerService>> open(const EngineOptions& opts,
                                                        ImageService& images, std::mutex& imageMu,
                                                        EventBus& events);
  ~ContainerService();

  /// name/id/prefix -> full id; NotFound "No such container: x".
  Result<std::string> resolve(std::string_view nameOrId) const;

  /// POST /containers/create: body is Docker's ContainerCreateRequest (Config plus HostConfig).
  Result<CreateResult> create(const std::string& name, const Json& body);
  /// NotModified when running already.
  Status start(const std::string& nameOrId);
  Status stop(const std::string& nameOrId, std::optional<int> timeoutSeconds,
              const std::string& signal = "");
  Status restart(const std::string& nameOrId, std::optional<int> timeoutSeconds);
  Status kill(const std::string& nameOrId, const std::string& signal);
  Status pause(const std::string& nameOrId);
  Status unpause(const std::string& nameOrId);
  /// condition: "not-running" (default), "next-exit", "removed".
  Result<WaitResult> wait(const std::string& nameOrId, const std::string& condition,
                          const CancelFn& cancelled);
  Status remove(const std::string& nameOrId, bool force, bool volumes);
  Status rename(const std::string& nameOrId, const std::string& newName);
  Status resize(const std::string& nameOrId, int rows, int cols);

  Result<std::vector<Json>> list(const ListOptions& opts) const;
  Result<Json> inspect(const std::string& nameOrId, bool size = false) const;
  Result<Json> top(const std::string& nameOrId, const std::string& psArgs) const;
  Result<Json> changes(const std::string& nameOrId) const;
  Result<Json> prune(const apitypes::Filters& filters);

  /// The container's tty setting (to pick raw or multiplexed framing).
  Result<bool> isTty(const std::string& nameOrId) const;
  /// Attaches to the container's stdio through its shim; for a container not yet started this
  /// waits (until cancelled) for start, so no output is lost. An empty fd: nothing to attach to
  /// (the container exited).
  Result<UniqueFd> attach(const std::string& nameOrId, bool in, bool out, bool err,
                          const CancelFn& cancelled);
  /// Reads the json log; calls emit for every entry (and, with follow, new ones until the
  /// container stops or emit returns false).
  Status logs(const std::string& nameOrId, const LogOptions& opts,
              const std::function<bool(const LogEntry&)>& emit, const CancelFn& cancelled) const;

  Result<std::string> execCreate(const std::string& nameOrId, const ExecConfig& cfg);
  /// Starts the exec and returns its stream (frames, then a kFrameExit frame). With detach the
  /// stream is drained in the background.
  Result<UniqueFd> execStart(const std::string& execId, bool detach);
  /// True when execStart got as far as launching the process and that failed (exit 126).
  bool execLaunchFailed(const std::string& execId) const;
  /// Records the exec's exit code (read from the kFrameExit frame by whoever drains it).
  void execExited(const std::string& execId, int code);
  /// Drains an exec's stream in the background, keeping only its exit code: a detached exec,
  /// or one whose client detached. pending: bytes of the stream already read (a frame begun).
  void execDrain(const std::string& execId, UniqueFd stream, std::string pending = {});
  Status execResize(const std::string& execId, int rows, int cols);
  Result<Json> execInspect(const std::string& execId) const;

  /// docker volume create: an existing volume of that name is returned as it is (as Docker does).
  Result<Json> volumeCreate(const std::string& name,
                            const std::map<std::string, std::string>& labels,
                            const std::string& driver);
  Result<std::vector<Json>> volumeList(const apitypes::Filters& filters) const;
  Result<Json> volumeInspect(const std::string& name) const;
  /// Conflict while a container uses it (unless force, which still refuses running users).
  Status volumeRemove(const std::string& name, bool force);
  /// Unused volumes: anonymous ones only, or all with all=true (API >= 1.42 semantics).
  Result<Json> volumePrune(const apitypes::Filters& filters);
  /// Bytes on disk under the volume's data dir.
  Result<int64_t> volumeSize(const std::string& name) const;

  /// docker cp: the stat Docker sends in X-Docker-Container-Path-Stat (name, size, Go file
  /// mode, mtime, linkTarget); NotFound when the path does not exist in the container.
  Result<Json> archiveStat(const std::string& nameOrId, const std::string& path);
  /// A tar of path (its base name first) written to fd.
  Status archiveGet(const std::string& nameOrId, const std::string& path, int fd);
  /// Unpacks the tar read from fd into the directory path.
  Status archivePut(const std::string& nameOrId, const std::string& path, int fd);

  /// docker stats: one sample of the cgroup counters (precpu_stats left empty; the API fills it
  /// from the previous sample). A stopped container gives zeros, as in Docker.
  Result<Json> statsSample(const std::string& nameOrId) const;

  /// Export: the container's filesystem as a tar, written to fd.
  Status exportFs(const std::string& nameOrId, int fd);
  /// docker commit.
  Result<Digest> commit(const std::string& nameOrId, const CommitOptions& opts, bool pause);

  struct Impl;

 private:
  explicit ContainerService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::engine
