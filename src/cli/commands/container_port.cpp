// berth port CONTAINER [PRIVATE_PORT[/PROTO]]: the published ports from the inspect data.

#include <algorithm>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"

namespace berth::cli {

namespace {

struct NoOptions {};
void flags(FlagSet&, NoOptions&) {}

std::string hostAddr(const Json& b) {
  std::string ip = b.value("HostIp", "");
  if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
  return ip + ":" + b.value("HostPort", "");
}

Result<int> run(Cli& cli, NoOptions&, Args& args) {
  client::Client* c = TRY(cli.client());
  Json info = TRY(inspectContainer(*c, args[0]));
  Json ports = info.value("NetworkSettings", Json::object()).value("Ports", Json::object());
  if (!ports.is_object()) ports = Json::object();
  if (args.size() == 2) {
    std::string want = args[1];
    if (want.find('/') == std::string::npos) want += "/tcp";
    auto it = ports.find(want);
    if (it != ports.end() && it->is_array() && !it->empty()) {
      for (const auto& b : *it) cli.out(hostAddr(b) + "\n");
      return 0;
    }
    return Error::notFound("Error: No public port '{}' published for {}", want, args[0]);
  }
  std::vector<std::string> lines;
  for (const auto& [port, binds] : ports.items()) {
    if (!binds.is_array()) continue;
    for (const auto& b : binds) lines.push_back(port + " -> " + hostAddr(b));
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) cli.out(l + "\n");
  return 0;
}

}  // namespace

void registerContainerPort(Registry& r) {
  r.add({.paths = {"container port", "port"},
         .use = "CONTAINER [PRIVATE_PORT[/PROTO]]",
         .shortHelp = "List port mappings or a specific mapping for the container",
         .minArgs = 1,
         .maxArgs = 2,
         .bind = bindOptions<NoOptions>(flags, run)});
}

}  // namespace berth::cli
