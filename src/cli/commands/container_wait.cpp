// berth wait: block until containers stop, printing each exit code.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct NoOptions {};
void flags(FlagSet&, NoOptions&) {}

Result<int> run(Cli& cli, NoOptions&, Args& args) {
  return forEachTarget(
      cli, args,
      [&cli](client::Client& c, const std::string& id) -> Status {
        client::Response resp = TRY(c.call("POST", containerPath(id, "/wait")));
        auto line = TRY(resp.readLine());
        if (!line) return Error(ErrorKind::Unavailable, "wait: the daemon closed the connection");
        Json j = TRY(parseJson(*line, "wait response"));
        if (j.contains("Error") && j["Error"].is_object() &&
            !j["Error"].value("Message", "").empty()) {
          return Error(ErrorKind::Internal, j["Error"].value("Message", ""));
        }
        cli.out(std::to_string(j.value("StatusCode", 0)) + "\n");
        cli.flush();
        return {};
      },
      false);
}

}  // namespace

void registerContainerWait(Registry& r) {
  r.add({.paths = {"container wait", "wait"},
         .use = "CONTAINER [CONTAINER...]",
         .shortHelp = "Block until one or more containers stop, then print their exit codes",
         .minArgs = 1,
         .bind = bindOptions<NoOptions>(flags, run)});
}

}  // namespace berth::cli
