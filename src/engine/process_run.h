#pragma once
// Runs a helper program (the OCI runtime, tar tools, debootstrap) to its end. Safe in a
// threaded daemon: everything the child needs is prepared before fork.

#include <string>
#include <vector>

#include "base/error.h"

namespace berth::engine {

struct RunOutput {
  std::string out, err;
};

/// Runs argv (PATH searched when argv[0] has no slash); collects stdout into out->out and
/// stderr into out->err when out is given (stderr otherwise stays the caller's). On a non-zero
/// exit the error names `what` and carries the last line of stderr; NotFound for exit 127.
Status runProgram(const std::vector<std::string>& argv, const std::string& what,
                  RunOutput* out = nullptr);

}  // namespace berth::engine
