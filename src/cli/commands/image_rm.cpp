// berth rmi / image rm: prints what was untagged and deleted per image.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct RmiOptions {
  bool force = false, noPrune = false;
};

void flags(FlagSet& fs, RmiOptions& o) {
  fs.boolVar(&o.force, "force", 'f', "Force removal of the image");
  fs.boolVar(&o.noPrune, "no-prune", 0, "Do not delete untagged parents");
}

Result<int> run(Cli& cli, RmiOptions& o, Args& args) {
  client::Query q;
  q.flag("force", o.force).flag("noprune", o.noPrune);
  return forEachTarget(
      cli, args,
      [&](client::Client& c, const std::string& name) -> Status {
        Json items = TRY(c.deleteJson(imagePath(name), q));
        if (!items.is_array()) return {};
        for (const auto& i : items) {
          if (i.contains("Untagged") && !i["Untagged"].get<std::string>().empty()) {
            cli.out("Untagged: " + i["Untagged"].get<std::string>() + "\n");
          }
          if (i.contains("Deleted") && !i["Deleted"].get<std::string>().empty()) {
            cli.out("Deleted: " + i["Deleted"].get<std::string>() + "\n");
          }
        }
        return {};
      },
      false);
}

}  // namespace

void registerImageRm(Registry& r) {
  r.add({.paths = {"image rm", "image remove", "rmi"},
         .use = "[OPTIONS] IMAGE [IMAGE...]",
         .shortHelp = "Remove one or more images",
         .minArgs = 1,
         .bind = bindOptions<RmiOptions>(flags, run)});
}

}  // namespace berth::cli
