#include "cli/cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/file.h"
#include "base/unique_fd.h"

extern char** environ;

namespace berth::cli {

namespace {

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

std::string configDir(const GlobalOptions& o) {
  if (!o.config.empty()) return o.config;
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.docker";
}

// berthd next to this binary (installed), beside it in the build tree (tools/berthd/berthd),
// else from PATH.
std::string findBerthd() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = self.parent_path();
    for (const auto& p : {dir / "berthd", dir.parent_path() / "berthd" / "berthd"}) {
      if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
  }
  return "berthd";
}

bool answers(const std::string& socketPath) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath.size() >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace

Cli::Cli(GlobalOptions opts) : opts_(std::move(opts)) {}

const Json& Cli::config() {
  if (!configLoaded_) {
    configLoaded_ = true;
    config_ = Json::object();
    auto text = readFile(configDir(opts_) + "/config.json");
    if (text) {
      auto j = parseJson(*text, "config.json");
      if (j && j->is_object()) config_ = std::move(*j);
    }
  }
  return config_;
}

Result<client::ClientOptions> Cli::clientOptions() {
  client::ClientOptions co;
  // Only the implicit context exists: the host comes from -H and the environment.
  if (!opts_.context.empty() && opts_.context != "default") {
    return Error::notFound("context \"{}\" does not exist", opts_.context);
  }
  std::string hostValue = TRY(client::selectHost(opts_.hosts));
  const char* envVerify = std::getenv("DOCKER_TLS_VERIFY");
  bool verify = opts_.tlsVerify || (envVerify && *envVerify);
  bool tls = opts_.tls || verify;
  co.host = TRY(client::parseHost(hostValue, tls));
  if (tls) {
    const char* certPath = std::getenv("DOCKER_CERT_PATH");
    std::string dir = certPath && *certPath ? certPath : configDir(opts_);
    co.tls.enabled = true;
    co.tls.verify = verify;
    auto pick = [&](const std::string& flag, bool set, const char* file) {
      if (set) return flag;
      std::string p = dir + "/" + file;
      return exists(p) ? p : std::string();
    };
    co.tls.ca = pick(opts_.tlsCaCert, opts_.tlsCaCertSet, "ca.pem");
    co.tls.cert = pick(opts_.tlsCert, opts_.tlsCertSet, "cert.pem");
    co.tls.key = pick(opts_.tlsKey, opts_.tlsKeySet, "key.pem");
  }
  if (const char* v = std::getenv("DOCKER_API_VERSION"); v && *v) co.apiVersion = v;
  co.userAgent = std::string("berth-cli/") + BERTH_VERSION;
  if (co.host.isDefault() && !std::getenv("BERTH_NO_AUTOSTART")) {
    std::string sock = co.host.path;
    co.startDaemon = [sock] { return startDaemon(sock); };
  }
  return co;
}

Result<client::Client*> Cli::client() {
  if (!client_) client_ = std::make_unique<client::Client>(TRY(clientOptions()));
  return client_.get();
}

void Cli::out(std::string_view s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
}

void Cli::err(std::string_view s) {
  std::fflush(stdout);
  std::fwrite(s.data(), 1, s.size(), stderr);
}

void Cli::flush() {
  std::fflush(stdout);
}

bool Cli::stdinIsTty() const {
  return ::isatty(STDIN_FILENO) == 1;
}
bool Cli::stdoutIsTty() const {
  return ::isatty(STDOUT_FILENO) == 1;
}

Status startDaemon(const std::string& socketPath) {
  std::string bin = findBerthd();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own session: the daemon outlives this command and the terminal's signals.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  char* argv[] = {bin.data(), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, bin.c_str(), &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error::sys(rc, "start berthd ({})", bin);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (answers(socketPath)) return {};
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return Error(ErrorKind::Unavailable,
                   fmt::format("berthd ({}) exited during start-up with status {}", bin,
                               WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Error(ErrorKind::Unavailable,
               fmt::format("berthd ({}) did not answer on {} within 5 s", bin, socketPath));
}

}  // namespace berth::cli
