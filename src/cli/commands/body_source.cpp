#include "cli/commands/body_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::cli {

Result<std::shared_ptr<UniqueFd>> bodyFromFile(client::Request& req, const std::string& path) {
  auto fd = std::make_shared<UniqueFd>();
  int raw = STDIN_FILENO;
  if (!path.empty() && path != "-") {
    fd->reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd->valid()) return Error::sys(errno, "open {}", path);
    raw = fd->get();
    struct stat st;
    if (::fstat(raw, &st) == 0 && S_ISREG(st.st_mode)) req.contentLength = st.st_size;
  }
  req.bodySource = [raw](char* buf, size_t n) -> Result<size_t> {
    ssize_t r;
    do {
      r = ::read(raw, buf, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return Error::sys(errno, "read input");
    return static_cast<size_t>(r);
  };
  return fd;
}

}  // namespace berth::cli
