#pragma once
// A tiny JSON writer for berth-testbin: each command prints exactly one JSON value on one line so
// the bats tests can pick fields with jq. No project libraries: testbin is linked static and runs
// inside bare test rootfs.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace testbin {

// Appends `s` to `out` as a quoted JSON string.
inline void appendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// Builds one JSON object; values are added in call order. Nested values are passed pre-rendered
// through raw().
class Obj {
 public:
  Obj& str(std::string_view key, std::string_view value) {
    keyOf(key);
    appendQuoted(body_, value);
    return *this;
  }
  Obj& num(std::string_view key, int64_t value) {
    keyOf(key);
    body_ += std::to_string(value);
    return *this;
  }
  Obj& unum(std::string_view key, uint64_t value) {
    keyOf(key);
    body_ += std::to_string(value);
    return *this;
  }
  Obj& boolean(std::string_view key, bool value) {
    keyOf(key);
    body_ += value ? "true" : "false";
    return *this;
  }
  Obj& raw(std::string_view key, std::string_view rendered) {
    keyOf(key);
    body_ += rendered;
    return *this;
  }
  std::string render() const { return "{" + body_ + "}"; }

 private:
  void keyOf(std::string_view key) {
    if (!body_.empty()) body_ += ',';
    appendQuoted(body_, key);
    body_ += ':';
  }
  std::string body_;
};

// Renders a list of already-rendered JSON values.
inline std::string array(const std::vector<std::string>& rendered) {
  std::string out = "[";
  for (size_t i = 0; i < rendered.size(); ++i) {
    if (i) out += ',';
    out += rendered[i];
  }
  return out + "]";
}

inline std::string quoted(std::string_view s) {
  std::string out;
  appendQuoted(out, s);
  return out;
}

// Prints one JSON line and flushes, so a reader tailing a log sees it at once.
inline void emit(const std::string& line) {
  fputs(line.c_str(), stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

}  // namespace testbin
