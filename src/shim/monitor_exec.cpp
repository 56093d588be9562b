// exec: `runtime exec --detach` with the exec's own stdio; the process is reparented to the
// shim (its subreaper) when the runtime exits, so its exit is seen by reaping it. Its output
// goes to its one client only (Docker does not log exec output), ending in a kFrameExit frame.
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "shim/clock.h"
#include "shim/monitor.h"
#include "shim/spawn.h"
#include "shim/stdio.h"
#include "shim/util.h"

namespace berth::shim {

Monitor::Exec* Monitor::findExec(const std::string& id) {
  auto it = execs_.find(id);
  return it == execs_.end() ? nullptr : it->second.get();
}

void Monitor::handleExec(Client& c, const Request& r, std::string_view rest) {
  if (phase_ != Phase::Running) {
    replyError(c, Error(ErrorKind::FailedPrecondition, "container is not running"));
    return;
  }
  if (findExec(r.execId)) {
    replyError(c, Error(ErrorKind::AlreadyExists, "exec " + r.execId + " is already running"));
    return;
  }
  auto started = startExec(r);
  if (!started) {
    replyError(c, started.error());
    return;
  }
  Exec* e = started->get();
  execs_.emplace(r.execId, std::move(*started));
  e->client = &c;
  watchSource(e->out, e);
  if (e->err.fd) watchSource(e->err, e);
  c.mode = ClientMode::Exec;
  c.execId = r.execId;
  c.queue("ok " + std::to_string(e->pid) + "\n");
  c.flush(monotonicMs());
  if (!rest.empty()) onClientInput(c, rest);
}

Result<std::unique_ptr<Monitor::Exec>> Monitor::startExec(const Request& r) {
  std::string serial = std::to_string(++nextSerial_);
  std::string pidFile = statePath("exec-" + serial + ".pid");
  struct RemovePidFile {
    const std::string& path;
    ~RemovePidFile() { ::unlink(path.c_str()); }
  } removePidFile{pidFile};
  auto stdio =
      TRY(ProcessStdio::make(r.tty, r.openStdin, statePath("console-" + serial + ".sock")));
  std::vector<std::string> argv =
      runtimeArgs({"exec", "--detach", "--pid-file", pidFile, "--process", r.processFile});
  if (r.tty) argv.insert(argv.end(), {"--console-socket", stdio.consoleSocket()});
  argv.push_back(opts_.id);
  auto res = TRY(runToExit(argv, stdio.runtimeStdio(), r.tty, kRuntimeTimeoutMs));
  stdio.closeProcessEnds();
  if (res.code != 0) {
    res.errText += stdio.runtimeStderr();
    return Error(ErrorKind::Internal, runtimeErrorMessage(res.errText, res.code, "runtime exec"));
  }
  auto e = std::make_unique<Exec>();
  e->id = r.execId;
  e->pid = TRY(readPidFile(pidFile));
  auto ends = stdio.adopt();
  if (!ends) {
    ::kill(e->pid, SIGKILL);  // running, but nobody could ever talk to it
    return std::move(ends).error();
  }
  e->out.fd = std::move(ends->out);
  e->err.fd = std::move(ends->err);
  e->err.stream = kFrameStderr;
  e->master = std::move(ends->master);
  if (r.openStdin) e->in = Sink(std::move(ends->in), r.tty);
  e->lastActivityMs = monotonicMs();
  return e;
}

void Monitor::handleExecResize(Client& c, const Request& r) {
  Exec* e = findExec(r.execId);
  if (!e) {
    replyError(c, Error(ErrorKind::NotFound, "no exec " + r.execId + " is running"));
  } else if (!e->master) {
    replyError(c, Error(ErrorKind::FailedPrecondition, "exec " + r.execId + " has no tty"));
  } else if (auto st = setWinsize(e->master.get(), r.rows, r.cols); !st) {
    replyError(c, st.error());
  } else {
    reply(c, "ok");
  }
}

void Monitor::onExecExit(Exec& e, int code) {
  e.exited = true;
  e.exitCode = code;
  e.lastActivityMs = monotonicMs();
}

void Monitor::checkExecs(int64_t now, bool force) {
  for (auto it = execs_.begin(); it != execs_.end();) {
    Exec& e = *it->second;
    bool open = e.out.fd.valid() || e.err.fd.valid();
    if (e.exited && open && now - e.lastActivityMs >= kDrainGraceMs) open = false;
    if (force || (e.exited && !open)) {
      finishExec(e);
      it = execs_.erase(it);
    } else {
      ++it;
    }
  }
}

void Monitor::finishExec(Exec& e) {
  closeSource(e.out, &e);
  closeSource(e.err, &e);
  if (e.in.valid()) {
    loop_.remove(e.in.fd());
    e.in.close();
  }
  e.master.reset();
  Client* c = e.client;
  e.client = nullptr;
  if (!c || c->dead) return;
  // An exec still running when the container's init is gone gets no exit frame: its code is
  // unknown.
  if (e.exited) c->queueFrame(kFrameExit, std::to_string(e.exitCode));
  c->closeWhenFlushed = true;
  if (c->flush(monotonicMs()) && c->pending() == 0) c->dead = true;
}

}  // namespace berth::shim
