// berth-runtime: an OCI runtime with runc's command line.

#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <string_view>

#include "commands.h"
#include "runtime/entry.h"

namespace {

using Register = void (*)(CLI::App&, berth::tool::Context&);

struct Group {
  Register add;
  std::initializer_list<std::string_view> commands;  // names and aliases
};

const Group kGroups[] = {
    {berth::tool::registerLifecycle, {"create", "start", "run", "delete", "rm"}},
    {berth::tool::registerSignals, {"kill", "pause", "resume"}},
    {berth::tool::registerQueries, {"state", "list", "ls", "ps", "events"}},
    {berth::tool::registerExec, {"exec"}},
    {berth::tool::registerUpdate, {"update"}},
    {berth::tool::registerSpec, {"spec", "features"}},
};

const Group* groupOf(std::string_view word) {
  for (const auto& g : kGroups)
    for (auto c : g.commands)
      if (c == word) return &g;
  return nullptr;
}

// The one group of commands the command line names. CLI11 builds every option of every
// registered command up front, which costs a run-to-exit more than its parse; when argv is plain
// (known global options, a known command, no help, no other command's name among the
// arguments) registering that command's group parses it the same way. Otherwise null: all are
// registered and CLI11 answers (help, errors) as it always has.
const Group* onlyGroup(int argc, char** argv) {
  const Group* found = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help" || a == "--help-all" || a == "--") return nullptr;
    if (found) {
      if (groupOf(a)) return nullptr;
      continue;
    }
    if (a == "--root" || a == "--log" || a == "--log-format" || a == "--criu") {
      ++i;
      continue;
    }
    if (a.starts_with("--root=") || a.starts_with("--log=") || a.starts_with("--log-format=") ||
        a.starts_with("--criu=") || a == "--debug" || a == "--systemd-cgroup" ||
        a == "--rootless") {
      continue;
    }
    found = groupOf(a);
    if (!found) return nullptr;
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace berth;
  tool::Context ctx;
  CLI::App app{"berth-runtime: an OCI runtime (runc-compatible command line)", "berth-runtime"};
  app.set_version_flag("-v,--version", std::string("berth-runtime version ") + BERTH_VERSION +
                                           "\nspec: " + oci::kSpecVersion);
  std::string logPath, logFormat = "text";
  bool debug = false, rootless = false;
  std::string criu;
  app.add_option("--root", ctx.globals.root, "root directory for container state")
      ->capture_default_str();
  app.add_option("--log", logPath, "log file (default stderr)");
  app.add_option("--log-format", logFormat, "log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", debug, "enable debug logging");
  app.add_flag("--systemd-cgroup", ctx.globals.systemdCgroup,
               "use systemd cgroups (not supported)");
  app.add_option("--criu", criu, "ignored (checkpointing is not supported)");
  app.add_flag("--rootless", rootless, "ignored (rootless is detected)");
  app.require_subcommand(1);
  app.fallthrough();
  if (const Group* g = onlyGroup(argc, argv)) {
    g->add(app, ctx);
  } else {
    for (const auto& group : kGroups) group.add(app, ctx);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!ctx.action) ctx.action = [] { return Result<int>(0); };
  runtime::EntryOptions eo{.logPath = logPath, .jsonLog = logFormat == "json", .debug = debug};
  int code = runtime::runEntry(ctx.globals, eo, ctx.action);
  // Nothing left to release that the kernel does not release faster: skip the destructors
  // (a millisecond of a container's run-to-exit). The logger flushes every message.
  std::fflush(nullptr);
  ::_exit(code);
}
