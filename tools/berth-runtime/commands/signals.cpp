#include "commands.h"

namespace berth::tool {

void registerSignals(CLI::App& app, Context& ctx) {
  static std::string id, sig = "SIGTERM";
  static bool all = false;
  auto* k = app.add_subcommand("kill", "send a signal to a container's init (or all processes)");
  k->add_flag("-a,--all", all, "signal every process in the container");
  k->add_option("id", id, "container id")->required();
  k->add_option("signal", sig, "signal name or number")->capture_default_str();
  k->callback([&] {
    ctx.action = [&]() -> Result<int> {
      int s = TRY(runtime::parseSignal(sig));
      TRY(runtime::kill(ctx.globals, id, s, all));
      return 0;
    };
  });

  static std::string pauseId, resumeId;
  auto* p = app.add_subcommand("pause", "freeze every process of a container");
  p->add_option("id", pauseId, "container id")->required();
  p->callback([&] {
    ctx.action = [&]() -> Result<int> {
      TRY(runtime::pause(ctx.globals, pauseId));
      return 0;
    };
  });
  auto* r = app.add_subcommand("resume", "thaw a paused container");
  r->add_option("id", resumeId, "container id")->required();
  r->callback([&] {
    ctx.action = [&]() -> Result<int> {
      TRY(runtime::resume(ctx.globals, resumeId));
      return 0;
    };
  });
}

}  // namespace berth::tool
