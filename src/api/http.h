#pragma once
// One HTTP exchange as the API handlers see it: the parsed request, its body (whole or streamed)
// and the ways to answer: a JSON document, an empty status, a chunked stream (logs, events,
// load progress, wait), or a hijacked connection (attach, exec) that carries raw bytes both ways.
// The transport (unix socket, TCP, TLS) stays in server.cpp.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace berth::api {

struct Request {
  std::string method;      // "GET", "HEAD", "POST", "PUT", "DELETE"
  std::string target;      // as received, for logs
  std::string path;        // without the /v1.xx prefix, percent-decoded
  std::string apiVersion;  // the /v1.xx prefix's version, or the server's own
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // keys lower-cased
  std::vector<std::string> params;             // the route's {placeholders}, in order

  // The last value of a query parameter, or fallback.
  std::string queryValue(std::string_view key, std::string_view fallback = "") const;
  bool hasQuery(std::string_view key) const;
  // Docker's boolean query values: "1", "true", "True" are true; "", "0", "false" are false.
  bool queryBool(std::string_view key, bool fallback = false) const;
  std::string header(std::string_view lowerName) const;
  // True when the client's API version is below v ("1.41").
  bool versionBelow(std::string_view v) const;
};

// The raw connection after a hijack (attach, exec start), or the body stream of a request.
class Conn {
 public:
  virtual ~Conn() = default;
  /// Reads up to n bytes; 0 at end of stream. Bytes the HTTP parser buffered come first.
  virtual Result<size_t> readSome(char* buf, size_t n) = 0;
  virtual Status writeAll(std::string_view data) = 0;
  /// Half-closes the sending direction (the client sees EOF on its read side).
  virtual void shutdownWrite() = 0;
  /// The socket's fd, for poll() only (to notice a client that went away).
  virtual int pollFd() const = 0;
  /// Whether a read returns without waiting: bytes already read from the socket and not yet
  /// returned, or the end of the input (poll() on the socket sees neither).
  virtual bool hasBuffered() const { return false; }
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const Request& request() const = 0;

  /// The whole request body, refused with InvalidArgument past limit bytes.
  virtual Result<std::string> body(size_t limit = 16u << 20) = 0;
  /// The body parsed as JSON; an empty body is an empty object.
  Result<Json> jsonBody();
  /// The body as a stream (image load, import, archive upload).
  virtual Conn& bodyStream() = 0;

  virtual Status reply(int status, const Json& doc) = 0;
  virtual Status replyEmpty(int status) = 0;
  virtual Status replyBytes(int status, std::string_view contentType, std::string_view data) = 0;
  /// Headers now, body later in chunks; endStream() finishes it.
  virtual Status beginStream(int status, std::string_view contentType,
                             const std::map<std::string, std::string>& extraHeaders = {}) = 0;
  virtual Status writeChunk(std::string_view data) = 0;
  virtual Status endStream() = 0;
  /// The last chunk and the end of the body in one write: a client that closes once it has
  /// the body it waited for (the docker CLI after a wait) is not written to after that.
  virtual Status endStreamWith(std::string_view lastChunk) = 0;
  /// Answers "101 UPGRADED" (or 200 when the client did not ask to upgrade) and hands over the
  /// connection; the server closes it after the handler returns.
  virtual Result<Conn*> hijack(std::string_view contentType) = 0;
  /// True once a status line went out: errors after that can only close the connection.
  virtual bool answered() const = 0;
  /// True when the client has closed its side (poll for readability + peek, no blocking).
  virtual bool clientGone() = 0;
};

// The one place that picks an HTTP status for an error kind (STYLE.md).
int statusForError(const Error& e);
// {"message": "..."} with the status from statusForError; nothing when already answered.
void writeError(Exchange& ex, const Error& e);

}  // namespace berth::api
