// berth create: the create half of run; prints the new container's ID.

#include "cli/commands/commands.h"
#include "cli/commands/container_config.h"

namespace berth::cli {

namespace {

void flags(FlagSet& fs, ContainerOptions& o) {
  addContainerFlags(fs, o);
}

Result<int> run(Cli& cli, ContainerOptions& o, Args& args) {
  CreateRequest req = TRY(buildCreateRequest(o, args));
  std::string id = TRY(createContainer(cli, o, req));
  cli.out(id + "\n");
  return 0;
}

}  // namespace

void registerContainerCreate(Registry& r) {
  r.add({.paths = {"container create", "create"},
         .use = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
         .shortHelp = "Create a new container",
         .minArgs = 1,
         .interspersed = false,
         .bind = bindOptions<ContainerOptions>(flags, run)});
}

}  // namespace berth::cli
