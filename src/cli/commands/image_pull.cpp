// berth pull: POST /images/create?fromImage=...; progress as plain lines.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

struct PullOptions {
  bool all = false, quiet = false;
  std::string platform;
};

void flags(FlagSet& fs, PullOptions& o) {
  fs.boolVar(&o.all, "all-tags", 'a', "Download all tagged images in the repository");
  fs.stringVar(&o.platform, "platform", 0, "Set platform if server is multi-platform capable");
  fs.boolVar(&o.quiet, "quiet", 'q', "Suppress verbose output");
}

Result<int> run(Cli& cli, PullOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  std::string ref = args[0], image = ref, tag;
  if (auto at = ref.find('@'); at != std::string::npos) {
    image = ref.substr(0, at);
    tag = ref.substr(at + 1);
  } else {
    auto split = splitRepoTag(ref);
    if (split.tag) {
      image = split.repo;
      tag = *split.tag;
    } else if (!o.all) {
      tag = "latest";
      cli.out("Using default tag: latest\n");
    }
  }
  client::Query q;
  q.add("fromImage", image).opt("tag", tag).opt("platform", o.platform);
  client::Response resp = TRY(c->call("POST", "/images/create", q));
  TRY(printJsonMessages(cli, resp, o.quiet));
  if (o.quiet) cli.out(ref + "\n");
  return 0;
}

}  // namespace

void registerImagePull(Registry& r) {
  r.add({.paths = {"image pull", "pull"},
         .use = "[OPTIONS] NAME[:TAG|@DIGEST]",
         .shortHelp = "Download an image from a registry",
         .minArgs = 1,
         .maxArgs = 1,
         .bind = bindOptions<PullOptions>(flags, run)});
}

}  // namespace berth::cli
