// berth run: create, attach (unless -d), wait (next-exit, or removed with --rm), start, then
// stream until the output ends and exit with the container's status, as docker run does.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/container_config.h"
#include "cli/commands/streams.h"
#include "cli/terminal.h"

namespace berth::cli {

namespace {

struct RunOptions {
  ContainerOptions c;
  bool detach = false;
  std::string detachKeys;
  bool sigProxy = true;
};

void flags(FlagSet& fs, RunOptions& o) {
  addContainerFlags(fs, o.c);
  fs.boolVar(&o.detach, "detach", 'd', "Run container in background and print container ID");
  fs.stringVar(&o.detachKeys, "detach-keys", 0,
               "Override the key sequence for detaching a container");
  fs.boolVar(&o.sigProxy, "sig-proxy", 0, "Proxy received signals to the process");
}

// The wait answer: {"StatusCode": N, "Error": {"Message": ...}}.
Result<int> waitStatus(Cli& cli, client::Response& resp) {
  auto line = resp.readLine();
  if (!line || !*line) {
    cli.err(fmt::format("{}: error waiting for container: {}\n", cli.prog,
                        line ? "the daemon closed the connection" : line.error().what()));
    return 125;
  }
  auto j = parseJson(**line, "wait response");
  if (!j || !j->is_object()) return 125;
  if (j->contains("Error") && (*j)["Error"].is_object()) {
    std::string msg = (*j)["Error"].value("Message", "");
    if (!msg.empty()) {
      cli.err(fmt::format("{}: error waiting for container: {}\n", cli.prog, msg));
      return 125;
    }
  }
  return j->value("StatusCode", 0);
}

Result<int> run(Cli& cli, RunOptions& o, Args& args) {
  CreateRequest req = TRY(buildCreateRequest(o.c, args));
  Json& cfg = req.body;
  if (o.detach) {
    if (!o.c.attach.empty()) {
      cli.exitCode = 1;
      return Error::invalid("conflicting options: cannot specify both --attach and --detach");
    }
    cfg["AttachStdin"] = cfg["AttachStdout"] = cfg["AttachStderr"] = cfg["StdinOnce"] = false;
  } else if (cfg["AttachStdin"].get<bool>() && o.c.tty && !cli.stdinIsTty()) {
    cli.exitCode = 1;
    return Error::invalid("the input device is not a TTY");
  }
  if (o.c.tty && !o.detach) {
    // The terminal's size from the first instant, as docker sends it: a resize can only follow
    // the start, after a program may have read the size.
    if (auto size = terminalSize(STDOUT_FILENO); size && size->rows > 0 && size->cols > 0) {
      cfg["HostConfig"]["ConsoleSize"] = Json::array({size->rows, size->cols});
    }
  }
  Session s;
  s.tty = o.c.tty;
  s.in = cfg["AttachStdin"].get<bool>();
  s.out = cfg["AttachStdout"].get<bool>();
  s.err = cfg["AttachStderr"].get<bool>();
  s.sigProxy = o.sigProxy && !o.c.tty;
  s.detachKeys = o.detachKeys;
  if (!o.detachKeys.empty()) TRY(parseDetachKeys(o.detachKeys));

  auto id = createContainer(cli, o.c, req);
  if (!id) {
    cli.exitCode = startErrorCode(id.error());
    return std::move(id).error();
  }
  s.containerId = *id;
  s.resizePath = containerPath(*id);
  client::Client* c = TRY(cli.client());
  bool attach = s.in || s.out || s.err;
  if (!s.out && !s.err) {
    cli.out(*id + "\n");
    cli.flush();
  }
  std::unique_ptr<client::Conn> conn;
  if (attach) conn = TRY(attachContainer(cli, *c, s));
  std::optional<client::Response> wait;
  if (attach) {
    client::Query q;
    q.add("condition", o.c.autoRemove ? "removed" : "next-exit");
    wait.emplace(TRY(c->call("POST", containerPath(*id, "/wait"), q)));
  }
  auto started = c->call("POST", containerPath(*id, "/start"));
  if (!started) {
    conn.reset();
    if (o.c.autoRemove && wait) (void)wait->readAll();
    cli.exitCode = startErrorCode(started.error());
    return std::move(started).error();
  }
  (void)started->readAll();
  if (!attach) return 0;
  PumpResult pumped = TRY(runSession(cli, *c, *conn, s));
  conn.reset();
  if (pumped.detached) return 0;
  if (!s.out && !s.err) return 0;
  return waitStatus(cli, *wait);
}

}  // namespace

void registerContainerRun(Registry& r) {
  r.add({.paths = {"container run", "run"},
         .use = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
         .shortHelp = "Create and run a new container from an image",
         .minArgs = 1,
         .interspersed = false,
         .errorCode = 125,
         .bind = bindOptions<RunOptions>(flags, run)});
}

}  // namespace berth::cli
