#pragma once
// berth-shim's command line (protocol.h has the contract), parsed without CLI11: its iostreams
// would cost the shim more resident memory than everything else together.

#include <cstdint>
#include <string>

#include "base/error.h"

namespace berth::shim {

struct ShimOptions {
  std::string id;
  std::string bundle;
  std::string stateDir;
  std::string runtime;
  std::string runtimeRoot;  // empty: the runtime's default
  std::string log;
  std::string oomFile;     // the memory cgroup's file with an "oom_kill N" line; empty: none
  int64_t logMaxSize = 0;  // 0: no rotation
  int logMaxFile = 1;
  bool tty = false;
  bool stdin = false;
  bool stdinOnce = false;
  bool runtimeLinked = false;  // runtime is berth-runtime, linked: run its commands in-process
  int readyFd = -1;
};

/// Parses argv (argv[0] is the program): "--name value" or "--name=value". InvalidArgument
/// for an unknown option, a missing value or required option, a relative path or a bad number.
Result<ShimOptions> parseOptions(int argc, const char* const* argv);

}  // namespace berth::shim
