// berth rename OLD NEW.

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct NoOptions {};
void flags(FlagSet&, NoOptions&) {}

Result<int> run(Cli& cli, NoOptions&, Args& args) {
  std::string oldName(trim(args[0])), newName(trim(args[1]));
  if (oldName.empty() || newName.empty()) {
    return Error::invalid("Error: Neither old nor new names may be empty");
  }
  client::Client* c = TRY(cli.client());
  client::Query q;
  q.add("name", newName);
  auto st = post(*c, containerPath(oldName, "/rename"), q);
  if (!st) {
    if (st.error().kind() == ErrorKind::Unavailable) return std::move(st).error();
    cli.err(st.error().what() + "\n");
    return Error(ErrorKind::Internal, "Error: failed to rename container named " + oldName);
  }
  return 0;
}

}  // namespace

void registerContainerRename(Registry& r) {
  r.add({.paths = {"container rename", "rename"},
         .use = "CONTAINER NEW_NAME",
         .shortHelp = "Rename a container",
         .minArgs = 2,
         .maxArgs = 2,
         .bind = bindOptions<NoOptions>(flags, run)});
}

}  // namespace berth::cli
