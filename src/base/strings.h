#pragma once
// Small string helpers shared by every library.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth {

std::vector<std::string> split(std::string_view s, char sep, bool skipEmpty = false);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool startsWith(std::string_view s, std::string_view prefix);
bool endsWith(std::string_view s, std::string_view suffix);
std::string_view trim(std::string_view s);
std::string toLower(std::string_view s);
std::string toUpper(std::string_view s);
// Parses a whole decimal integer; InvalidArgument names `what` when s is not one.
Result<long long> parseInt(std::string_view s, std::string_view what);
Result<unsigned long long> parseUint(std::string_view s, std::string_view what);
// Go's strconv.Quote, for error texts in Go's words (ASCII escapes only; UTF-8 kept).
std::string goQuoteArg(std::string_view s);

}  // namespace berth
