#include "cli/commands/save_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "base/unique_fd.h"
#include "cli/commands/common.h"

namespace berth::cli {

Status saveBody(Cli& cli, client::Response& resp, const std::string& output) {
  if (output.empty() || output == "-") {
    cli.flush();
    return copyBody(resp, STDOUT_FILENO, "stdout");
  }
  std::string tmp = output + ".berth-tmp-" + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return Error::sys(errno, "open {}", tmp);
  auto st = copyBody(resp, fd.get(), output);
  if (st && ::fsync(fd.get()) != 0) st = Error::sys(errno, "fsync {}", tmp);
  fd.reset();
  if (st && std::rename(tmp.c_str(), output.c_str()) != 0)
    st = Error::sys(errno, "rename {}", output);
  if (!st) ::unlink(tmp.c_str());
  return st;
}

}  // namespace berth::cli
