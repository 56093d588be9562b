// berth attach: attach our stdio to a running container; exits with its status once the
// stream ends (nothing when the user detaches).

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/streams.h"
#include "cli/terminal.h"

namespace berth::cli {

namespace {

struct AttachOptions {
  bool noStdin = false;
  bool sigProxy = true;
  std::string detachKeys;
};

void flags(FlagSet& fs, AttachOptions& o) {
  fs.stringVar(&o.detachKeys, "detach-keys", 0,
               "Override the key sequence for detaching a container");
  fs.boolVar(&o.noStdin, "no-stdin", 0, "Do not attach STDIN");
  fs.boolVar(&o.sigProxy, "sig-proxy", 0, "Proxy all received signals to the process");
}

Result<int> run(Cli& cli, AttachOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  Json info = TRY(inspectContainer(*c, args[0]));
  Json state = info.value("State", Json::object());
  if (!state.value("Running", false)) {
    return Error(ErrorKind::Conflict, "You cannot attach to a stopped container, start it first");
  }
  if (state.value("Paused", false)) {
    return Error(ErrorKind::Conflict, "You cannot attach to a paused container, unpause it first");
  }
  if (state.value("Restarting", false)) {
    return Error(ErrorKind::Conflict,
                 "You cannot attach to a restarting container, wait until it is running");
  }
  Json config = info.value("Config", Json::object());
  if (!o.detachKeys.empty()) TRY(parseDetachKeys(o.detachKeys));
  Session s;
  s.containerId = info.value("Id", args[0]);
  s.tty = config.value("Tty", false);
  s.in = !o.noStdin && config.value("OpenStdin", false);
  s.sigProxy = o.sigProxy && !s.tty;
  s.detachKeys = o.detachKeys;
  s.resizePath = containerPath(s.containerId);
  if (s.in && s.tty && !cli.stdinIsTty()) return Error::invalid("the input device is not a TTY");
  auto conn = TRY(attachContainer(cli, *c, s));
  PumpResult pumped = TRY(runSession(cli, *c, *conn, s));
  conn.reset();
  if (pumped.detached) return 0;
  // The stream ended: the container exited (or is about to); its status is ours.
  client::Response wait = TRY(c->call("POST", containerPath(s.containerId, "/wait")));
  auto line = TRY(wait.readLine());
  if (!line) return 0;
  auto j = parseJson(*line, "wait response");
  return j && j->is_object() ? j->value("StatusCode", 0) : 0;
}

}  // namespace

void registerContainerAttach(Registry& r) {
  r.add(
      {.paths = {"container attach", "attach"},
       .use = "[OPTIONS] CONTAINER",
       .shortHelp = "Attach local standard input, output, and error streams to a running container",
       .minArgs = 1,
       .maxArgs = 1,
       .bind = bindOptions<AttachOptions>(flags, run)});
}

}  // namespace berth::cli
