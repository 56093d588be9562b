#include "runtime/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

Status runHook(const oci::Hook& h, const std::string& state, const char* phase, size_t index) {
  auto ctx = [&] { return fmt::format("{} hook #{} {}", phase, index, h.path); };
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Error::sys(errno, "pipe").context(ctx());
  std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = h.env;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Error::sys(errno, "fork").context(ctx());
  if (pid == 0) {
    ::dup2(in[0], 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(h.path.c_str(), argv.data(), envp.data());
    ::dprintf(2, "berth-runtime: exec hook %s: %s\n", h.path.c_str(), strerror(errno));
    ::_exit(127);
  }
  ::close(in[0]);
  UniqueFd w(in[1]);
  size_t off = 0;
  signal(SIGPIPE, SIG_IGN);
  while (off < state.size()) {
    ssize_t n = ::write(w.get(), state.data() + off, state.size() - off);
    if (n <= 0) break;  // a hook need not read its stdin
    off += static_cast<size_t>(n);
  }
  w.reset();
  int status = 0;
  if (h.timeout && *h.timeout > 0) {
    auto pfd = sys::pidfdOpen(pid);
    if (pfd) {
      struct pollfd p {
        pfd->get(), POLLIN, 0
      };
      int r = ::poll(&p, 1, *h.timeout * 1000);
      if (r == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return Error::make(ErrorKind::Cancelled, "timed out after {}s", *h.timeout).context(ctx());
      }
    }
  }
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::sys(errno, "waitpid").context(ctx());
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  if (WIFEXITED(status)) {
    return Error::internal("exit status {}", WEXITSTATUS(status)).context(ctx());
  }
  return Error::internal("killed by signal {}", WTERMSIG(status)).context(ctx());
}

}  // namespace

Status runHooks(const std::vector<oci::Hook>& hooks, const std::string& stateJson,
                const char* phase) {
  for (size_t i = 0; i < hooks.size(); ++i) TRY(runHook(hooks[i], stateJson, phase, i));
  return ok();
}

}  // namespace berth::runtime
