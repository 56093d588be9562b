#pragma once
// berth-runtime linked into berth-shim (--runtime-linked): the runtime command lines the shim
// gives (src/shim/protocol.h) run through berth-runtime's library in the shim's forked child.

#include <string>
#include <vector>

namespace berth::tool {

/// Runs one of the shim's runtime command lines (argv[0] ignored):
///   [--root R] run --detach --bundle B --pid-file F [--console-socket S] ID
///   [--root R] exec --detach --pid-file F --process P [--console-socket S] ID
///   [--root R] delete --force ID
/// as berth-runtime would; returns the exit status (2 for a command line it does not know).
int runLinkedRuntime(const std::vector<std::string>& argv);

}  // namespace berth::tool
