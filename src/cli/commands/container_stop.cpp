// berth stop and berth restart: one request per container, -t/--timeout and -s/--signal
// passed on only when given (the container's StopTimeout and StopSignal apply otherwise).

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct StopOptions {
  const FlagSet* fs = nullptr;
  int timeout = 0;
  std::string signal;
};

void flags(FlagSet& fs, StopOptions& o) {
  o.fs = &fs;
  fs.stringVar(&o.signal, "signal", 's', "Signal to send to the container");
  fs.intVar(&o.timeout, "timeout", 't', "Seconds to wait before killing the container");
  fs.funcVar("time", 0, "int", "Seconds to wait before killing the container (deprecated)",
             [&o](std::string_view v) -> Status {
               o.timeout = static_cast<int>(TRY(parseInt(v, "time")));
               return {};
             });
  fs.hide("time");
}

Result<int> act(Cli& cli, StopOptions& o, Args& args, const char* verb) {
  client::Query q;
  if (o.fs->changed("timeout") || o.fs->changed("time")) q.add("t", std::to_string(o.timeout));
  q.opt("signal", o.signal);
  return forEachTarget(cli, args, [&](client::Client& c, const std::string& id) {
    return post(c, containerPath(id, verb), q);
  });
}

Result<int> stop(Cli& cli, StopOptions& o, Args& args) {
  return act(cli, o, args, "/stop");
}
Result<int> restart(Cli& cli, StopOptions& o, Args& args) {
  return act(cli, o, args, "/restart");
}

}  // namespace

void registerContainerStop(Registry& r) {
  r.add({.paths = {"container stop", "stop"},
         .use = "[OPTIONS] CONTAINER [CONTAINER...]",
         .shortHelp = "Stop one or more running containers",
         .minArgs = 1,
         .bind = bindOptions<StopOptions>(flags, stop)});
}

void registerContainerRestart(Registry& r) {
  r.add({.paths = {"container restart", "restart"},
         .use = "[OPTIONS] CONTAINER [CONTAINER...]",
         .shortHelp = "Restart one or more containers",
         .minArgs = 1,
         .bind = bindOptions<StopOptions>(flags, restart)});
}

}  // namespace berth::cli
