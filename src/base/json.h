#pragma once
// The JSON boundary: nlohmann throws, berth does not. Parse and typed field access return
// Result with the JSON path of the offending field in the message.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth {

using Json = nlohmann::json;

// Parses text; `what` names the document in the error ("config.json").
Result<Json> parseJson(std::string_view text, std::string_view what);
// Renders compactly (indent < 0) or pretty; invalid UTF-8 is replaced, never thrown.
std::string dumpJson(const Json& j, int indent = -1);
// The strings of the array at j[key]; none when j has no such array, non-strings skipped.
std::vector<std::string> stringList(const Json& j, const char* key);

}  // namespace berth
