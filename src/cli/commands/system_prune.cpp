// berth system prune: stopped containers, dangling (or with -a unused) images, and with
// --volumes anonymous volumes; docker's warning, one report per kind, one total.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/prune.h"

namespace berth::cli {

namespace {

struct SystemPruneOptions {
  PruneOptions p;
  bool volumes = false;
};

void flags(FlagSet& fs, SystemPruneOptions& o) {
  fs.boolVar(&o.p.all, "all", 'a', "Remove all unused images not just dangling ones");
  fs.listVar(&o.p.filters, "filter", 0, "Provide filter values (e.g. \"label=<key>=<value>\")",
             "filter");
  fs.boolVar(&o.p.force, "force", 'f', "Do not prompt for confirmation");
  fs.boolVar(&o.volumes, "volumes", 0, "Prune anonymous volumes");
}

Result<int> run(Cli& cli, SystemPruneOptions& o, Args&) {
  std::string warning = "WARNING! This will remove:\n  - all stopped containers\n";
  if (o.volumes) warning += "  - all anonymous volumes not used by at least one container\n";
  warning += o.p.all ? "  - all images without at least one container associated to them\n"
                     : "  - all dangling images\n";
  warning += "\nAre you sure you want to continue?";
  if (!o.p.force && !confirm(cli, warning)) return 0;
  int64_t total = 0;
  auto show = [&](const PruneReport& r) {
    total += r.first;
    if (!r.second.empty()) cli.out(r.second + "\n");
  };
  show(TRY(pruneContainers(cli, o.p.filters)));
  if (o.volumes) show(TRY(pruneVolumes(cli, o.p.filters, false)));
  show(TRY(pruneImages(cli, o.p.filters, o.p.all)));
  cli.out(totalReclaimed(total));
  return 0;
}

}  // namespace

void registerSystemPrune(Registry& r) {
  r.add({.paths = {"system prune"},
         .use = "[OPTIONS]",
         .shortHelp = "Remove unused data",
         .maxArgs = 0,
         .bind = bindOptions<SystemPruneOptions>(flags, run)});
}

}  // namespace berth::cli
