#include "api/pipes.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/file.h"

namespace berth::api {

Result<std::unique_ptr<BodyPipe>> pipeBody(Exchange& ex) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
  auto p = std::make_unique<BodyPipe>();
  p->readEnd.reset(fds[0]);
  UniqueFd w(fds[1]);
  p->feeder = std::thread([&ex, w = std::move(w)]() mutable {
    char buf[65536];
    for (;;) {
      auto n = ex.bodyStream().readSome(buf, sizeof buf);
      if (!n || *n == 0) break;
      if (!writeAll(w.get(), std::string_view(buf, *n), "request body")) break;
    }
  });
  return p;
}

Status streamOutput(Exchange& ex, std::string_view contentType,
                    const std::function<Status(int)>& fn,
                    const std::map<std::string, std::string>& headers) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
  UniqueFd r(fds[0]), w(fds[1]);
  Status result;
  std::thread producer([&] {
    try {
      result = fn(w.get());
    } catch (const std::exception& e) {
      result = Error::internal("{}", e.what());  // an exception out of a thread ends berthd
    }
    w.reset();
  });
  char buf[65536];
  bool begun = false;
  ssize_t n;
  bool clientOk = true;
  while ((n = ::read(r.get(), buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (!begun) {
      begun = true;
      clientOk = ex.beginStream(200, contentType, headers).has_value();
    }
    if (clientOk)
      clientOk = ex.writeChunk(std::string_view(buf, static_cast<size_t>(n))).has_value();
    if (!clientOk) break;
  }
  r.reset();  // a producer still writing gets EPIPE
  producer.join();
  if (!begun) {
    TRY(result);
    TRY(ex.beginStream(200, contentType, headers));
  }
  if (!result) return result;  // headers sent: the server closes the connection
  return ex.endStream();
}

}  // namespace berth::api
