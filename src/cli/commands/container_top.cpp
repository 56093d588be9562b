// berth top CONTAINER [ps OPTIONS]: the daemon's ps table, aligned as docker aligns it.

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/tabwriter.h"

namespace berth::cli {

namespace {

struct NoOptions {};
void flags(FlagSet&, NoOptions&) {}

std::vector<std::string> strings(const Json& a) {
  std::vector<std::string> out;
  if (a.is_array()) {
    for (const auto& v : a) out.push_back(v.is_string() ? v.get<std::string>() : dumpJson(v));
  }
  return out;
}

Result<int> run(Cli& cli, NoOptions&, Args& args) {
  client::Client* c = TRY(cli.client());
  client::Query q;
  if (args.size() > 1) q.add("ps_args", join(Args(args.begin() + 1, args.end()), " "));
  Json top = TRY(c->getJson(containerPath(args[0], "/top"), q));
  TabWriter tw(20, 1, 3);
  tw.write(join(strings(top.value("Titles", Json::array())), "\t") + "\n");
  if (top.contains("Processes") && top["Processes"].is_array()) {
    for (const auto& p : top["Processes"]) tw.write(join(strings(p), "\t") + "\n");
  }
  cli.out(tw.flush());
  return 0;
}

}  // namespace

void registerContainerTop(Registry& r) {
  r.add({.paths = {"container top", "top"},
         .use = "CONTAINER [ps OPTIONS]",
         .shortHelp = "Display the running processes of a container",
         .minArgs = 1,
         .interspersed = false,
         .bind = bindOptions<NoOptions>(flags, run)});
}

}  // namespace berth::cli
