#pragma once
// The API's HTTP/1.1 server: listeners on unix sockets and TCP (TLS with client certificates, or
// plain TCP only when explicitly allowed), one thread per connection with keep-alive, requests
// handed to the Router. Boost.Beast parses; responses are written by the Exchange in http.h.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/http.h"
#include "base/error.h"

namespace berth::api {

using Handler = std::function<Status(Exchange&)>;

class Router {
 public:
  /// pattern: "/containers/{id}/start"; a "{name*}" segment matches one or more segments
  /// (image names contain slashes), at most one per pattern.
  void add(std::string method, std::string pattern, Handler h);
  /// Finds the route for req (filling req.params) and runs it; answers 404/405 otherwise.
  void dispatch(Exchange& ex, Request& req) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

struct ServerOptions {
  std::vector<std::string> hosts;  // unix:///path, tcp://host:port (several allowed)
  bool tlsVerify = false;
  std::string tlsCaCert, tlsCert, tlsKey;
  bool insecureTcp = false;    // plain TCP without TLS, only when asked for
  unsigned socketMode = 0660;  // unix sockets
  std::string socketGroup;     // group owning unix sockets, when it exists
  std::string apiVersion;      // the server's version, for requests without a /v prefix
  std::string minApiVersion;
  size_t headerLimit = 64 * 1024;
};

class Server {
 public:
  Server(const Router& router, ServerOptions opts);
  ~Server();
  /// Binds every host; a unix socket path with a live listener is refused (another daemon).
  Status listen();
  /// Serves until stop(); returns after the listeners are closed.
  void serve();
  void stop();
  /// Connections being served now (for the leak checks of tests and the idle RSS figure).
  int activeConnections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Splits "tcp://0.0.0.0:2375" / "unix:///run/x.sock" / "/run/x.sock" into scheme and address.
struct HostSpec {
  std::string scheme;   // "unix" or "tcp"
  std::string address;  // path, or host:port
};
Result<HostSpec> parseHost(std::string_view host);

// Splits a request target into path (percent-decoded, /vX.Y prefix removed) and query.
Status parseTarget(std::string_view target, Request& req, std::string_view defaultVersion);

}  // namespace berth::api
