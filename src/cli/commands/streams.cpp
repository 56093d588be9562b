#include "cli/commands/streams.h"

#include <unistd.h>

#include "cli/commands/common.h"
#include "cli/terminal.h"

namespace berth::cli {

std::string detachKeysValue(Cli& cli, const std::string& option) {
  if (!option.empty()) return option;
  const Json& cfg = cli.config();
  if (cfg.contains("detachKeys") && cfg["detachKeys"].is_string()) {
    return cfg["detachKeys"].get<std::string>();
  }
  return "";
}

Result<std::unique_ptr<client::Conn>> attachContainer(Cli& cli, client::Client& c,
                                                      const Session& s) {
  client::Query q;
  q.add("stream", "1").flag("stdin", s.in).flag("stdout", s.out).flag("stderr", s.err);
  q.opt("detachKeys", detachKeysValue(cli, s.detachKeys));
  return c.hijack(containerPath(s.containerId, "/attach"), q);
}

void resizeTty(client::Client& c, const std::string& resizePath) {
  if (resizePath.empty()) return;
  auto size = terminalSize(STDOUT_FILENO);
  if (!size || size->rows == 0 || size->cols == 0) return;
  client::Query q;
  q.add("h", std::to_string(size->rows)).add("w", std::to_string(size->cols));
  // A failed resize leaves the old size; docker only logs it.
  auto r = c.call("POST", resizePath + "/resize", q);
  if (r) (void)r->readAll();
}

Result<PumpResult> runSession(Cli& cli, client::Client& c, client::Conn& conn, const Session& s) {
  PumpOptions po;
  po.tty = s.tty;
  po.forwardStdin = s.in;
  po.stdoutOn = s.out;
  po.stderrOn = s.err;
  RawTerminal raw;
  if (s.tty && s.in && cli.stdinIsTty()) {
    std::string keys = detachKeysValue(cli, s.detachKeys);
    auto parsed = parseDetachKeys(keys.empty() ? "ctrl-p,ctrl-q" : keys);
    po.detachKeys = parsed ? *parsed : std::string("\x10\x11");
    TRY(raw.enable(STDIN_FILENO));
  }
  std::vector<int> sigs;
  if (s.sigProxy) sigs = proxiedSignals();
  bool resizes = s.tty && !s.resizePath.empty() && cli.stdoutIsTty();
  if (resizes) sigs.push_back(SIGWINCH);
  std::unique_ptr<SignalCatcher> catcher;
  if (!sigs.empty()) catcher = std::make_unique<SignalCatcher>(sigs);
  if (resizes) resizeTty(c, s.resizePath);
  cli.flush();
  return pumpStreams(conn, po, catcher.get(), [&](int sig) {
    if (sig == SIGWINCH) {
      resizeTty(c, s.resizePath);
      return;
    }
    client::Query q;
    q.add("signal", signalName(sig));
    auto r = c.call("POST", containerPath(s.containerId, "/kill"), q);
    if (r) (void)r->readAll();
  });
}

}  // namespace berth::cli
