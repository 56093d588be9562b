#pragma once
// Monitor: everything one berth-shim does for its container, on one epoll loop. setup() binds
// shim.sock and makes the container's stdio; run() serves shim.sock, runs `runtime run
// --detach` at "start" (one runtime process per start, not a create and a start), copies output
// to the json log and to attached clients, runs execs, reaps the init and the execs (the shim
// is their subreaper), and after the init's exit reports it, then runs `runtime delete`. No
// threads.

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "shim/client.h"
#include "shim/event_loop.h"
#include "shim/log_writer.h"
#include "shim/options.h"
#include "shim/process_io.h"
#include "shim/request.h"
#include "shim/spawn.h"
#include "shim/stdio.h"

namespace berth::shim {

// How long output may stay silent after its process exited before the shim stops draining it
// (a background process can hold the pipe open forever).
inline constexpr int64_t kDrainGraceMs = 1000;
// How long a client's socket may stay full before the client is dropped.
inline constexpr int64_t kStallTimeoutMs = 5000;
// The runtime's commands end in milliseconds; the limit only keeps a hung runtime (a stuck
// hook) from holding the shim forever.
inline constexpr int kRuntimeTimeoutMs = 300 * 1000;
// Queued output at which a client pauses the output it receives.
inline constexpr size_t kClientHighWater = 64 * 1024;

class Monitor {
 public:
  Monitor(ShimOptions opts, int signalFd);
  ~Monitor();

  /// Binds shim.sock, opens the log and makes the stdio; the container starts at "start". On
  /// error, what setup made is already removed.
  Status setup();
  /// Serves until the init has exited and everything is reported; the shim's exit code.
  int run();

 private:
  enum class Phase { Created, Running, Exited, Closing };

  struct Exec {
    std::string id;
    pid_t pid = 0;
    Source out, err;  // with a tty only out (the pty master)
    UniqueFd master;  // with a tty: for exec-resize
    Sink in;
    Client* client = nullptr;
    bool exited = false;
    int exitCode = 0;
    int64_t lastActivityMs = 0;
  };

  // monitor.cpp
  Status prepare();
  Result<pid_t> runContainer();
  void abandon();
  void cleanupFailedSetup();
  std::string statePath(const std::string& name) const;
  std::vector<std::string> runtimeArgs(std::initializer_list<std::string> rest) const;
  void onSignal();
  void reap();
  void tick(int64_t now);
  void finalize();
  void startDelete();
  void finishDelete(int code);
  void writeExitFile();
  void warn(const std::string& msg) const;

  // monitor_clients.cpp
  void onAccept();
  void onClientEvent(Client& c, uint32_t events);
  bool readClient(Client& c);  // false: nothing more to read now
  void onClientInput(Client& c, std::string_view data);
  void onClientEnd(Client& c);
  void endInitStdin();
  void handleRequest(Client& c, std::string_view line, std::string_view rest);
  void reply(Client& c, const std::string& line);
  void replyError(Client& c, const Error& e);
  void handleStart(Client& c);
  void handleStatus(Client& c);
  void handleWait(Client& c);
  void handleResize(Client& c, const Request& r);
  void handleAttach(Client& c, const Request& r, std::string_view rest);
  void answerWaiters();
  void sweepClients();

  // monitor_exec.cpp
  void handleExec(Client& c, const Request& r, std::string_view rest);
  Result<std::unique_ptr<Exec>> startExec(const Request& r);
  void handleExecResize(Client& c, const Request& r);
  void onExecExit(Exec& e, int code);
  void checkExecs(int64_t now, bool force);
  void finishExec(Exec& e);
  Exec* findExec(const std::string& id);

  // monitor_output.cpp
  void watchSource(Source& s, Exec* owner);
  void readSource(Source& s, Exec* owner);
  void closeSource(Source& s, Exec* owner);
  void refresh(int64_t now);
  void refreshSink(Sink& s);
  bool clientsBehind(uint8_t stream) const;
  bool hasTimers() const;

  ShimOptions opts_;
  int signalFd_;
  EventLoop loop_;
  UniqueFd listen_;
  Phase phase_ = Phase::Created;
  pid_t initPid_ = 0;
  int exitCode_ = 0;
  bool oomKilled_ = false;
  struct timespec exitedAt_ {};
  int64_t initActivityMs_ = 0;  // last output read from the init, or its exit
  int64_t initDrainedMs_ = 0;   // when its output was drained (0: not yet)
  int64_t closingDeadlineMs_ = 0;
  bool done_ = false;
  bool runtimeCreated_ = false;
  // The container's stdio, made at setup and handed to the runtime at start.
  std::optional<ProcessStdio> initStdio_;
  // Stdin that an attached client sent before start (more waits in its socket until then).
  std::string earlyStdin_;
  bool earlyStdinEnded_ = false;
  std::optional<std::pair<uint16_t, uint16_t>> earlyWinsize_;  // a resize before start
  bool abandoned_ = false;  // start failed: the shim only lets its clients go and ends
  // `runtime delete`, run after the exit is reported so berthd need not wait for it; the shim
  // ends once it is done (berthd starts no new shim for the container before that).
  std::optional<Spawned> delete_;
  std::string deleteErr_;
  int64_t deleteDeadlineMs_ = 0;
  dev_t socketDev_ = 0;  // shim.sock as bound: removed at the end only if still ours
  ino_t socketIno_ = 0;
  std::optional<JsonLogger> log_;
  bool logFailed_ = false;
  Source initOut_, initErr_;  // with a tty only initOut_ (the pty master)
  UniqueFd master_;           // with a tty: for resize
  UniqueFd initMountNs_;      // released once the exit is reported (see createContainer)
  Sink initIn_;
  std::list<std::unique_ptr<Client>> clients_;
  std::map<std::string, std::unique_ptr<Exec>> execs_;
  int nextSerial_ = 0;                // names exec pid files and console sockets
  std::vector<std::string> created_;  // files setup made, removed when it fails
};

}  // namespace berth::shim
