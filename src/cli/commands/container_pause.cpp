// berth pause and berth unpause.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct NoOptions {};

void flags(FlagSet&, NoOptions&) {}

Result<int> pause(Cli& cli, NoOptions&, Args& args) {
  return forEachTarget(cli, args, [](client::Client& c, const std::string& id) {
    return post(c, containerPath(id, "/pause"));
  });
}

Result<int> unpause(Cli& cli, NoOptions&, Args& args) {
  return forEachTarget(cli, args, [](client::Client& c, const std::string& id) {
    return post(c, containerPath(id, "/unpause"));
  });
}

}  // namespace

void registerContainerPause(Registry& r) {
  r.add({.paths = {"container pause", "pause"},
         .use = "CONTAINER [CONTAINER...]",
         .shortHelp = "Pause all processes within one or more containers",
         .minArgs = 1,
         .bind = bindOptions<NoOptions>(flags, pause)});
  r.add({.paths = {"container unpause", "unpause"},
         .use = "CONTAINER [CONTAINER...]",
         .shortHelp = "Unpause all processes within one or more containers",
         .minArgs = 1,
         .bind = bindOptions<NoOptions>(flags, unpause)});
}

}  // namespace berth::cli
