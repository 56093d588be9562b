// berth image inspect.

#include "cli/commands/commands.h"
#include "cli/commands/inspect.h"

namespace berth::cli {

namespace {

struct InspectOptions {
  std::string format;
};

void flags(FlagSet& fs, InspectOptions& o) {
  fs.stringVar(&o.format, "format", 'f',
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
}

Result<int> run(Cli& cli, InspectOptions& o, Args& args) {
  return inspectObjects(cli, {.kinds = {ObjectKind::Image}, .format = o.format}, args);
}

}  // namespace

void registerImageInspect(Registry& r) {
  r.add({.paths = {"image inspect"},
         .use = "[OPTIONS] IMAGE [IMAGE...]",
         .shortHelp = "Display detailed information on one or more images",
         .minArgs = 1,
         .bind = bindOptions<InspectOptions>(flags, run)});
}

}  // namespace berth::cli
