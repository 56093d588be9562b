#include "client/client.h"

#include "base/strings.h"

namespace berth::client {

namespace {

ErrorKind kindFromStatus(int status) {
  switch (status) {
    case 304:
      return ErrorKind::NotModified;
    case 400:
      return ErrorKind::InvalidArgument;
    case 401:
    case 403:
      return ErrorKind::PermissionDenied;
    case 404:
      return ErrorKind::NotFound;
    case 409:
      return ErrorKind::Conflict;
    case 501:
      return ErrorKind::NotImplemented;
    case 503:
      return ErrorKind::Unavailable;
    default:
      return ErrorKind::Internal;
  }
}

std::vector<int> versionParts(std::string_view v) {
  std::vector<int> out;
  for (const auto& p : split(v, '.')) {
    auto n = parseInt(p, "version");
    out.push_back(n ? static_cast<int>(*n) : 0);
  }
  return out;
}

}  // namespace

std::string Query::encode() const {
  std::string out;
  for (const auto& [k, v] : items_) {
    out += out.empty() ? '?' : '&';
    out += queryEscape(k) + "=" + queryEscape(v);
  }
  return out;
}

bool versionLess(std::string_view a, std::string_view b) {
  return versionParts(a) < versionParts(b);
}

Error responseError(int status, std::string_view body) {
  std::string msg;
  auto j = parseJson(body, "error");
  if (j && j->is_object() && j->contains("message") && (*j)["message"].is_string()) {
    msg = (*j)["message"].get<std::string>();
  } else {
    msg = std::string(trim(body));
  }
  if (msg.empty()) {
    msg = fmt::format(
        "request returned status {} for API route; check if the server supports "
        "the requested API version",
        status);
  }
  return Error(kindFromStatus(status), "Error response from daemon: " + msg);
}

Client::Client(ClientOptions opts) : opts_(std::move(opts)), version_(opts_.apiVersion) {}

std::string Client::hostHeader() const {
  // docker sends "api.moby.localhost" over unix sockets; a TCP daemon gets its own name.
  if (opts_.host.proto == Host::Proto::Unix) return "api.moby.localhost";
  return opts_.host.hostName + ":" + std::to_string(opts_.host.port);
}

Result<std::unique_ptr<Conn>> Client::connect() {
  auto conn = dial(opts_.host, opts_.tls);
  if (conn) return conn;
  int err = conn.error().sysErrno();
  bool nobody = err == ENOENT || err == ECONNREFUSED;
  if (nobody && opts_.startDaemon && !triedStart_) {
    triedStart_ = true;
    TRY(opts_.startDaemon());
    conn = dial(opts_.host, opts_.tls);
    if (conn) return conn;
    err = conn.error().sysErrno();
    nobody = err == ENOENT || err == ECONNREFUSED;
  }
  if (nobody) {
    return Error(ErrorKind::Unavailable,
                 fmt::format("Cannot connect to the berth daemon at {}. Is berthd running?",
                             opts_.host.url()));
  }
  return std::move(conn).error().context(
      fmt::format("error during connect to {}", opts_.host.url()));
}

Result<PingInfo> Client::ping() {
  auto conn = TRY(connect());
  Request req;
  req.target = opts_.host.basePath + "/_ping";
  req.headers.add("User-Agent", opts_.userAgent);
  Response resp = TRY(roundTrip(std::move(conn), req, hostHeader()));
  std::string body = TRY(resp.readAll());
  PingInfo info;
  info.apiVersion = resp.headers.get("Api-Version").value_or("");
  info.osType = resp.headers.get("Ostype").value_or("");
  info.experimental = resp.headers.get("Docker-Experimental").value_or("") == "true";
  // A daemon that answers the ping with an error but names its version is still usable.
  if (resp.status >= 400 && info.apiVersion.empty()) return responseError(resp.status, body);
  return info;
}

Result<std::string> Client::apiVersion() {
  if (!version_.empty()) return version_;
  PingInfo info = TRY(ping());
  std::string v = info.apiVersion.empty() ? std::string(kFallbackApiVersion) : info.apiVersion;
  version_ = versionLess(kMaxApiVersion, v) ? std::string(kMaxApiVersion) : v;
  return version_;
}

Result<Response> Client::send(std::string_view method, std::string_view path, const Query& query,
                              Request req) {
  req.method = std::string(method);
  req.headers.add("User-Agent", opts_.userAgent);
  std::string rest = std::string(path) + query.encode();
  auto target = [&](std::string_view v) {
    return opts_.host.basePath + "/v" + std::string(v) + rest;
  };
  // The version is asked (a ping: one more round trip, and `run` makes five requests) only
  // when the daemon turns ours down, as one older than this client does; every other speaks
  // it. A request whose body streams could not go twice: it asks first.
  bool unsettled = version_.empty() && !req.bodySource;
  std::string v = unsettled ? std::string(kMaxApiVersion) : TRY(apiVersion());
  req.target = target(v);
  Response resp = TRY(roundTrip(TRY(connect()), req, hostHeader()));
  if (!unsettled) return resp;
  if (resp.status == 400) {
    std::string body = TRY(resp.bufferBody());
    if (body.find("client version") != std::string::npos &&
        body.find("too new") != std::string::npos) {
      std::string agreed = TRY(apiVersion());
      if (agreed == v) return resp;
      req.target = target(agreed);
      return roundTrip(TRY(connect()), req, hostHeader());
    }
  }
  version_ = v;
  return resp;
}

Result<Response> Client::call(std::string_view method, std::string_view path, const Query& query,
                              Request req) {
  Response resp = TRY(send(method, path, query, std::move(req)));
  if (resp.status >= 400) {
    std::string body = resp.readAll().value_or("");
    return responseError(resp.status, body);
  }
  return resp;
}

Request Client::jsonBody(const Json& body) {
  Request req;
  req.headers.add("Content-Type", "application/json");
  req.body = dumpJson(body);
  return req;
}

namespace {

Result<Json> decode(Response& resp) {
  std::string body = TRY(resp.readAll());
  if (trim(body).empty()) return Json(nullptr);
  return parseJson(body, "daemon response");
}

}  // namespace

Result<Json> Client::getJson(std::string_view path, const Query& query) {
  Response resp = TRY(call("GET", path, query));
  return decode(resp);
}

Result<Json> Client::postJson(std::string_view path, const Query& query, const Json* body) {
  Response resp = TRY(call("POST", path, query, body ? jsonBody(*body) : Request{}));
  return decode(resp);
}

Result<Json> Client::deleteJson(std::string_view path, const Query& query) {
  Response resp = TRY(call("DELETE", path, query));
  return decode(resp);
}

Result<std::unique_ptr<Conn>> Client::hijack(std::string_view path, const Query& query,
                                             const Json* body) {
  Request req = body ? jsonBody(*body) : Request{};
  req.headers.add("Connection", "Upgrade");
  req.headers.add("Upgrade", "tcp");
  Response resp = TRY(call("POST", path, query, std::move(req)));
  if (resp.status != 101 && resp.status != 200) {
    return Error(ErrorKind::Internal,
                 fmt::format("unexpected status {} for a hijacked connection", resp.status));
  }
  return resp.takeConn();
}

std::optional<std::string> base64Decode(std::string_view s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    int v = val(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace berth::client
