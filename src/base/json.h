#pragma once
// The JSON boundary: nlohmann throws, berth does not. Parse and typed field access return
// Result with the JSON path of the offending field in the message.

#include <nlohmann/json.hpp>

#include <optional>
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

// Where a value lies in JSON text.
struct JsonSpan {
  size_t offset = 0, length = 0;
};
// The value at a path of object members from the top ({"linux", "seccomp"}), found by scanning
// the text without building it. nullopt when it is not there, and whenever a parser might
// disagree about which value that is: text that is not one well-formed JSON value, a member
// on the path given twice, or a key on the path's objects written with escapes.
std::optional<JsonSpan> findMemberSpan(std::string_view text,
                                       const std::vector<std::string_view>& path);

}  // namespace berth
