#pragma once
// One HTTP/1.1 exchange per connection, written by hand rather than with Beast: the CLI is a
// short-lived process on the `run --rm` path, its requests are small, and the streams it needs
// most (chunked logs and events, hijacked attach) want the raw connection anyway. Bodies are
// read by Content-Length, chunked encoding, or to the end of the connection.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "client/conn.h"

namespace berth::client {

class Headers {
 public:
  void add(std::string name, std::string value) {
    items_.emplace_back(std::move(name), std::move(value));
  }
  /// The first value of a header, by case-insensitive name.
  std::optional<std::string> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  std::string method = "GET";
  std::string target;  // path and query, already escaped
  Headers headers;
  std::string body;
  // A streamed body (a tar from stdin): read until it returns 0, sent with Content-Length
  // when contentLength >= 0, else chunked.
  std::function<Result<size_t>(char*, size_t)> bodySource;
  long long contentLength = -1;
};

class Response {
 public:
  int status = 0;
  std::string reason;
  Headers headers;

  /// Reads body bytes; 0 at the end of the body.
  Result<size_t> read(char* buf, size_t n);
  /// The rest of the body.
  Result<std::string> readAll();
  /// The rest of the body, kept to be read again: a look at it that consumes nothing.
  Result<std::string> bufferBody();
  /// Reads one line of the body (without '\n'); nullopt at the end of the body.
  Result<std::optional<std::string>> readLine();
  /// The connection after a 101 (or a hijacked 200): bytes already read come first.
  std::unique_ptr<Conn> takeConn();

 private:
  friend Result<Response> roundTrip(std::unique_ptr<Conn>, const Request&, std::string_view);
  enum class Mode { None, Length, Chunked, Eof };

  Result<size_t> fill();
  Result<std::string> rawLine();
  Result<size_t> readRaw(char* buf, size_t n);

  std::unique_ptr<Conn> conn_;
  std::string buf_;
  size_t pos_ = 0;
  Mode mode_ = Mode::None;
  unsigned long long remaining_ = 0;  // Length: body bytes left; Chunked: of the current chunk
  bool done_ = false;
  std::string lineBuf_;
};

/// Sends req on conn (adding Host, Content-Length or Transfer-Encoding) and reads the status
/// line and headers. A write that fails because the daemon answered early (and closed) still
/// returns that answer.
Result<Response> roundTrip(std::unique_ptr<Conn> conn, const Request& req,
                           std::string_view hostHeader);

/// Percent-encodes a query key or value (Go's url.QueryEscape: space as '+').
std::string queryEscape(std::string_view s);
/// Percent-encodes a path (Go's url.PathEscape of each segment, '/' kept).
std::string pathEscape(std::string_view s);

}  // namespace berth::client
