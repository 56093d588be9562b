#include "api/stream_pump.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "apitypes/detach_keys.h"
#include "base/strings.h"
#include "shim/frame.h"
#include "shim/protocol.h"

namespace berth::api {

std::string frame(int stream, std::string_view payload) {
  std::string f(shim::kFrameHeaderSize, '\0');
  f[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  f.append(payload);
  return f;
}

namespace {

bool writeAllFd(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

Result<std::string> detachKeysFor(std::string_view given, bool ttyWithStdin) {
  std::string keys = TRY(apitypes::parseDetachKeys(
      given.empty() ? apitypes::kDefaultDetachKeys : given));  // checked even when unused
  return ttyWithStdin ? keys : std::string();
}

PumpResult pumpShimStream(Conn& client, int shimFd, bool tty, bool stdinWanted,
                          std::string detachKeys) {
  PumpResult result;
  bool clientOpen = stdinWanted;
  std::string pending;  // shim bytes not yet forming a whole frame
  char buf[65536];
  apitypes::DetachScanner detach(std::move(detachKeys));
  std::string input;
  // false: the stream is over for this client (it went away, or detached).
  auto forwardInput = [&]() -> bool {
    auto n = client.readSome(buf, sizeof buf);
    if (!n || *n == 0) {
      clientOpen = false;
      ::shutdown(shimFd, SHUT_WR);
      return true;
    }
    input.clear();
    bool detached = detach.feed(std::string_view(buf, *n), input);
    if (!input.empty() && !writeAllFd(shimFd, input.data(), input.size())) {
      // The process's stdin is gone (it exited, say): its output and exit frame may still be
      // on their way, so only the input stops.
      clientOpen = false;
      return true;
    }
    if (detached) {
      result.detached = true;
      result.pending = std::move(pending);
      return false;
    }
    return true;
  };
  while (clientOpen && client.hasBuffered()) {
    if (!forwardInput()) return result;
  }
  for (;;) {
    // After the client's input ended only its hang-up matters (POLLHUP comes unasked); asking
    // for POLLRDHUP after a half-close would wake this loop forever.
    struct pollfd p[2] = {{shimFd, POLLIN, 0},
                          {client.pollFd(), static_cast<short>(clientOpen ? POLLIN : 0), 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return result;
    }
    if (p[1].revents & (POLLERR | POLLHUP)) return result;  // the client is gone
    if (clientOpen && (p[1].revents & POLLIN)) {
      if (!forwardInput()) return result;
      // What the connection read ahead (TLS records) wakes no poll: take it now.
      while (clientOpen && client.hasBuffered()) {
        if (!forwardInput()) return result;
      }
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(shimFd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return result;
      pending.append(buf, static_cast<size_t>(n));
      std::string out;
      while (auto h = shim::decodeFrameHeader(pending)) {
        uint32_t len = h->length;
        if (pending.size() < shim::kFrameHeaderSize + len) break;
        std::string_view payload(pending.data() + shim::kFrameHeaderSize, len);
        if (h->stream == shim::kFrameExit) {
          result.exitCode = static_cast<int>(parseInt(payload, "exit code").value_or(126));
        } else if (tty) {
          out.append(payload);
        } else {
          out.append(pending, 0, shim::kFrameHeaderSize + len);
        }
        pending.erase(0, shim::kFrameHeaderSize + len);
      }
      if (!out.empty() && !client.writeAll(out)) return result;
    }
  }
}

}  // namespace berth::api
