// berth-runtime: an OCI runtime with runc's command line.

#include <unistd.h>

#include <cstdio>

#include "base/log.h"
#include "commands.h"

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
  tool::registerLifecycle(app, ctx);
  tool::registerSignals(app, ctx);
  tool::registerQueries(app, ctx);
  tool::registerExec(app, ctx);
  tool::registerUpdate(app, ctx);
  tool::registerSpec(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  LogOptions lo;
  lo.name = "berth-runtime";
  lo.path = logPath;
  lo.format = logFormat == "json" ? LogFormat::Json : LogFormat::Text;
  lo.level = debug ? spdlog::level::debug : spdlog::level::warn;
  if (auto st = initLogging(lo); !st) {
    std::fprintf(stderr, "berth-runtime: %s\n", st.error().what().c_str());
    return 1;
  }
  if (!ctx.action) return 0;
  auto r = ctx.action();
  int code = 0;
  if (!r) {
    std::string msg = r.error().what();
    spdlog::error("{}", msg);
    // containerd reads the json log; a human reads stderr: runc writes both.
    if (!logPath.empty()) std::fprintf(stderr, "berth-runtime: %s\n", msg.c_str());
    code = 1;
  } else {
    code = *r;
  }
  // Nothing left to release that the kernel does not release faster: skip the destructors
  // (a millisecond of a container's run-to-exit). The logger flushes every message.
  std::fflush(nullptr);
  ::_exit(code);
}
