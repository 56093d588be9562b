#pragma once
// Signal names and numbers: "KILL", "SIGKILL", "kill", "9", "RTMIN+3".

#include <string_view>

#include "base/error.h"

namespace berth {

/// The signal number; InvalidArgument for an unknown name or a number outside 1..64.
Result<int> parseSignal(std::string_view s);

}  // namespace berth
