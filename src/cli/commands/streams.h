#pragma once
// An attached session as run, start -a, attach and exec hold it: the local terminal in raw
// mode for -t with stdin, the TTY size sent on start and on SIGWINCH, signals forwarded to
// the container (--sig-proxy), and the detach keys (option, config file, or ctrl-p,ctrl-q).

#include <memory>
#include <string>

#include "base/error.h"
#include "cli/attach.h"
#include "cli/cli.h"
#include "client/client.h"

namespace berth::cli {

struct Session {
  bool tty = false;
  bool in = false, out = true, err = true;
  bool sigProxy = false;
  std::string containerId;  // the target of forwarded signals
  std::string resizePath;   // "/containers/<id>" or "/exec/<id>"; empty: no resizes
  std::string detachKeys;   // the --detach-keys value; empty: config file, else the default
};

/// POST /containers/{id}/attach?stream=1&stdin..., hijacked.
Result<std::unique_ptr<client::Conn>> attachContainer(Cli& cli, client::Client& c,
                                                      const Session& s);

/// Sends the local terminal's size to resizePath/resize (nothing when stdout is no terminal).
void resizeTty(client::Client& c, const std::string& resizePath);

/// Streams the session over conn until the output ends or the user detaches.
Result<PumpResult> runSession(Cli& cli, client::Client& c, client::Conn& conn, const Session& s);

/// The detach keys in effect as a --detach-keys value.
std::string detachKeysValue(Cli& cli, const std::string& option);

}  // namespace berth::cli
