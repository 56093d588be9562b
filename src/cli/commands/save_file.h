#pragma once
// Where export and save write: a file given with -o, written to a temporary name beside it and
// renamed when complete (docker's AtomicWriteFile), or stdout.

#include <string>

#include "base/error.h"
#include "cli/cli.h"
#include "client/http.h"

namespace berth::cli {

Status saveBody(Cli& cli, client::Response& resp, const std::string& output);

}  // namespace berth::cli
