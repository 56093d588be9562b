// berth inspect and container inspect: low-level information as JSON or through -f.

#include "cli/commands/commands.h"
#include "cli/commands/inspect.h"

namespace berth::cli {

namespace {

struct InspectOptions {
  std::string format, type;
  bool size = false;
};

void flags(FlagSet& fs, InspectOptions& o) {
  fs.stringVar(&o.format, "format", 'f',
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.size, "size", 's', "Display total file sizes if the type is container");
  fs.stringVar(&o.type, "type", 0, "Only inspect objects of the given type");
}

void containerFlags(FlagSet& fs, InspectOptions& o) {
  fs.stringVar(&o.format, "format", 'f',
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.size, "size", 's', "Display total file sizes");
}

Result<int> inspect(Cli& cli, InspectOptions& o, Args& args) {
  InspectRequest req{.size = o.size, .format = o.format};
  if (o.type.empty()) {
    req.kinds = {ObjectKind::Container, ObjectKind::Image, ObjectKind::Volume};
    req.genericNotFound = true;
  } else if (o.type == "container") {
    req.kinds = {ObjectKind::Container};
  } else if (o.type == "image") {
    req.kinds = {ObjectKind::Image};
  } else if (o.type == "volume") {
    req.kinds = {ObjectKind::Volume};
  } else {
    return Error::invalid("\"{}\" is not a valid value for --type", o.type);
  }
  return inspectObjects(cli, req, args);
}

Result<int> containerInspect(Cli& cli, InspectOptions& o, Args& args) {
  return inspectObjects(cli, {.kinds = {ObjectKind::Container}, .size = o.size, .format = o.format},
                        args);
}

}  // namespace

void registerSystemInspect(Registry& r) {
  r.add({.paths = {"inspect"},
         .use = "[OPTIONS] NAME|ID [NAME|ID...]",
         .shortHelp = "Return low-level information on Docker objects",
         .minArgs = 1,
         .bind = bindOptions<InspectOptions>(flags, inspect)});
}

void registerContainerInspect(Registry& r) {
  r.add({.paths = {"container inspect"},
         .use = "[OPTIONS] CONTAINER [CONTAINER...]",
         .shortHelp = "Display detailed information on one or more containers",
         .minArgs = 1,
         .bind = bindOptions<InspectOptions>(containerFlags, containerInspect)});
}

}  // namespace berth::cli
