#pragma once
// Hooks run by the runtime's own process (prestart, createRuntime, poststart, poststop): each gets
// the container state JSON on stdin and must exit 0 within its timeout.

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace berth::runtime {

// Runs hooks in order; the first failure stops the list. `phase` names them in errors.
Status runHooks(const std::vector<oci::Hook>& hooks, const std::string& stateJson,
                const char* phase);

}  // namespace berth::runtime
