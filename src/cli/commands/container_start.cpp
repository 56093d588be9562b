// berth start: start stopped containers; with -a or -i, attach to one and exit with its status.

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/streams.h"

namespace berth::cli {

namespace {

struct StartOptions {
  bool attach = false;
  bool interactive = false;
  std::string detachKeys;
};

void flags(FlagSet& fs, StartOptions& o) {
  fs.boolVar(&o.attach, "attach", 'a', "Attach STDOUT/STDERR and forward signals");
  fs.stringVar(&o.detachKeys, "detach-keys", 0,
               "Override the key sequence for detaching a container");
  fs.boolVar(&o.interactive, "interactive", 'i', "Attach container's STDIN");
}

Result<int> startAttached(Cli& cli, StartOptions& o, const std::string& target) {
  client::Client* c = TRY(cli.client());
  Json info = TRY(inspectContainer(*c, target));
  Json config = info.value("Config", Json::object());
  Session s;
  s.containerId = info.value("Id", target);
  s.tty = config.value("Tty", false);
  s.in = o.interactive && config.value("OpenStdin", false);
  s.out = o.attach;
  s.err = o.attach;
  s.sigProxy = o.attach && !s.tty;
  s.detachKeys = o.detachKeys;
  s.resizePath = containerPath(s.containerId);
  if (s.in && s.tty && !cli.stdinIsTty()) return Error::invalid("the input device is not a TTY");
  auto conn = TRY(attachContainer(cli, *c, s));
  client::Query q;
  q.add("condition", info.value("HostConfig", Json::object()).value("AutoRemove", false)
                         ? "removed"
                         : "next-exit");
  client::Response wait = TRY(c->call("POST", containerPath(s.containerId, "/wait"), q));
  TRY(post(*c, containerPath(s.containerId, "/start")));
  PumpResult pumped = TRY(runSession(cli, *c, *conn, s));
  conn.reset();
  if (pumped.detached) return 0;
  auto line = TRY(wait.readLine());
  if (!line) return 0;
  auto j = parseJson(*line, "wait response");
  return j && j->is_object() ? j->value("StatusCode", 0) : 0;
}

Result<int> run(Cli& cli, StartOptions& o, Args& args) {
  if (o.attach || o.interactive) {
    if (args.size() > 1)
      return Error::invalid("you cannot start and attach multiple containers at once");
    return startAttached(cli, o, args[0]);
  }
  client::Client* c = TRY(cli.client());
  std::vector<std::string> failed;
  for (const auto& t : args) {
    auto st = post(*c, containerPath(t, "/start"));
    if (!st) {
      if (st.error().kind() == ErrorKind::Unavailable) return std::move(st).error();
      cli.err(st.error().what() + "\n");
      failed.push_back(t);
      continue;
    }
    cli.out(t + "\n");
    cli.flush();
  }
  if (!failed.empty()) {
    return Error(ErrorKind::Internal, "Error: failed to start containers: " + join(failed, ", "));
  }
  return 0;
}

}  // namespace

void registerContainerStart(Registry& r) {
  r.add({.paths = {"container start", "start"},
         .use = "[OPTIONS] CONTAINER [CONTAINER...]",
         .shortHelp = "Start one or more stopped containers",
         .minArgs = 1,
         .bind = bindOptions<StartOptions>(flags, run)});
}

}  // namespace berth::cli
