// A container's streams: attach (through the shim), logs (the json-file log, followed), exec
// (through the shim), export and commit of its filesystem.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/shim_client.h"
#include "image/layer.h"
#include "shim/frame.h"
#include "shim/protocol.h"
#include "storage/fs_tree.h"

namespace berth::engine {

Result<UniqueFd> ContainerService::attach(const std::string& nameOrId, bool in, bool out, bool err,
                                          const CancelFn& cancelled) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::vector<std::string> streams;
  if (in) streams.push_back("stdin");
  if (out) streams.push_back("stdout");
  if (err) streams.push_back("stderr");
  if (streams.empty()) return UniqueFd();
  std::unique_lock lk(c->mu);
  if (!c->attachOpen) {
    // Not running: wait for the next start, as Docker's stream config does.
    c->pendingAttach++;
    uint64_t failures = c->startFailures;
    while (!c->attachOpen && !c->removed && !im.closing && c->startFailures == failures) {
      c->cv.wait_for(lk, std::chrono::milliseconds(250));
      if (cancelled && cancelled()) break;
    }
    c->pendingAttach--;
    c->cv.notify_all();
    if (!c->attachOpen) return UniqueFd();
  }
  UniqueFd fd = TRY(connectShim(im.stateDir(c->id)));
  TRY(shimRequest(fd.get(), "attach " + join(streams, ",")));
  im.emit(c->doc, "attach");
  return fd;
}

namespace {

// The log and its rotated predecessors, oldest first.
std::vector<std::string> logFiles(const std::string& path) {
  std::vector<std::string> files;
  for (int i = 1;; ++i) {
    std::string p = path + "." + std::to_string(i);
    if (::access(p.c_str(), F_OK) != 0) break;
    files.insert(files.begin(), p);
  }
  files.push_back(path);
  return files;
}

bool parseLogLine(std::string_view line, LogEntry& e) {
  auto j = parseJson(line, "log line");
  if (!j || !j->is_object()) return false;
  e.line = j->value("log", "");
  e.stream = j->value("stream", "stdout") == "stderr" ? 2 : 1;
  e.time = j->value("time", "");
  return true;
}

}  // namespace

Status ContainerService::logs(const std::string& nameOrId, const LogOptions& o,
                              const std::function<bool(const LogEntry&)>& emit,
                              const CancelFn& cancelled) const {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  std::string path;
  {
    std::lock_guard lk(c->mu);
    std::string type = c->doc["HostConfig"]["LogConfig"].value("Type", "json-file");
    if (type != "json-file") {
      return Error(ErrorKind::NotImplemented, "configured logging driver does not support reading");
    }
    path = c->doc.value("LogPath", "");
  }
  auto wanted = [&](const LogEntry& e) {
    if ((e.stream == 1 && !o.stdoutStream) || (e.stream == 2 && !o.stderrStream)) return false;
    if (o.sinceNs || o.untilNs) {
      int64_t t = parseRfc3339Ns(e.time);
      if (o.sinceNs && t < o.sinceNs) return false;
      if (o.untilNs && t > o.untilNs) return false;
    }
    return true;
  };
  // Existing content (tail applies here).
  std::vector<LogEntry> entries;
  for (const std::string& f : logFiles(path)) {
    auto text = readFile(f);
    if (!text) continue;
    for (const std::string& line : split(*text, '\n', true)) {
      LogEntry e;
      if (parseLogLine(line, e) && wanted(e)) entries.push_back(std::move(e));
    }
  }
  size_t first = 0;
  if (o.tail >= 0 && static_cast<size_t>(o.tail) < entries.size())
    first = entries.size() - static_cast<size_t>(o.tail);
  for (size_t i = first; i < entries.size(); ++i) {
    if (!emit(entries[i])) return {};
  }
  if (!o.follow) return {};

  // Follow: read what is appended from where the file ends now, until the container stops.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st = {};
  off_t pos = 0;
  if (fd && ::fstat(fd.get(), &st) == 0) pos = st.st_size;
  std::string partial;
  auto running = [&] {
    std::lock_guard lk(c->mu);
    const Json& s = c->doc["State"];
    return (s.value("Running", false) || c->starting || s.value("Restarting", false)) &&
           !c->removed;
  };
  for (;;) {
    bool alive = running();
    // Rotation: a new file at path means the old one is complete.
    struct stat now = {};
    if (::stat(path.c_str(), &now) == 0 && (!fd || now.st_ino != st.st_ino)) {
      fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      st = now;
      pos = 0;
    }
    bool any = false;
    if (fd) {
      char buf[65536];
      ssize_t n;
      while ((n = ::pread(fd.get(), buf, sizeof buf, pos)) > 0) {
        pos += n;
        partial.append(buf, static_cast<size_t>(n));
        any = true;
      }
      size_t nl;
      while ((nl = partial.find('\n')) != std::string::npos) {
        LogEntry e;
        if (parseLogLine(std::string_view(partial).substr(0, nl), e) && wanted(e) && !emit(e))
          return {};
        partial.erase(0, nl + 1);
      }
    }
    if (!alive && !any) return {};
    if (cancelled && cancelled()) return {};
    if (o.untilNs) {
      struct timespec ts;
      ::clock_gettime(CLOCK_REALTIME, &ts);
      if (ts.tv_sec * 1000000000LL + ts.tv_nsec > o.untilNs) return {};
    }
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Result<std::string> ContainerService::execCreate(const std::string& nameOrId,
                                                 const ExecConfig& cfg) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  if (cfg.cmd.empty()) return Error::invalid("No exec command specified");
  {
    std::lock_guard lk(c->mu);
    const Json& s = c->doc["State"];
    if (!s.value("Running", false))
      return Error(ErrorKind::Conflict, fmt::format("Container {} is not running", c->id));
    if (s.value("Paused", false))
      return Error(ErrorKind::Conflict,
                   fmt::format("Container {} is paused, unpause the container before exec", c->id));
    if (s.value("Restarting", false))
      return Error(
          ErrorKind::Conflict,
          fmt::format("Container {} is restarting, wait until the container is running", c->id));
  }
  ExecRecord r;
  r.id = randomHexId();
  r.containerId = c->id;
  r.cfg = cfg;
  std::lock_guard g(im.mu);
  im.execs[r.id] = r;
  return r.id;
}

Result<LaunchedExec> ContainerService::Impl::launchExec(const Json& doc, const std::string& execId,
                                                        const ExecConfig& cfg, bool withStdin) {
  std::string id = doc.value("Id", "");
  std::string path = stateDir(id) + "/exec-" + execId + ".json";
  auto launch = [&]() -> Result<LaunchedExec> {
    std::string process = TRY(buildExecProcess(*this, doc, cfg));
    TRY(writeFileAtomic(path, process, 0600, Durability::Volatile));
    std::vector<std::string> flags;
    if (cfg.tty) flags.push_back("tty");
    if (withStdin) flags.push_back("stdin");
    UniqueFd shim = TRY(connectShim(stateDir(id)));
    std::string answer =
        TRY(shimRequest(shim.get(), fmt::format("exec {} {} {}", execId, path,
                                                flags.empty() ? "-" : join(flags, ","))));
    return LaunchedExec{std::move(shim),
                        static_cast<pid_t>(parseInt(trim(answer), "exec pid").value_or(0))};
  };
  auto launched = launch();
  if (!launched) ::unlink(path.c_str());
  return launched;
}

Result<UniqueFd> ContainerService::execStart(const std::string& execId, bool detach) {
  auto& im = *impl_;
  ExecRecord rec;
  {
    std::lock_guard g(im.mu);
    auto it = im.execs.find(execId);
    if (it == im.execs.end()) return Error::notFound("No such exec instance: {}", execId);
    if (it->second.started)
      return Error(ErrorKind::Conflict,
                   fmt::format("Error: Exec command {} has already run", execId));
    it->second.started = true;
    rec = it->second;
  }
  auto c = TRY(im.find(rec.containerId));
  Json doc;
  {
    std::lock_guard lk(c->mu);
    if (!c->doc["State"].value("Running", false)) {
      return Error(ErrorKind::Conflict, fmt::format("Container {} is not running", c->id));
    }
    doc = c->doc;
  }
  // From here a failure is the process's: docker records exit code 126 for it.
  auto launched = im.launchExec(doc, execId, rec.cfg, rec.cfg.attachStdin && !detach);
  if (!launched) {
    std::lock_guard g(im.mu);
    if (auto it = im.execs.find(execId); it != im.execs.end()) {
      it->second.launchFailed = true;
      it->second.exitCode = 126;
    }
    return std::move(launched).error();
  }
  {
    std::lock_guard g(im.mu);
    auto& e = im.execs[execId];
    e.running = true;
    e.pid = launched->pid;
  }
  UniqueFd fd = std::move(launched->stream);
  if (!detach) return fd;
  execDrain(execId, std::move(fd));
  return UniqueFd();
}

void ContainerService::execDrain(const std::string& execId, UniqueFd stream, std::string pending) {
  std::thread([this, execId, fd = std::move(stream), data = std::move(pending)]() mutable {
    int code = -1;
    char buf[16384];
    for (;;) {
      // Whole frames first; the exit frame ends the stream.
      while (auto h = shim::decodeFrameHeader(data)) {
        if (data.size() < shim::kFrameHeaderSize + h->length) break;
        if (h->stream == shim::kFrameExit) {
          std::string_view payload(data.data() + shim::kFrameHeaderSize, h->length);
          code = static_cast<int>(parseInt(payload, "exit code").value_or(-1));
          break;
        }
        data.erase(0, shim::kFrameHeaderSize + h->length);
      }
      if (code >= 0) break;
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    execExited(execId, code < 0 ? 126 : code);
  }).detach();
}

bool ContainerService::execLaunchFailed(const std::string& execId) const {
  std::lock_guard g(impl_->mu);
  auto it = impl_->execs.find(execId);
  return it != impl_->execs.end() && it->second.launchFailed;
}

void ContainerService::execExited(const std::string& execId, int code) {
  auto& im = *impl_;
  std::string cid;
  {
    std::lock_guard g(im.mu);
    auto it = im.execs.find(execId);
    if (it == im.execs.end()) return;
    it->second.running = false;
    it->second.exitCode = code;
    cid = it->second.containerId;
  }
  ::unlink((im.stateDir(cid) + "/exec-" + execId + ".json").c_str());
}

Status ContainerService::execResize(const std::string& execId, int rows, int cols) {
  auto& im = *impl_;
  std::string cid;
  {
    std::lock_guard g(im.mu);
    auto it = im.execs.find(execId);
    if (it == im.execs.end()) return Error::notFound("No such exec instance: {}", execId);
    cid = it->second.containerId;
  }
  TRY(shimCall(im.stateDir(cid), fmt::format("exec-resize {} {} {}", execId, rows, cols)));
  return {};
}

Result<Json> ContainerService::execInspect(const std::string& execId) const {
  auto& im = *impl_;
  std::lock_guard g(im.mu);
  auto it = im.execs.find(execId);
  if (it == im.execs.end()) return Error::notFound("No such exec instance: {}", execId);
  const ExecRecord& e = it->second;
  std::vector<std::string> args(e.cfg.cmd.begin() + 1, e.cfg.cmd.end());
  return Json{{"ID", e.id},
              {"Running", e.running},
              {"ExitCode", e.exitCode < 0 ? Json(nullptr) : Json(e.exitCode)},
              {"ProcessConfig",
               {{"tty", e.cfg.tty},
                {"entrypoint", e.cfg.cmd.front()},
                {"arguments", args},
                {"privileged", e.cfg.privileged},
                {"user", e.cfg.user}}},
              {"OpenStdin", e.cfg.attachStdin},
              {"OpenStderr", e.cfg.attachStderr},
              {"OpenStdout", e.cfg.attachStdout},
              {"CanRemove", false},
              {"ContainerID", e.containerId},
              {"DetachKeys", e.cfg.detachKeys},
              {"Pid", e.pid}};
}

Status ContainerService::exportFs(const std::string& nameOrId, int fd) {
  auto c = TRY(impl_->find(nameOrId));
  return withRootfs(*impl_, c, [&](const std::string& rootfs) -> Status {
    auto st = image::writeLayerTar(rootfs, fd, {.overlayWhiteouts = false});
    if (!st) return std::move(st).error().context("export container " + c->id.substr(0, 12));
    return {};
  });
}

Result<Digest> ContainerService::commit(const std::string& nameOrId, const CommitOptions& opts,
                                        bool pause) {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  Json doc;
  {
    std::lock_guard lk(c->mu);
    doc = c->doc;
  }
  bool paused = false;
  if (pause && doc["State"].value("Running", false) && !doc["State"].value("Paused", false)) {
    paused = im.runRuntime(doc, {"pause", c->id}).has_value();
  }
  CommitOptions o = opts;
  o.containerId = c->id;
  Json cfg = doc["Config"];
  for (const char* k : {"Hostname", "Domainname", "AttachStdin", "AttachStdout", "AttachStderr",
                        "Tty", "OpenStdin", "StdinOnce", "Image"}) {
    cfg.erase(k);
  }
  auto parsed = oci::containerConfigFromJson(cfg);
  Result<Digest> r = parsed ? Result<Digest>(Digest()) : Result<Digest>(parsed.error());
  if (parsed) {
    o.config = *parsed;
    std::lock_guard g(im.imageMu);
    r = im.images.commit(im.snapshots->upperDir(c->id), TRY(Digest::parse(doc.value("Image", ""))),
                         o);
  }
  if (paused) (void)im.runRuntime(doc, {"resume", c->id});
  return r;
}

}  // namespace berth::engine
