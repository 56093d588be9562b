#include "commands.h"

namespace berth::tool {

namespace {

void addCreateFlags(CLI::App* c, runtime::CreateOptions& o) {
  c->add_option("-b,--bundle", o.bundle, "path to the bundle directory")->capture_default_str();
  c->add_option("--pid-file", o.pidFile, "file to write the init's pid to");
  c->add_option("--console-socket", o.consoleSocket,
                "unix socket that receives the pty master (process.terminal)");
  c->add_flag("--no-pivot", o.noPivot, "use MS_MOVE + chroot instead of pivot_root");
  c->add_option("--preserve-fds", o.preserveFds,
                "pass this many extra fds (from 3) to the process");
  static bool noNewKeyring = false;  // berth-runtime never creates session keyrings
  c->add_flag("--no-new-keyring", noNewKeyring, "accepted for runc compatibility");
  c->add_option("id", o.id, "container id")->required();
}

}  // namespace

void registerLifecycle(CLI::App& app, Context& ctx) {
  static runtime::CreateOptions create;
  auto* c = app.add_subcommand("create", "create a container");
  addCreateFlags(c, create);
  c->callback([&] {
    ctx.action = [&]() -> Result<int> {
      TRY(runtime::create(ctx.globals, create));
      return 0;
    };
  });

  static std::string startId;
  auto* s = app.add_subcommand("start", "start a created container");
  s->add_option("id", startId, "container id")->required();
  s->callback([&] {
    ctx.action = [&]() -> Result<int> {
      TRY(runtime::start(ctx.globals, startId));
      return 0;
    };
  });

  static runtime::CreateOptions runOpts;
  static bool detach = false;
  auto* r = app.add_subcommand("run", "create and start a container");
  addCreateFlags(r, runOpts);
  r->add_flag("-d,--detach", detach, "detach from the container's process");
  r->callback([&] { ctx.action = [&]() { return runtime::run(ctx.globals, runOpts, detach); }; });

  static std::string delId;
  static bool force = false;
  auto* d = app.add_subcommand("delete", "delete a container");
  d->alias("rm");
  d->add_flag("-f,--force", force, "kill the container first if it is running");
  d->add_option("id", delId, "container id")->required();
  d->callback([&] {
    ctx.action = [&]() -> Result<int> {
      TRY(runtime::remove(ctx.globals, delId, force));
      return 0;
    };
  });
}

}  // namespace berth::tool
