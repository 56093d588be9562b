#pragma once
// Helpers shared by the command files: the client, per-target loops with docker's error
// reporting, and small request shorthands.

#include <functional>
#include <string>

#include "base/error.h"
#include "base/json.h"
#include "cli/cli.h"
#include "cli/command.h"
#include "client/client.h"

namespace berth::cli {

/// "/containers/<escaped id>" and friends.
std::string containerPath(std::string_view id, std::string_view rest = "");
std::string imagePath(std::string_view name, std::string_view rest = "");

/// Runs fn for each target in order. docker's multi-target commands keep going after a
/// failure and report every failure at the end, one per line, with exit status 1; with
/// printTarget each success prints the target as given. A Cancelled error from fn means
/// "already reported, not a failure".
Result<int> forEachTarget(Cli& cli, const Args& targets,
                          const std::function<Status(client::Client&, const std::string&)>& fn,
                          bool printTarget = true);

/// GET /containers/{id}/json.
Result<Json> inspectContainer(client::Client& c, std::string_view id);

/// The API's body for a flag-only POST whose answer is ignored.
Status post(client::Client& c, const std::string& path, const client::Query& q = {});

/// Reads the body of a streamed answer into fd (export, save, cp to stdout).
Status copyBody(client::Response& resp, int fd, std::string_view what);

/// Prints a JSON message stream (pull, load, import: {"status"}, {"stream"},
/// {"errorDetail"}) the way docker's jsonmessage does without a terminal; an errorDetail
/// becomes the returned error.
Status printJsonMessages(Cli& cli, client::Response& resp, bool quiet = false);

}  // namespace berth::cli

namespace berth::cli {

/// docker's PromptForConfirmation: prints "<message> [y/N] " and reads a line from stdin.
bool confirm(Cli& cli, const std::string& message);

/// go-units HumanSize (precision 4), as the prune reports print their totals.
std::string totalReclaimed(int64_t bytes);

}  // namespace berth::cli
