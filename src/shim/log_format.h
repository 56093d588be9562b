#pragma once
// The bytes of Docker's json-file log driver: one {"log","stream","time"} object per line, with
// strings escaped as moby's jsonlog writer does and time in Go's RFC3339Nano. Pure functions;
// files, rotation and line splitting live in log_writer.h.

#include <ctime>
#include <string>
#include <string_view>

namespace berth::shim {

// Appends s as a JSON string (quotes included), escaped like moby's
// ffjsonWriteJSONBytesAsString: \" \\ \n \r; other bytes below 0x20 (tab included) and < > &
// as \u00XX; U+2028/U+2029 as \u2028/\u2029; every byte that does not start a valid UTF-8
// sequence as \ufffd.
void appendJsonString(std::string& out, std::string_view s);

// Appends t (UTC) as Go's time.RFC3339Nano: "2026-11-28T08:41:05.123456789Z" with trailing
// zeros of the fraction trimmed, and no '.' at all when the fraction is zero.
void appendRfc3339Nano(std::string& out, const struct timespec& t);
std::string rfc3339Nano(const struct timespec& t);

// Appends one log entry and its '\n': {"log":<line>,"stream":<stream>,"time":<t>}. `line` is
// what the entry carries, its '\n' included when it has one.
void appendLogEntry(std::string& out, std::string_view line, std::string_view stream,
                    const struct timespec& t);

}  // namespace berth::shim
