// berth export: the container's filesystem as a tar, to -o FILE or stdout (never a terminal).

#include <fcntl.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/save_file.h"

namespace berth::cli {

namespace {

struct ExportOptions {
  std::string output;
};

void flags(FlagSet& fs, ExportOptions& o) {
  fs.stringVar(&o.output, "output", 'o', "Write to a file, instead of STDOUT");
}

Result<int> run(Cli& cli, ExportOptions& o, Args& args) {
  if (o.output.empty() && cli.stdoutIsTty()) {
    return Error::invalid("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  client::Client* c = TRY(cli.client());
  client::Response resp = TRY(c->call("GET", containerPath(args[0], "/export")));
  TRY_CTX(saveBody(cli, resp, o.output), "failed to export container");
  return 0;
}

}  // namespace

void registerContainerExport(Registry& r) {
  r.add({.paths = {"container export", "export"},
         .use = "[OPTIONS] CONTAINER",
         .shortHelp = "Export a container's filesystem as a tar archive",
         .minArgs = 1,
         .maxArgs = 1,
         .bind = bindOptions<ExportOptions>(flags, run)});
}

}  // namespace berth::cli
