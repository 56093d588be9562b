// berth: the docker-compatible command line. Global option wiring only; commands live in
// src/cli/commands, the API client in src/client.

#include <signal.h>

#include <clocale>
#include <cstdio>

#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace berth;
  using namespace berth::cli;
  // A daemon that hangs up mid-write is an error to report, not a signal to die of.
  ::signal(SIGPIPE, SIG_IGN);
  std::setlocale(LC_CTYPE, "");

  GlobalOptions g;
  FlagSet fs;
  fs.stringVar(&g.config, "config", 0, "Location of client config files");
  fs.stringVar(&g.context, "context", 'c',
               "Name of the context to use to connect to the daemon (overrides DOCKER_HOST env "
               "var)");
  fs.boolVar(&g.debug, "debug", 'D', "Enable debug mode");
  fs.listVar(&g.hosts, "host", 'H', "Daemon socket to connect to");
  fs.stringVar(&g.logLevel, "log-level", 'l',
               "Set the logging level (\"debug\", \"info\", \"warn\", \"error\", \"fatal\")");
  fs.boolVar(&g.tls, "tls", 0, "Use TLS; implied by --tlsverify");
  fs.funcVar("tlscacert", 0, "string", "Trust certs signed only by this CA",
             [&g](std::string_view v) -> Status {
               g.tlsCaCert = std::string(v);
               g.tlsCaCertSet = true;
               return {};
             });
  fs.funcVar("tlscert", 0, "string", "Path to TLS certificate file",
             [&g](std::string_view v) -> Status {
               g.tlsCert = std::string(v);
               g.tlsCertSet = true;
               return {};
             });
  fs.funcVar("tlskey", 0, "string", "Path to TLS key file", [&g](std::string_view v) -> Status {
    g.tlsKey = std::string(v);
    g.tlsKeySet = true;
    return {};
  });
  fs.boolVar(&g.tlsVerify, "tlsverify", 0, "Use TLS and verify the remote");
  fs.boolVar(&g.version, "version", 'v', "Print version information and quit");
  bool help = false;
  fs.boolVar(&help, "help", 'h', "Print usage");
  fs.hide("help");
  fs.setInterspersed(false);

  Args raw(argv + 1, argv + argc);
  auto args = fs.parse(raw);
  if (!args) {
    std::fprintf(
        stderr,
        "%s\n\nUsage:  berth [OPTIONS] COMMAND\n\nRun 'berth --help' for more information\n",
        args.error().message().c_str());
    return 125;
  }
  if (g.version) {
    std::printf("berth version %s\n", BERTH_VERSION);
    return 0;
  }
  if (help) args->insert(args->begin(), "--help");
  Registry registry;
  registerAll(registry);
  Cli cli(std::move(g));
  int rc = dispatch(registry, cli, fs, *args);
  std::fflush(stdout);
  return rc;
}
