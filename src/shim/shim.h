#pragma once
// berth-shim as a whole: the process-wide settings (subreaper, signals, fds) around a Monitor,
// and the readiness line on --ready-fd.

#include "shim/options.h"

namespace berth::shim {

/// Runs the shim for opts until the container has exited and been reported; the process's
/// exit code (0, or 1 when the container could not be created).
int runShim(const ShimOptions& opts);

}  // namespace berth::shim
