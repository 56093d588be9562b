// berth logs: the container's log, demultiplexed to stdout and stderr unless it has a TTY.

#include <unistd.h>

#include "base/file.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"
#include "client/multiplex.h"

namespace berth::cli {

namespace {

struct LogsOptions {
  bool details = false, follow = false, timestamps = false;
  std::string since, until, tail = "all";
};

void flags(FlagSet& fs, LogsOptions& o) {
  fs.boolVar(&o.details, "details", 0, "Show extra details provided to logs");
  fs.boolVar(&o.follow, "follow", 'f', "Follow log output");
  fs.stringVar(&o.since, "since", 0,
               "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. "
               "\"42m\" for 42 minutes)");
  fs.stringVar(&o.tail, "tail", 'n', "Number of lines to show from the end of the logs");
  fs.boolVar(&o.timestamps, "timestamps", 't', "Show timestamps");
  fs.stringVar(&o.until, "until", 0,
               "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. "
               "\"42m\" for 42 minutes)");
}

Status out(int fd, std::string_view data) {
  auto st = writeAll(fd, data, "output");
  if (!st && st.error().sysErrno() == EPIPE) return {};
  return st;
}

Result<int> run(Cli& cli, LogsOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  Json info = TRY(inspectContainer(*c, args[0]));
  bool tty = info.value("Config", Json::object()).value("Tty", false);
  client::Query q;
  q.add("stdout", "1").add("stderr", "1");
  q.opt("since", TRY(parseTimestamp(o.since))).opt("until", TRY(parseTimestamp(o.until)));
  q.flag("timestamps", o.timestamps).flag("follow", o.follow).opt("tail", o.tail);
  q.flag("details", o.details);
  client::Response resp = TRY(c->call("GET", containerPath(args[0], "/logs"), q));
  cli.flush();
  client::Demuxer demux([](int stream, std::string_view payload) -> Status {
    return out(stream == 2 ? STDERR_FILENO : STDOUT_FILENO, payload);
  });
  std::vector<char> buf(64 * 1024);
  for (;;) {
    size_t n = TRY(resp.read(buf.data(), buf.size()));
    if (n == 0) break;
    std::string_view data(buf.data(), n);
    if (tty) {
      TRY(out(STDOUT_FILENO, data));
    } else {
      TRY(demux.feed(data));
    }
  }
  return 0;
}

}  // namespace

void registerContainerLogs(Registry& r) {
  r.add({.paths = {"container logs", "logs"},
         .use = "[OPTIONS] CONTAINER",
         .shortHelp = "Fetch the logs of a container",
         .minArgs = 1,
         .maxArgs = 1,
         .bind = bindOptions<LogsOptions>(flags, run)});
}

}  // namespace berth::cli
