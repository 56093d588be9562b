// berth image prune: dangling images, or with -a every image no container uses.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/prune.h"

namespace berth::cli {

namespace {

void flags(FlagSet& fs, PruneOptions& o) {
  fs.boolVar(&o.all, "all", 'a', "Remove all unused images, not just dangling ones");
  fs.listVar(&o.filters, "filter", 0, "Provide filter values (e.g. \"until=<timestamp>\")",
             "filter");
  fs.boolVar(&o.force, "force", 'f', "Do not prompt for confirmation");
}

Result<int> run(Cli& cli, PruneOptions& o, Args&) {
  std::string warning = o.all ? "WARNING! This will remove all images without at least one "
                                "container associated to them."
                              : "WARNING! This will remove all dangling images.";
  if (!o.force && !confirm(cli, warning + "\nAre you sure you want to continue?")) return 0;
  auto [space, out] = TRY(pruneImages(cli, o.filters, o.all));
  if (!out.empty()) cli.out(out + "\n");
  cli.out(totalReclaimed(space));
  return 0;
}

}  // namespace

void registerImagePrune(Registry& r) {
  r.add({.paths = {"image prune"},
         .use = "[OPTIONS]",
         .shortHelp = "Remove unused images",
         .maxArgs = 0,
         .bind = bindOptions<PruneOptions>(flags, run)});
}

}  // namespace berth::cli
