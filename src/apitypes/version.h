#pragma once
// The Docker Engine API versions berthd speaks. The docker CLI negotiates down to kApiVersion;
// behaviour that changed between versions checks Request::versionBelow.

namespace berth::apitypes {

inline constexpr const char* kApiVersion = "1.43";     // Docker 24's
inline constexpr const char* kMinApiVersion = "1.24";  // what Docker 24 still accepts

}  // namespace berth::apitypes
