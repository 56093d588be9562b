#pragma once
// Times as docker's API and CLI take them (timetypes.GetTimestamp): Go durations ("10m", before
// now), unix times ("1700000000.5") and RFC 3339 dates or their shorter forms ("2023-11-14",
// local time when no zone is given). Shared by the CLI (--since/--until) and berthd (the until
// filter of prune).

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::apitypes {

/// Go's time.ParseDuration, in nanoseconds ("1h30m", "300ms", "-2s").
Result<int64_t> parseGoDuration(std::string_view s);
/// docker's timetypes.GetTimestamp: a Go duration before now, a unix time, or an RFC 3339 (or
/// shorter) date, rendered as "seconds.nanoseconds" for the API. Empty stays empty.
Result<std::string> parseTimestamp(std::string_view s);
/// The same as nanoseconds since the epoch (a "seconds[.fraction]" value as the API sends it
/// included); InvalidArgument for empty or unparsable text.
Result<int64_t> timestampNanos(std::string_view s);

/// Now as RFC 3339 with nanoseconds, UTC ("2026-12-07T16:19:06.123456789Z"), as Docker prints
/// container times.
std::string nowRfc3339Nano();
/// Nanoseconds since the epoch of an RFC 3339 time (fraction and zone optional); 0 when it
/// does not parse.
int64_t parseRfc3339Ns(std::string_view s);

}  // namespace berth::apitypes
