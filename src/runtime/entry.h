#pragma once
// What berth-runtime's main does around one command, shared by the berth-runtime program and by
// berth-shim, which links this library and runs berth-runtime's commands in a forked child of
// its own (no exec: see tools/berth-shim/linked_runtime.cpp): logging set up, the seccomp cache
// placed under the state root, the command's error printed once.

#include <functional>
#include <string>

#include "base/error.h"
#include "runtime/container.h"

namespace berth::runtime {

struct EntryOptions {
  std::string logPath;  // empty: stderr
  bool jsonLog = false;
  bool debug = false;
};

/// Runs action as berth-runtime's command; returns the process's exit status (the action's, or
/// 1 when it failed, after its error went to the log and, when that is a file, to stderr too).
int runEntry(const Globals& g, const EntryOptions& o, const std::function<Result<int>()>& action);

}  // namespace berth::runtime
