// berth import: a filesystem tarball (file, URL or -) as a new image.

#include "base/strings.h"
#include "cli/commands/body_source.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

struct ImportOptions {
  std::vector<std::string> changes;
  std::string message, platform;
};

void flags(FlagSet& fs, ImportOptions& o) {
  fs.listVar(&o.changes, "change", 'c', "Apply Dockerfile instruction to the created image");
  fs.stringVar(&o.message, "message", 'm', "Set commit message for imported image");
  fs.stringVar(&o.platform, "platform", 0, "Set platform if server is multi-platform capable");
}

Result<int> run(Cli& cli, ImportOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  const std::string& src = args[0];
  client::Query q;
  client::Request req;
  std::shared_ptr<UniqueFd> fd;
  bool url = startsWith(src, "http://") || startsWith(src, "https://");
  q.add("fromSrc", url ? src : "-");
  if (!url) fd = TRY(bodyFromFile(req, src));
  if (args.size() > 1) {
    auto [repo, tag] = splitRepoTag(args[1]);
    q.add("repo", repo);
    if (tag) q.add("tag", *tag);
  }
  q.opt("message", o.message).opt("platform", o.platform);
  for (const auto& ch : o.changes) q.add("changes", ch);
  client::Response resp = TRY(c->call("POST", "/images/create", q, std::move(req)));
  TRY(printJsonMessages(cli, resp));
  return 0;
}

}  // namespace

void registerImageImport(Registry& r) {
  r.add({.paths = {"image import", "import"},
         .use = "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
         .shortHelp = "Import the contents from a tarball to create a filesystem image",
         .minArgs = 1,
         .maxArgs = 2,
         .bind = bindOptions<ImportOptions>(flags, run)});
}

}  // namespace berth::cli
