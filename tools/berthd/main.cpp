// berthd: the Docker Engine API daemon. Option wiring only; the work is in src/api and
// src/engine. Containers outlive the daemon (their shims are not its children), so SIGTERM
// just stops serving and a later berthd picks them up again.

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "api/api.h"
#include "apitypes/version.h"
#include "base/file.h"
#include "base/json.h"
#include "base/log.h"
#include "base/strings.h"

namespace {

using namespace berth;

// A helper binary next to berthd (installed layout) or in the build tree (tools/<name>/<name>).
std::string findHelper(const std::string& name) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = self.parent_path();
    for (auto p : {dir / name, dir.parent_path() / name / name}) {
      if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
  }
  return name;  // PATH
}

Result<UniqueFd> lockDataRoot(const std::string& root) {
  // The same lock berth-image takes per command: one user of a data root at a time.
  std::string path = root + "/.berth-image.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return Error::sys(errno, "open {}", path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    return Error(
        ErrorKind::Conflict,
        fmt::format("data root {} is in use by another berthd (or a berth-image command)", root));
  }
  return fd;
}

int fail(const Error& e) {
  std::fprintf(stderr, "berthd: %s\n", e.what().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"berthd: the berth daemon (Docker Engine API)", "berthd"};
  app.set_version_flag("-v,--version", std::string("berthd version ") + BERTH_VERSION);
  std::vector<std::string> hosts;
  engine::EngineOptions eo;
  api::ServerOptions so;
  std::vector<std::string> addRuntimes;
  std::string logLevel = "info", pidFile, group = "berth";
  bool debug = false;
  app.add_option("-H,--host", hosts,
                 "daemon socket(s) to listen on (unix:///path, tcp://addr:port)");
  app.add_option("--data-root", eo.dataRoot, "root of persistent state")->capture_default_str();
  app.add_option("--exec-root", eo.execRoot, "root of runtime state")->capture_default_str();
  app.add_option("--runtime-path", eo.runtimePath,
                 "the OCI runtime for --runtime berth (default: berth-runtime)");
  app.add_option("--shim-path", eo.shimPath, "the berth-shim binary");
  app.add_option("--init-path", eo.initPath, "the init of run --init (default: berth-init)");
  app.add_option("--add-runtime", addRuntimes, "register an OCI runtime: NAME=PATH");
  app.add_option("--seccomp-profile", eo.seccompProfile,
                 "seccomp profile of containers that name none: builtin, unconfined or a file")
      ->capture_default_str();
  app.add_option("--cgroup-parent", eo.cgroupParent, "parent cgroup of containers")
      ->capture_default_str();
  app.add_option("-G,--group", group, "group owning the unix socket (when it exists)")
      ->capture_default_str();
  app.add_flag("--tlsverify", so.tlsVerify,
               "TLS on TCP, clients must present a certificate signed by --tlscacert");
  app.add_option("--tlscacert", so.tlsCaCert, "CA certificate for client certificates");
  app.add_option("--tlscert", so.tlsCert, "server certificate");
  app.add_option("--tlskey", so.tlsKey, "server key");
  app.add_flag("--insecure-tcp", so.insecureTcp,
               "allow plain TCP without TLS (anyone reaching it is root)");
  app.add_option("-l,--log-level", logLevel, "debug, info, warn, error")->capture_default_str();
  app.add_flag("-D,--debug", debug, "debug logging");
  app.add_option("-p,--pidfile", pidFile, "write the daemon's pid here");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  LogOptions lo;
  lo.name = "berthd";
  lo.level = debug ? spdlog::level::debug : spdlog::level::from_str(logLevel);
  if (auto st = initLogging(lo); !st) return fail(st.error());

  if (hosts.empty()) hosts.push_back("unix://" + eo.execRoot + "/berth.sock");
  if (eo.runtimePath.empty()) eo.runtimePath = findHelper("berth-runtime");
  if (eo.shimPath.empty()) eo.shimPath = findHelper("berth-shim");
  if (eo.initPath.empty()) eo.initPath = findHelper("berth-init");
  if (eo.seccompProfile.empty()) eo.seccompProfile = "builtin";
  if (eo.seccompProfile != "builtin" && eo.seccompProfile != "unconfined") {
    // Read once, as dockerd does; a file that is not a JSON object is refused now, not at the
    // first container's start.
    auto text = readFile(eo.seccompProfile);
    if (!text) return fail(std::move(text).error().context("--seccomp-profile"));
    auto parsed = parseJson(*text, "seccomp profile " + eo.seccompProfile);
    if (!parsed) return fail(std::move(parsed).error().context("--seccomp-profile"));
    if (!parsed->is_object())
      return fail(Error::invalid("--seccomp-profile {}: not a JSON object", eo.seccompProfile));
    eo.seccompProfileJson = std::move(*parsed);
  }
  for (const std::string& r : addRuntimes) {
    auto eq = r.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(Error::invalid("--add-runtime {:?}: want NAME=PATH", r));
    eo.runtimes[r.substr(0, eq)] = r.substr(eq + 1);
  }

  // Signals are taken by one thread with sigwait; every other thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  ::pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  if (auto st = ensureDir(eo.dataRoot, 0711); !st) return fail(st.error());
  if (auto st = ensureDir(eo.execRoot, 0711); !st) return fail(st.error());
  auto lock = lockDataRoot(eo.dataRoot);
  if (!lock) return fail(lock.error());
  auto images = engine::ImageService::open(eo.dataRoot);
  if (!images) return fail(images.error());
  std::mutex imageMu;
  {
    std::lock_guard g(imageMu);
    if (auto st = (*images)->collectGarbage(); !st) spdlog::warn("image gc: {}", st.error().what());
  }
  engine::EventBus events;
  auto containers = engine::ContainerService::open(eo, **images, imageMu, events);
  if (!containers) return fail(containers.error());

  api::Services services{
      **images,    imageMu,     **containers,   events,
      eo.dataRoot, eo.execRoot, eo.runtimePath, std::chrono::system_clock::now()};
  services.seccompProfile = eo.seccompProfile;
  api::Router router;
  api::registerRoutes(router, services);
  so.hosts = hosts;
  so.socketGroup = group;
  so.apiVersion = apitypes::kApiVersion;
  so.minApiVersion = apitypes::kMinApiVersion;
  api::Server server(router, so);
  if (auto st = server.listen(); !st) return fail(st.error());
  if (!pidFile.empty()) {
    if (auto st = writeFileAtomic(pidFile, std::to_string(::getpid()) + "\n"); !st)
      return fail(st.error());
  }
  spdlog::info("berthd {} listening on {}", BERTH_VERSION, join(hosts, ", "));

  std::thread signals([&] {
    int sig = 0;
    while (::sigwait(&sigs, &sig) == 0) {
      if (sig == SIGHUP) continue;
      spdlog::info("signal {}: shutting down (containers keep running)", sig);
      server.stop();
      return;
    }
  });
  server.serve();
  signals.join();
  if (!pidFile.empty()) ::unlink(pidFile.c_str());
  // Containers keep running (live restore), and their monitor threads still use the services:
  // leave without running destructors under them.
  std::fflush(nullptr);
  ::_exit(0);
}
