#include "engine/process_run.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/strings.h"
#include "base/unique_fd.h"

namespace berth::engine {

Status runProgram(const std::vector<std::string>& argv, const std::string& what, RunOutput* out) {
  UniqueFd outR, outW, errR, errW;
  if (out) {
    int a[2], b[2];
    if (::pipe2(a, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
    outR.reset(a[0]);
    outW.reset(a[1]);
    if (::pipe2(b, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
    errR.reset(b[0]);
    errW.reset(b[1]);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // posix_spawn (vfork underneath): a fork of a big threaded daemon copies its page tables,
  // which costs milliseconds on every runtime call.
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (out) {
    posix_spawn_file_actions_adddup2(&fa, outW.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, errW.get(), 2);
  }
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);  // fds without O_CLOEXEC stay ours
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (rc == ENOENT) return Error::notFound("{}: {} not found", what, argv[0]);
    return Error::sys(rc, "spawn {}", argv[0]);
  }
  outW.reset();
  errW.reset();
  if (out) {
    struct pollfd p[2] = {{outR.get(), POLLIN, 0}, {errR.get(), POLLIN, 0}};
    std::string* dst[2] = {&out->out, &out->err};
    int open = 2;
    char buf[65536];
    while (open > 0) {
      if (::poll(p, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(p[i].fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          p[i].fd = -1;
          --open;
          continue;
        }
        dst[i]->append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && (!out || out->err.empty())) {
    return Error::notFound("{}: {} not found", what, argv[0]);
  }
  std::string detail;
  if (out) {
    auto lines = split(std::string(trim(out->err)), '\n', true);
    if (!lines.empty()) detail = std::string(trim(lines.back()));
  }
  if (detail.empty()) {
    detail = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                               : fmt::format("signal {}", WTERMSIG(status));
  }
  return Error::internal("{}: {}", what, detail);
}

}  // namespace berth::engine
