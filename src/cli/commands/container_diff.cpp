// berth diff: changed (C), added (A) and deleted (D) paths of the container's filesystem.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct NoOptions {};
void flags(FlagSet&, NoOptions&) {}

Result<int> run(Cli& cli, NoOptions&, Args& args) {
  client::Client* c = TRY(cli.client());
  Json changes = TRY(c->getJson(containerPath(args[0], "/changes")));
  if (!changes.is_array()) return 0;
  for (const auto& ch : changes) {
    int kind = ch.value("Kind", 0);
    const char* k = kind == 1 ? "A" : kind == 2 ? "D" : "C";
    cli.out(std::string(k) + " " + ch.value("Path", "") + "\n");
  }
  return 0;
}

}  // namespace

void registerContainerDiff(Registry& r) {
  r.add({.paths = {"container diff", "diff"},
         .use = "CONTAINER",
         .shortHelp = "Inspect changes to files or directories on a container's filesystem",
         .minArgs = 1,
         .maxArgs = 1,
         .bind = bindOptions<NoOptions>(flags, run)});
}

}  // namespace berth::cli
