#include "base/file.h"
#include "base/strings.h"
#include "commands.h"

namespace berth::tool {
namespace {

struct ExecFlags {
  std::string processFile, cwd, user, pidFile, consoleSocket;
  std::vector<std::string> env, caps;
  std::vector<uint32_t> groups;
  bool tty = false, detach = false, noNewPrivs = false;
  int preserveFds = 0;
  std::vector<std::string> rest;  // id, then the command
};

Result<oci::Process> buildProcess(const ExecFlags& f, const runtime::ContainerState& s) {
  if (!f.processFile.empty()) {
    auto text = TRY(readFile(f.processFile));
    auto j = TRY(parseJson(text, f.processFile));
    return oci::processFromJson(j);
  }
  if (f.rest.size() < 2) return Error::invalid("exec: no command given");
  // Like runc: the container's own process is the template; flags override it.
  oci::Process p = s.spec.process.value_or(oci::Process{});
  p.args.assign(f.rest.begin() + 1, f.rest.end());
  p.terminal = f.tty;
  for (const auto& e : f.env) p.env.push_back(e);
  if (!f.cwd.empty()) p.cwd = f.cwd;
  if (!f.user.empty()) {
    auto parts = split(f.user, ':');
    p.user.uid = static_cast<uint32_t>(TRY(parseUint(parts[0], "user id")));
    p.user.gid = parts.size() > 1 ? static_cast<uint32_t>(TRY(parseUint(parts[1], "group id"))) : 0;
    p.user.additionalGids.clear();
  }
  for (auto g : f.groups) p.user.additionalGids.push_back(g);
  if (f.noNewPrivs) p.noNewPrivileges = true;
  if (!f.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (const auto& c : f.caps) {
      for (auto* set :
           {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted}) {
        set->push_back(c);
      }
    }
  }
  p.consoleSize.reset();
  return p;
}

}  // namespace

void registerExec(CLI::App& app, Context& ctx) {
  static ExecFlags f;
  auto* e = app.add_subcommand("exec", "run a process in a running container");
  e->add_option("-p,--process", f.processFile, "process.json to run");
  e->add_option("--cwd", f.cwd, "working directory");
  e->add_option("-u,--user", f.user, "uid[:gid]");
  e->add_option("-g,--additional-gids", f.groups, "additional group ids")->allow_extra_args(false);
  e->add_option("-e,--env", f.env, "environment variable K=V")->allow_extra_args(false);
  e->add_option("-c,--cap", f.caps, "add a capability")->allow_extra_args(false);
  e->add_flag("-t,--tty", f.tty, "allocate a pseudo-TTY");
  e->add_flag("-d,--detach", f.detach, "detach from the process");
  e->add_flag("--no-new-privs", f.noNewPrivs, "set no_new_privs");
  e->add_option("--pid-file", f.pidFile, "file to write the process pid to");
  e->add_option("--console-socket", f.consoleSocket, "unix socket that receives the pty master");
  e->add_option("--preserve-fds", f.preserveFds, "pass this many extra fds (from 3)");
  static std::string label;  // no LSM on this host
  e->add_option("--process-label,--apparmor", label, "accepted for runc compatibility");
  e->add_option("args", f.rest, "container id, then the command and its arguments");
  e->positionals_at_end();
  e->footer("Usage: berth-runtime exec [options] <container-id> <command> [args...]");
  e->callback([&] {
    ctx.action = [&]() -> Result<int> {
      if (f.rest.empty()) return Error::invalid("exec: a container id is required");
      runtime::ExecOptions o;
      o.id = f.rest.at(0);
      auto info = TRY(runtime::inspect(ctx.globals, o.id));
      o.process = TRY(buildProcess(f, info.state));
      if (!f.processFile.empty() && f.tty) o.process.terminal = true;
      o.pidFile = f.pidFile;
      o.consoleSocket = f.consoleSocket;
      o.detach = f.detach;
      o.preserveFds = f.preserveFds;
      return runtime::exec(ctx.globals, o);
    };
  });
}

}  // namespace berth::tool
