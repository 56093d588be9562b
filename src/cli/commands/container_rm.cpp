// berth rm: remove containers (-f kills running ones, -v their anonymous volumes).

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct RmOptions {
  bool force = false;
  bool volumes = false;
  bool link = false;
};

void flags(FlagSet& fs, RmOptions& o) {
  fs.boolVar(&o.force, "force", 'f', "Force the removal of a running container (uses SIGKILL)");
  fs.boolVar(&o.link, "link", 'l', "Remove the specified link");
  fs.boolVar(&o.volumes, "volumes", 'v', "Remove anonymous volumes associated with the container");
}

Result<int> run(Cli& cli, RmOptions& o, Args& args) {
  client::Query q;
  q.flag("v", o.volumes).flag("link", o.link).flag("force", o.force);
  return forEachTarget(cli, args, [&](client::Client& c, const std::string& id) -> Status {
    if (id.empty() || id == "/") return Error::invalid("Container name cannot be empty");
    std::string name = id[0] == '/' ? id.substr(1) : id;
    auto r = c.deleteJson(containerPath(name), q);
    if (!r && o.force && r.error().kind() == ErrorKind::NotFound) {
      // docker rm -f reports a missing container but does not fail for it.
      cli.err(r.error().what() + "\n");
      return Error(ErrorKind::Cancelled, "");
    }
    if (!r) return std::move(r).error();
    return {};
  });
}

}  // namespace

void registerContainerRm(Registry& r) {
  r.add({.paths = {"container rm", "container remove", "rm"},
         .use = "[OPTIONS] CONTAINER [CONTAINER...]",
         .shortHelp = "Remove one or more containers",
         .minArgs = 1,
         .bind = bindOptions<RmOptions>(flags, run)});
}

}  // namespace berth::cli
