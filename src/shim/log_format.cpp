#include "shim/log_format.h"

#include <cstdint>

namespace berth::shim {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start one.
// Same acceptance as Go's utf8.DecodeRune: no overlong forms, no surrogates, nothing past
// U+10FFFF.
size_t utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [&](size_t k, uint8_t lo = 0x80, uint8_t hi = 0xbf) {
    return k < s.size() && at(k) >= lo && at(k) <= hi;
  };
  uint8_t b = at(i);
  if (b >= 0xc2 && b <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    uint8_t lo = b == 0xe0 ? 0xa0 : 0x80;
    uint8_t hi = b == 0xed ? 0x9f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    uint8_t lo = b == 0xf0 ? 0x90 : 0x80;
    uint8_t hi = b == 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

void appendDigits(std::string& out, long v, int width) {
  char buf[16];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t start = 0;
  auto flush = [&](size_t i) {
    if (start < i) out.append(s.substr(start, i - start));
  };
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<uint8_t>(s[i]);
    if (b < 0x80) {
      if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
        ++i;
        continue;
      }
      flush(i);
      switch (b) {
        case '\\':
        case '"':
          out.push_back('\\');
          out.push_back(static_cast<char>(b));
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        default:  // moby writes even \t and \b this way, unlike encoding/json
          out.append("\\u00");
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 0xf]);
      }
      start = ++i;
      continue;
    }
    size_t n = utf8SequenceLength(s, i);
    if (n == 0) {
      flush(i);
      out.append("\\ufffd");
      start = ++i;
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8/A9) end lines in JavaScript.
    if (n == 3 && b == 0xe2 && static_cast<uint8_t>(s[i + 1]) == 0x80 &&
        (static_cast<uint8_t>(s[i + 2]) & 0xfe) == 0xa8) {
      flush(i);
      out.append("\\u202");
      out.push_back(kHex[static_cast<uint8_t>(s[i + 2]) == 0xa8 ? 8 : 9]);
      i += n;
      start = i;
      continue;
    }
    i += n;
  }
  flush(s.size());
  out.push_back('"');
}

void appendRfc3339Nano(std::string& out, const struct timespec& t) {
  // Days to a civil date (Howard Hinnant's algorithm) rather than gmtime_r, whose tzset would
  // link sscanf and strtod into the static shim: 100 KiB of text.
  long long secs = t.tv_sec;
  long long days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  long long rem = secs - days * 86400;
  long long z = days + 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097;
  long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long long mp = (5 * doy + 2) / 153;
  long long day = doy - (153 * mp + 2) / 5 + 1;
  long long month = mp < 10 ? mp + 3 : mp - 9;
  long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  appendDigits(out, static_cast<long>(year), 4);
  out.push_back('-');
  appendDigits(out, static_cast<long>(month), 2);
  out.push_back('-');
  appendDigits(out, static_cast<long>(day), 2);
  out.push_back('T');
  appendDigits(out, static_cast<long>(rem / 3600), 2);
  out.push_back(':');
  appendDigits(out, static_cast<long>(rem / 60 % 60), 2);
  out.push_back(':');
  appendDigits(out, static_cast<long>(rem % 60), 2);
  long nanos = t.tv_nsec;
  if (nanos > 0) {
    int digits = 9;
    while (nanos % 10 == 0) {
      nanos /= 10;
      --digits;
    }
    out.push_back('.');
    appendDigits(out, nanos, digits);
  }
  out.push_back('Z');
}

std::string rfc3339Nano(const struct timespec& t) {
  std::string out;
  appendRfc3339Nano(out, t);
  return out;
}

void appendLogEntry(std::string& out, std::string_view line, std::string_view stream,
                    const struct timespec& t) {
  out.push_back('{');
  if (!line.empty()) {  // moby's "log" is omitempty
    out.append("\"log\":");
    appendJsonString(out, line);
    out.push_back(',');
  }
  out.append("\"stream\":");
  appendJsonString(out, stream);
  out.append(",\"time\":\"");
  appendRfc3339Nano(out, t);
  out.append("\"}\n");
}

}  // namespace berth::shim
