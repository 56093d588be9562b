#pragma once
// Byte streams to the daemon: a unix socket, a TCP connection, or TLS over TCP (OpenSSL). The
// HTTP layer reads and writes through Conn; after a hijack the CLI pumps raw bytes through it,
// polling fd() and half-closing with closeWrite() when its input ends.

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "client/host.h"

namespace berth::client {

struct TlsConfig {
  bool enabled = false;  // --tls or --tlsverify
  bool verify = false;   // check the server's certificate against ca (or the system roots)
  std::string ca;        // empty: none given
  std::string cert;      // client certificate (with key); empty: none
  std::string key;
};

class Conn {
 public:
  virtual ~Conn() = default;
  /// Reads up to n bytes, blocking until some arrive; 0 at the end of the stream.
  virtual Result<size_t> readSome(char* buf, size_t n) = 0;
  /// Writes all of data (EPIPE is an error, never a signal).
  virtual Status writeAll(std::string_view data) = 0;
  /// Ends our direction: the peer reads end-of-stream while we keep reading its answer.
  virtual Status closeWrite() = 0;
  /// The descriptor to poll for readability.
  virtual int fd() const = 0;
  /// Whether bytes are already buffered here, which poll() on fd() would not report.
  virtual bool buffered() const { return false; }
};

/// Connects to host (TLS on TCP when tls.enabled). On failure the Error keeps the errno
/// (ECONNREFUSED, ENOENT...) so a caller can tell "nothing listens" from other failures.
Result<std::unique_ptr<Conn>> dial(const Host& host, const TlsConfig& tls);

/// A connection that first yields `prefix` (bytes read past an HTTP header), then reads from
/// inner.
std::unique_ptr<Conn> withPrefix(std::unique_ptr<Conn> inner, std::string prefix);

}  // namespace berth::client
