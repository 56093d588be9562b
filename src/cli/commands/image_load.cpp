// berth load: a docker-save (or OCI layout) tar from -i FILE or stdin.

#include <unistd.h>

#include "cli/commands/body_source.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct LoadOptions {
  std::string input;
  bool quiet = false;
  std::vector<std::string> platforms;
};

void flags(FlagSet& fs, LoadOptions& o) {
  fs.stringVar(&o.input, "input", 'i', "Read from tar archive file, instead of STDIN");
  fs.listVar(&o.platforms, "platform", 0, "Load only the given platform(s)", "stringSlice");
  fs.boolVar(&o.quiet, "quiet", 'q', "Suppress the load output");
}

Result<int> run(Cli& cli, LoadOptions& o, Args&) {
  if (o.input.empty() && cli.stdinIsTty()) {
    return Error::invalid("requested load from stdin, but stdin is empty");
  }
  client::Client* c = TRY(cli.client());
  client::Request req;
  req.headers.add("Content-Type", "application/x-tar");
  auto fd = TRY(bodyFromFile(req, o.input));
  client::Query q;
  q.flag("quiet", o.quiet || !cli.stdoutIsTty());
  for (const auto& p : o.platforms) q.add("platform", p);
  client::Response resp = TRY(c->call("POST", "/images/load", q, std::move(req)));
  TRY(printJsonMessages(cli, resp, false));
  return 0;
}

}  // namespace

void registerImageLoad(Registry& r) {
  r.add({.paths = {"image load", "load"},
         .use = "[OPTIONS]",
         .shortHelp = "Load an image from a tar archive or STDIN",
         .maxArgs = 0,
         .bind = bindOptions<LoadOptions>(flags, run)});
}

}  // namespace berth::cli
