#pragma once
// The Docker Engine API client: one connection per request, every path prefixed /v1.xx: ours
// until the daemon refuses it as too new, then the one GET /_ping gives (the server's
// Api-Version, capped at ours). Non-2xx
// answers become Errors worded as docker words them ("Error response from daemon: ...") with
// a kind from the status. Knows HTTP and the API's conventions, not what any endpoint means.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "client/conn.h"
#include "client/host.h"
#include "client/http.h"

namespace berth::client {

inline constexpr std::string_view kMaxApiVersion = "1.43";
// What a daemon that does not say (no Api-Version header) is assumed to speak, as docker does.
inline constexpr std::string_view kFallbackApiVersion = "1.24";

struct ClientOptions {
  Host host;
  TlsConfig tls;
  // A fixed version ($DOCKER_API_VERSION); empty negotiates.
  std::string apiVersion;
  std::string userAgent = "berth-cli";
  // Called once when the host has no listener (ENOENT, ECONNREFUSED) before one retry: the
  // CLI starts berthd there when the host is the default socket.
  std::function<Status()> startDaemon;
};

// Query parameters in order; values are escaped when the target is built.
class Query {
 public:
  Query& add(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  // Adds key=1 when set; docker leaves false flags out.
  Query& flag(std::string key, bool set) {
    if (set) add(std::move(key), "1");
    return *this;
  }
  // Adds the value when it is not empty.
  Query& opt(std::string key, std::string value) {
    if (!value.empty()) add(std::move(key), std::move(value));
    return *this;
  }
  std::string encode() const;
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct PingInfo {
  std::string apiVersion;  // empty when the daemon sent none
  std::string osType;
  bool experimental = false;
};

class Client {
 public:
  explicit Client(ClientOptions opts);

  const Host& host() const { return opts_.host; }
  /// The version every request uses, negotiating on first use.
  Result<std::string> apiVersion();
  /// GET /_ping (unversioned).
  Result<PingInfo> ping();

  /// Sends a request to /v1.xx<path>?query and returns the answer whatever its status.
  Result<Response> send(std::string_view method, std::string_view path, const Query& query,
                        Request req = {});
  /// As send, turning a status >= 400 into the daemon's error.
  Result<Response> call(std::string_view method, std::string_view path, const Query& query = {},
                        Request req = {});
  /// A JSON request body.
  static Request jsonBody(const Json& body);

  /// The decoded JSON answer (null for an empty body).
  Result<Json> getJson(std::string_view path, const Query& query = {});
  Result<Json> postJson(std::string_view path, const Query& query = {}, const Json* body = nullptr);
  Result<Json> deleteJson(std::string_view path, const Query& query = {});

  /// POST with Connection: Upgrade / Upgrade: tcp; the raw connection after the daemon's 101.
  Result<std::unique_ptr<Conn>> hijack(std::string_view path, const Query& query,
                                       const Json* body = nullptr);

 private:
  Result<std::unique_ptr<Conn>> connect();
  std::string hostHeader() const;

  ClientOptions opts_;
  std::string version_;
  bool triedStart_ = false;
};

/// The Error for a failed answer: the body's {"message"} (or its text) after "Error response
/// from daemon: ", kind from the status (404 NotFound, 409 Conflict, 400 InvalidArgument...).
Error responseError(int status, std::string_view body);

/// Whether a version "1.41" is below "1.43".
bool versionLess(std::string_view a, std::string_view b);

/// Standard base64 decoding (the X-Docker-Container-Path-Stat header); nullopt if invalid.
std::optional<std::string> base64Decode(std::string_view s);

}  // namespace berth::client
