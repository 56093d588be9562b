// berth kill: send a signal (the daemon's default, KILL, when -s is not given).

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct KillOptions {
  std::string signal;
};

void flags(FlagSet& fs, KillOptions& o) {
  fs.stringVar(&o.signal, "signal", 's', "Signal to send to the container");
}

Result<int> run(Cli& cli, KillOptions& o, Args& args) {
  client::Query q;
  q.opt("signal", o.signal);
  return forEachTarget(cli, args, [&](client::Client& c, const std::string& id) {
    return post(c, containerPath(id, "/kill"), q);
  });
}

}  // namespace

void registerContainerKill(Registry& r) {
  r.add({.paths = {"container kill", "kill"},
         .use = "[OPTIONS] CONTAINER [CONTAINER...]",
         .shortHelp = "Kill one or more running containers",
         .minArgs = 1,
         .bind = bindOptions<KillOptions>(flags, run)});
}

}  // namespace berth::cli
