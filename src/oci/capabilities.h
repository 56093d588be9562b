#pragma once
// Capability names ("CAP_SYS_ADMIN") and numbers, without libcap: oci stays pure.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::oci {

inline constexpr int kLastKnownCap = 40;  // CAP_CHECKPOINT_RESTORE
Result<int> capabilityFromName(std::string_view name);
std::string capabilityName(int cap);
// Every capability name the runtime knows, in number order ("features" lists them).
std::vector<std::string> allCapabilityNames();

}  // namespace berth::oci
