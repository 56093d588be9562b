// berth-image: the image store of a data root, driven directly (no daemon). A maintenance and
// test tool in the spirit of containerd's ctr: load/save/import/tag/rmi/prune/df, OCI layouts,
// bootstrap images, and mounting an image's copy-on-write rootfs for a container ID.

#include <csignal>
#include <cstdio>

#include "base/log.h"
#include "commands.h"

int main(int argc, char** argv) {
  using namespace berth;
  // A closed pipe on stdout (berth-image save | head) is an error to report, not a kill.
  std::signal(SIGPIPE, SIG_IGN);
  tool::ImageContext ctx;
  CLI::App app{"berth-image: manage the images of a berth data root", "berth-image"};
  app.set_version_flag("-v,--version", std::string("berth-image version ") + BERTH_VERSION);
  bool debug = false;
  app.add_option("--data-root", ctx.dataRoot, "root of berth's persistent state")
      ->capture_default_str();
  app.add_flag("--debug", debug, "enable debug logging");
  app.require_subcommand(1);
  app.fallthrough();
  tool::registerImageCommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  LogOptions lo;
  lo.name = "berth-image";
  lo.level = debug ? spdlog::level::debug : spdlog::level::warn;
  if (auto st = initLogging(lo); !st) {
    std::fprintf(stderr, "berth-image: %s\n", st.error().what().c_str());
    return 1;
  }
  if (!ctx.action) return 0;
  auto r = ctx.action();
  std::fflush(stdout);
  if (!r) {
    std::fprintf(stderr, "berth-image: %s\n", r.error().what().c_str());
    return 1;
  }
  return 0;
}
