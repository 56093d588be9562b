#include "client/host.h"

#include <cstdlib>

#include "base/strings.h"

namespace berth::client {

namespace {

Error badAddress(std::string_view value) {
  return Error::invalid("Invalid bind address format: {}", std::string(value));
}

Result<Host> parseTcp(std::string_view value, std::string_view addr, bool tls) {
  Host h;
  h.proto = Host::Proto::Tcp;
  h.hostName = "localhost";
  h.port = tls ? 2376 : 2375;
  if (addr.find_first_of("?#@") != std::string_view::npos) return badAddress(value);
  if (auto slash = addr.find('/'); slash != std::string_view::npos) {
    h.basePath = std::string(addr.substr(slash));
    addr = addr.substr(0, slash);
    while (h.basePath.size() > 1 && h.basePath.back() == '/') h.basePath.pop_back();
    if (h.basePath == "/") h.basePath.clear();
  }
  std::string_view port;
  if (startsWith(addr, "[")) {
    auto close = addr.find(']');
    if (close == std::string_view::npos) return badAddress(value);
    h.hostName = std::string(addr.substr(1, close - 1));
    std::string_view rest = addr.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return badAddress(value);
      port = rest.substr(1);
    }
  } else if (auto colon = addr.rfind(':'); colon != std::string_view::npos) {
    if (addr.find(':') != colon) return badAddress(value);  // a bare IPv6 address needs brackets
    if (colon > 0) h.hostName = std::string(addr.substr(0, colon));
    port = addr.substr(colon + 1);
  } else if (!addr.empty()) {
    h.hostName = std::string(addr);
  }
  if (!port.empty()) {
    auto p = parseInt(port, "port");
    if (!p || *p <= 0 || *p > 65535) return badAddress(value);
    h.port = static_cast<int>(*p);
  }
  return h;
}

}  // namespace

std::string Host::url() const {
  if (proto == Proto::Unix) return "unix://" + path;
  std::string host = hostName.find(':') != std::string::npos ? "[" + hostName + "]" : hostName;
  return "tcp://" + host + ":" + std::to_string(port) + basePath;
}

Result<Host> parseHost(std::string_view value, bool tls) {
  std::string_view v = trim(value);
  if (v.empty()) v = kDefaultHost;
  auto sep = v.find("://");
  if (sep == std::string_view::npos) return parseTcp(value, v, tls);
  std::string_view proto = v.substr(0, sep), addr = v.substr(sep + 3);
  if (proto == "tcp") return parseTcp(value, addr, tls);
  if (proto == "unix") {
    Host h;
    h.path = addr.empty() ? std::string(kDefaultSocket) : std::string(addr);
    if (h.path[0] != '/') return badAddress(value);
    return h;
  }
  return Error::invalid("unsupported proto '{}'", std::string(proto));
}

Result<std::string> selectHost(const std::vector<std::string>& flags) {
  if (flags.size() > 1) return Error::invalid("Specify only one -H");
  if (flags.size() == 1) return flags[0];
  for (const char* env : {"BERTH_HOST", "DOCKER_HOST"}) {
    const char* v = std::getenv(env);
    if (v && *v) return std::string(v);
  }
  return std::string(kDefaultHost);
}

}  // namespace berth::client
