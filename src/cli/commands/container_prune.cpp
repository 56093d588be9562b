// berth container prune: remove all stopped containers (asks first unless -f).

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/prune.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

void flags(FlagSet& fs, PruneOptions& o) {
  fs.listVar(&o.filters, "filter", 0, "Provide filter values (e.g. \"until=<timestamp>\")",
             "filter");
  fs.boolVar(&o.force, "force", 'f', "Do not prompt for confirmation");
}

Result<int> run(Cli& cli, PruneOptions& o, Args&) {
  if (!o.force && !confirm(cli,
                           "WARNING! This will remove all stopped containers.\nAre you sure "
                           "you want to continue?")) {
    return 0;
  }
  auto [space, out] = TRY(pruneContainers(cli, o.filters));
  if (!out.empty()) cli.out(out + "\n");
  cli.out(totalReclaimed(space));
  return 0;
}

}  // namespace

void registerContainerPrune(Registry& r) {
  r.add({.paths = {"container prune"},
         .use = "[OPTIONS]",
         .shortHelp = "Remove all stopped containers",
         .maxArgs = 0,
         .bind = bindOptions<PruneOptions>(flags, run)});
}

}  // namespace berth::cli
