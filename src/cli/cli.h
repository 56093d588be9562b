#pragma once
// The context every command runs in: the global options, the lazily made API client, the
// CLI's config file (docker's config.json: psFormat, imagesFormat, detachKeys) and output.
// Commands print through out()/err(); an error they return is printed once by the dispatcher
// with exitCode as the exit status.

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "client/client.h"

namespace berth::cli {

struct GlobalOptions {
  std::vector<std::string> hosts;
  std::string config;  // the config directory; empty: $DOCKER_CONFIG, else ~/.docker
  std::string context;
  std::string logLevel = "info";
  bool debug = false;
  bool tls = false;
  bool tlsVerify = false;
  std::string tlsCaCert, tlsCert, tlsKey;  // empty: <cert path>/{ca,cert,key}.pem
  bool tlsCaCertSet = false, tlsCertSet = false, tlsKeySet = false;
  bool version = false;
};

class Cli {
 public:
  explicit Cli(GlobalOptions opts);

  const GlobalOptions& options() const { return opts_; }
  /// The API client, made on first use from the options and environment.
  Result<client::Client*> client();
  /// The CLI config file, {} when absent or unreadable.
  const Json& config();

  void out(std::string_view s);
  void err(std::string_view s);
  void flush();
  bool stdinIsTty() const;
  bool stdoutIsTty() const;

  std::string prog = "berth";
  // The invoked command's path ("berth run") for messages.
  std::string commandPath;
  // The exit status for an error the command returns (docker: 125 for run and create).
  int exitCode = 1;
  // Whether an error of a command whose failures exit 125 ends with "Run '... --help'".
  bool usageHint = true;

 private:
  Result<client::ClientOptions> clientOptions();

  GlobalOptions opts_;
  std::unique_ptr<client::Client> client_;
  Json config_;
  bool configLoaded_ = false;
};

/// Starts berthd detached with its defaults (found next to this binary, in the build tree, or
/// on PATH) and waits up to 5 s for socketPath to answer.
Status startDaemon(const std::string& socketPath);

}  // namespace berth::cli
