// berth save: images as a docker-save tar, to -o FILE or stdout (never a terminal).

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/save_file.h"

namespace berth::cli {

namespace {

struct SaveOptions {
  std::string output;
  std::vector<std::string> platforms;
};

void flags(FlagSet& fs, SaveOptions& o) {
  fs.stringVar(&o.output, "output", 'o', "Write to a file, instead of STDOUT");
  fs.listVar(&o.platforms, "platform", 0, "Save only the given platform(s)", "stringSlice");
}

Result<int> run(Cli& cli, SaveOptions& o, Args& args) {
  if (o.output.empty() && cli.stdoutIsTty()) {
    return Error::invalid("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  client::Client* c = TRY(cli.client());
  client::Query q;
  for (const auto& n : args) q.add("names", n);
  for (const auto& p : o.platforms) q.add("platform", p);
  client::Response resp = TRY(c->call("GET", "/images/get", q));
  TRY_CTX(saveBody(cli, resp, o.output), "failed to save image");
  return 0;
}

}  // namespace

void registerImageSave(Registry& r) {
  r.add({.paths = {"image save", "save"},
         .use = "[OPTIONS] IMAGE [IMAGE...]",
         .shortHelp = "Save one or more images to a tar archive (streamed to STDOUT by default)",
         .minArgs = 1,
         .bind = bindOptions<SaveOptions>(flags, run)});
}

}  // namespace berth::cli
