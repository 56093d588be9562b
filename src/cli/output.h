#pragma once
// Output helpers shared by the commands: --format rendering over row objects, docker's ID
// truncation and ellipsis, its time renderings, and inspect's indented JSON.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "cli/cli.h"

namespace berth::cli {

/// Renders rows through --format (or defaultTable when format is empty or "table") and prints
/// them. For `json`, fields that docker's contexts expose only as methods taking an argument
/// ("Label") are left out and <, >, & are escaped, as docker's JSON marshalling does.
Status printRows(Cli& cli, std::string_view format, std::string_view defaultTable,
                 std::vector<Json> rows, const Json& headers);

/// The 12-character short ID, without a "sha256:" prefix.
std::string shortId(std::string_view id);
/// docker's formatter.Ellipsis: at most maxWidth display columns, the last one "…".
std::string ellipsis(std::string_view s, size_t maxWidth);
/// Go's time.Time.String() of a unix time in local time: "2024-01-02 15:04:05 +0000 UTC".
std::string goTimeString(int64_t unixSeconds);
/// "5 seconds ago" style: humanDuration(now - t) + " ago".
std::string timeAgo(int64_t unixSeconds);
/// RFC 3339 (with optional fraction) to unix seconds; nullopt-like -1 when unparsable.
int64_t parseRfc3339(std::string_view s);
/// Go's json.Indent with prefix "" and 4 spaces, over raw JSON text (key order and escapes
/// kept as the daemon sent them).
std::string indentJson(std::string_view raw);
/// A JSON value as a string field of a row: strings as they are, null as "", others dumped.
std::string str(const Json& j, std::string_view key);

}  // namespace berth::cli
