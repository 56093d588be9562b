#pragma once
// Which daemon the client talks to: parsing of -H / DOCKER_HOST values (docker's
// opts.ParseHost rules for unix:// and tcp://) and the choice between flag and environment.
// Connecting is conn.h's job.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::client {

inline constexpr std::string_view kDefaultSocket = "/run/berth/berth.sock";
inline constexpr std::string_view kDefaultHost = "unix:///run/berth/berth.sock";

struct Host {
  enum class Proto { Unix, Tcp };
  Proto proto = Proto::Unix;
  std::string path;      // Unix: the socket path
  std::string hostName;  // Tcp: the name or address, without IPv6 brackets
  int port = 0;          // Tcp
  std::string basePath;  // Tcp: an optional path prefix of every request ("/proxy")

  // The canonical form: "unix:///path" or "tcp://host:port[/base]".
  std::string url() const;
  bool isDefault() const { return proto == Proto::Unix && path == kDefaultSocket; }
};

/// Parses a host as docker does: "unix:///path", "unix://" (the default socket), "tcp://h:p",
/// "tcp://:p", "h:p" (tcp), missing host "localhost" and missing port 2375, or 2376 with TLS.
/// InvalidArgument "Invalid bind address format: X" or "unsupported proto 'X'" otherwise.
Result<Host> parseHost(std::string_view value, bool tls);

/// The host value to use: the -H flags (at most one), else $BERTH_HOST, else $DOCKER_HOST,
/// else the default socket. InvalidArgument when several -H are given.
Result<std::string> selectHost(const std::vector<std::string>& flags);

}  // namespace berth::client
