#pragma once
// berth-runtime's command line: runc's commands and flags. Each command file registers one
// subcommand; its callback parses nothing more and calls one runtime:: function.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "base/error.h"
#include "runtime/container.h"

namespace berth::tool {

struct Context {
  runtime::Globals globals;
  int exitCode = 0;
  // Runs the command's body; errors are printed once, by main.
  std::function<Result<int>()> action;
};

void registerLifecycle(CLI::App& app, Context& ctx);  // create, start, run, delete
void registerSignals(CLI::App& app, Context& ctx);    // kill, pause, resume
void registerQueries(CLI::App& app, Context& ctx);    // state, list, ps, events
void registerExec(CLI::App& app, Context& ctx);
void registerUpdate(CLI::App& app, Context& ctx);
void registerSpec(CLI::App& app, Context& ctx);  // spec, features

}  // namespace berth::tool
