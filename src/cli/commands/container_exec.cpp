// berth exec: create an exec instance, start it hijacked (or detached with -d), and exit with
// the exit code the exec inspect reports.

#include <unistd.h>

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/streams.h"
#include "cli/opts.h"
#include "cli/terminal.h"

namespace berth::cli {

namespace {

struct ExecOptions {
  bool detach = false, interactive = false, privileged = false, tty = false;
  std::string detachKeys, user, workdir;
  std::vector<std::string> env, envFile;
};

void flags(FlagSet& fs, ExecOptions& o) {
  fs.boolVar(&o.detach, "detach", 'd', "Detached mode: run command in the background");
  fs.stringVar(&o.detachKeys, "detach-keys", 0,
               "Override the key sequence for detaching a container");
  fs.listVar(&o.env, "env", 'e', "Set environment variables");
  fs.listVar(&o.envFile, "env-file", 0, "Read in a file of environment variables");
  fs.boolVar(&o.interactive, "interactive", 'i', "Keep STDIN open even if not attached");
  fs.boolVar(&o.privileged, "privileged", 0, "Give extended privileges to the command");
  fs.boolVar(&o.tty, "tty", 't', "Allocate a pseudo-TTY");
  fs.stringVar(&o.user, "user", 'u', "Username or UID (format: \"<name|uid>[:<group|gid>]\")");
  fs.stringVar(&o.workdir, "workdir", 'w', "Working directory inside the container");
}

Result<int> run(Cli& cli, ExecOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  std::string container = args[0];
  Args cmd(args.begin() + 1, args.end());
  std::vector<std::string> env;
  for (const auto& f : o.envFile) {
    auto lines = TRY(readKvFile(f, true));
    env.insert(env.end(), lines.begin(), lines.end());
  }
  for (const auto& e : o.env) env.push_back(resolveEnv(e));
  if (!o.detachKeys.empty()) TRY(parseDetachKeys(o.detachKeys));
  TRY(inspectContainer(*c, container));
  bool attachIn = !o.detach && o.interactive;
  if (attachIn && o.tty && !cli.stdinIsTty())
    return Error::invalid("the input device is not a TTY");
  Json body = {{"User", o.user},
               {"Privileged", o.privileged},
               {"Tty", o.tty},
               {"AttachStdin", attachIn},
               {"AttachStdout", !o.detach},
               {"AttachStderr", !o.detach},
               {"DetachKeys", detachKeysValue(cli, o.detachKeys)},
               {"Env", env},
               {"WorkingDir", o.workdir},
               {"Cmd", cmd}};
  auto size = o.tty ? terminalSize(STDOUT_FILENO) : std::nullopt;
  if (size && size->rows > 0) body["ConsoleSize"] = Json::array({size->rows, size->cols});
  Json created = TRY(c->postJson(containerPath(container, "/exec"), {}, &body));
  std::string execId = created.value("Id", "");
  Json start = {{"Detach", o.detach}, {"Tty", o.tty}};
  if (body.contains("ConsoleSize")) start["ConsoleSize"] = body["ConsoleSize"];
  std::string execPath = "/exec/" + client::pathEscape(execId);
  if (o.detach) {
    TRY(c->postJson(execPath + "/start", {}, &start));
    return 0;
  }
  auto conn = TRY(c->hijack(execPath + "/start", {}, &start));
  Session s;
  s.tty = o.tty;
  s.in = attachIn;
  s.containerId = container;
  s.resizePath = execPath;
  s.detachKeys = o.detachKeys;
  PumpResult pumped = TRY(runSession(cli, *c, *conn, s));
  conn.reset();
  if (pumped.detached) return 0;
  Json info = TRY(c->getJson(execPath + "/json"));
  if (info.contains("ExitCode") && info["ExitCode"].is_number_integer()) {
    return info["ExitCode"].get<int>();
  }
  return 0;
}

}  // namespace

void registerContainerExec(Registry& r) {
  r.add({.paths = {"container exec", "exec"},
         .use = "[OPTIONS] CONTAINER COMMAND [ARG...]",
         .shortHelp = "Execute a command in a running container",
         .minArgs = 2,
         .interspersed = false,
         .bind = bindOptions<ExecOptions>(flags, run)});
}

}  // namespace berth::cli
