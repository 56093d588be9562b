#include "shim/monitor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "shim/clock.h"
#include "shim/log_format.h"
#include "shim/protocol.h"
#include "shim/spawn.h"
#include "shim/stdio.h"
#include "shim/util.h"

namespace berth::shim {
namespace {

constexpr int kDeleteTimeoutMs = 60 * 1000;
// How long the last replies and output may take to reach the clients at the end.
constexpr int64_t kClosingGraceMs = 2000;

}  // namespace

Monitor::Monitor(ShimOptions opts, int signalFd) : opts_(std::move(opts)), signalFd_(signalFd) {}

Monitor::~Monitor() = default;

std::string Monitor::statePath(const std::string& name) const {
  return opts_.stateDir + "/" + name;
}

std::vector<std::string> Monitor::runtimeArgs(std::initializer_list<std::string> rest) const {
  std::vector<std::string> argv{opts_.runtime};
  if (!opts_.runtimeRoot.empty()) {
    argv.emplace_back("--root");
    argv.push_back(opts_.runtimeRoot);
  }
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

void Monitor::warn(const std::string& msg) const {
  std::string line = "berth-shim " + opts_.id + ": " + msg + "\n";
  (void)writeAllTo(STDERR_FILENO, line, "stderr");
}

Status Monitor::setup() {
  auto st = prepare();
  if (!st) cleanupFailedSetup();
  return st;
}

Status Monitor::prepare() {
  TRY(loop_.init());
  std::string shimPid = statePath(kPidFileName);
  created_.push_back(shimPid);
  TRY(writeFileReplacing(shimPid, std::to_string(::getpid()), false));
  std::string sock = statePath(kSocketName);
  created_.push_back(sock);
  listen_ = TRY(listenUnix(sock));
  if (struct stat st; ::lstat(sock.c_str(), &st) == 0) {
    socketDev_ = st.st_dev;
    socketIno_ = st.st_ino;
  }
  log_.emplace(TRY(LogFile::open(opts_.log, opts_.logMaxSize, opts_.logMaxFile)));
  created_.push_back(statePath(kInitPidFileName));
  initStdio_.emplace(TRY(ProcessStdio::make(opts_.tty, opts_.stdin, statePath("console.sock"))));
  TRY(loop_.add(listen_.get(), EPOLLIN, [this](uint32_t) { onAccept(); }));
  TRY(loop_.add(signalFd_, EPOLLIN, [this](uint32_t) { onSignal(); }));
  return {};
}

Result<pid_t> Monitor::runContainer() {
  std::string initPidFile = statePath(kInitPidFileName);
  ProcessStdio stdio = std::move(*initStdio_);
  initStdio_.reset();
  std::vector<std::string> argv =
      runtimeArgs({"run", "--detach", "--bundle", opts_.bundle, "--pid-file", initPidFile});
  if (opts_.tty) argv.insert(argv.end(), {"--console-socket", stdio.consoleSocket()});
  argv.push_back(opts_.id);
  auto res = TRY(runToExit(argv, stdio.runtimeStdio(), opts_.tty, kRuntimeTimeoutMs));
  stdio.closeProcessEnds();
  if (res.code != 0) {
    res.errText += stdio.runtimeStderr();
    return Error(ErrorKind::Internal, runtimeErrorMessage(res.errText, res.code, "runtime run"));
  }
  runtimeCreated_ = true;
  initPid_ = TRY(readPidFile(initPidFile));
  // The init's mount namespace, held until its exit is reported. Whoever drops the last
  // reference waits for an RCU grace period while the mounts go (milliseconds here); without
  // this that is the init's exit, before its parent hears of it.
  initMountNs_.reset(
      ::open(("/proc/" + std::to_string(initPid_) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
  ShimEnds ends = TRY(stdio.adopt());
  initOut_.fd = std::move(ends.out);
  initErr_.fd = std::move(ends.err);
  initErr_.stream = kFrameStderr;
  master_ = std::move(ends.master);
  if (master_ && earlyWinsize_) {
    if (auto st = setWinsize(master_.get(), earlyWinsize_->first, earlyWinsize_->second); !st) {
      warn(st.error().what());
    }
  }
  if (opts_.stdin) {
    initIn_ = Sink(std::move(ends.in), opts_.tty);
    initIn_.write(earlyStdin_);
    if (earlyStdinEnded_) initIn_.end();
  }
  earlyStdin_.clear();
  earlyStdin_.shrink_to_fit();
  watchSource(initOut_, nullptr);
  if (initErr_.fd) watchSource(initErr_, nullptr);
  initActivityMs_ = monotonicMs();
  return initPid_;
}

// A start that failed: nothing will run. Every client is let go, a runtime that got as far as
// creating the container deletes it, and the shim ends with its files removed.
void Monitor::abandon() {
  abandoned_ = true;
  if (initPid_ > 0) ::kill(initPid_, SIGKILL);
  for (auto& c : clients_) {
    if (c->dead || c->mode == ClientMode::Reply) continue;
    if (c->mode == ClientMode::Wait) {
      replyError(*c, Error(ErrorKind::FailedPrecondition, "container failed to start"));
      continue;
    }
    c->closeWhenFlushed = true;
    if (c->pending() == 0) c->dead = true;
  }
  if (runtimeCreated_) startDelete();
  for (const auto& path : created_) {
    if (path != statePath(kSocketName)) ::unlink(path.c_str());
  }
  phase_ = Phase::Closing;
  closingDeadlineMs_ = monotonicMs() + kClosingGraceMs;
}

void Monitor::cleanupFailedSetup() {
  if (runtimeCreated_) {
    auto r = runToExit(runtimeArgs({"delete", "--force", opts_.id}), {}, true, kDeleteTimeoutMs);
    (void)r;
  }
  listen_.reset();
  for (const auto& path : created_) ::unlink(path.c_str());
}

int Monitor::run() {
  while (!done_) {
    refresh(monotonicMs());
    auto st = loop_.poll(hasTimers() ? 100 : -1);
    if (!st) {
      warn(st.error().what());
      return 1;
    }
    sweepClients();
    tick(monotonicMs());
    sweepClients();
  }
  for (auto& c : clients_) loop_.remove(c->fd());
  clients_.clear();
  loop_.remove(listen_.get());
  listen_.reset();
  // A new shim of the container may own the path by now (berthd waits for this one to end, but
  // a shim does not trust that).
  std::string sock = statePath(kSocketName);
  if (struct stat st;
      ::lstat(sock.c_str(), &st) == 0 && st.st_dev == socketDev_ && st.st_ino == socketIno_) {
    ::unlink(sock.c_str());
  }
  return 0;
}

void Monitor::onSignal() {
  struct signalfd_siginfo info[8];
  while (::read(signalFd_, info, sizeof info) > 0) {
  }
  reap();
}

void Monitor::reap() {
  while (true) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG | __WALL);
    if (pid <= 0) break;
    int code = exitCodeOf(status);
    if (delete_ && pid == delete_->pid) {
      finishDelete(code);
      continue;
    }
    if (pid == initPid_ && phase_ != Phase::Exited && phase_ != Phase::Closing) {
      phase_ = Phase::Exited;
      exitCode_ = code;
      exitedAt_ = wallClock();
      initActivityMs_ = monotonicMs();
      continue;
    }
    for (auto& [id, e] : execs_) {
      if (e->pid == pid && !e->exited) {
        onExecExit(*e, code);
        break;
      }
    }
    // Anything else is an orphan of a container without its own pid namespace, or a helper
    // the runtime left behind: reaped, nothing to report.
  }
}

void Monitor::tick(int64_t now) {
  for (auto& c : clients_) {
    int64_t since = c->stalledSinceMs();
    if (!c->dead && since != 0 && now - since >= kStallTimeoutMs) {
      warn("dropping a client that has not read its stream for 5 s");
      c->dead = true;
    }
  }
  sweepClients();
  checkExecs(now, false);
  if (phase_ == Phase::Exited) {
    bool open = initOut_.fd.valid() || initErr_.fd.valid();
    if (open && now - initActivityMs_ >= kDrainGraceMs) {
      closeSource(initOut_, nullptr);
      closeSource(initErr_, nullptr);
      open = false;
    }
    if (!open && initDrainedMs_ == 0) initDrainedMs_ = now;
    if (!open && (execs_.empty() || now - initDrainedMs_ >= kDrainGraceMs)) finalize();
  }
  if (delete_ && now >= deleteDeadlineMs_) {
    warn("runtime delete timed out; killed");
    ::kill(delete_->pid, SIGKILL);  // reaped as any child
    deleteDeadlineMs_ = INT64_MAX;
  }
  if (phase_ == Phase::Closing) {
    bool busy = false;
    for (auto& c : clients_) {
      if (!c->dead && (c->mode != ClientMode::Request || c->pending() > 0)) busy = true;
    }
    if (!delete_ && (!busy || now >= closingDeadlineMs_)) done_ = true;
  }
}

void Monitor::finalize() {
  closeSource(initOut_, nullptr);
  closeSource(initErr_, nullptr);
  if (initIn_.valid()) {
    loop_.remove(initIn_.fd());
    initIn_.close();
  }
  master_.reset();
  checkExecs(monotonicMs(), true);
  oomKilled_ = !opts_.oomFile.empty() && oomKillCount(opts_.oomFile) > 0;
  writeExitFile();
  phase_ = Phase::Closing;
  closingDeadlineMs_ = monotonicMs() + kClosingGraceMs;
  // The exit is known and the output drained: waiters hear it now, not after the runtime's
  // cleanup, which is a process of its own (milliseconds on the path of every `run --rm`).
  answerWaiters();
  for (auto& c : clients_) {
    if (c->mode != ClientMode::Attach || c->dead) continue;
    c->closeWhenFlushed = true;
    if (c->pending() == 0) c->dead = true;
  }
  sweepClients();
  startDelete();
  initMountNs_.reset();
}

void Monitor::startDelete() {
  auto del = spawn(runtimeArgs({"delete", "--force", opts_.id}), {}, true, Priority::Background);
  if (!del) {
    warn(del.error().what());
    return;
  }
  delete_ = std::move(*del);
  deleteErr_.clear();
  deleteDeadlineMs_ = monotonicMs() + kDeleteTimeoutMs;
  int fd = delete_->errRead.get();
  // Read as it comes: a runtime that fills the pipe would otherwise never exit.
  auto added = loop_.add(fd, EPOLLIN, [this, fd](uint32_t) {
    if (!readErrText(fd, deleteErr_)) loop_.remove(fd);
  });
  if (!added) warn(added.error().what());
}

void Monitor::finishDelete(int code) {
  int fd = delete_->errRead.get();
  (void)readErrText(fd, deleteErr_);
  loop_.remove(fd);
  delete_.reset();
  if (code != 0) warn(runtimeErrorMessage(deleteErr_, code, "runtime delete"));
}

void Monitor::writeExitFile() {
  std::string record = "{\"exitCode\":" + std::to_string(exitCode_) + ",\"exitedAt\":\"" +
                       rfc3339Nano(exitedAt_) + "\",\"pid\":" + std::to_string(initPid_) +
                       ",\"oomKilled\":" + (oomKilled_ ? "true" : "false") + "}";
  // Atomic but not synced: it outlives berthd, not the machine, and neither do containers.
  auto st = writeFileReplacing(statePath(kExitFileName), record, false);
  if (!st) warn(st.error().what());
}

}  // namespace berth::shim
