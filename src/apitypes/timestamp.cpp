#include "apitypes/timestamp.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::apitypes {

Result<int64_t> parseGoDuration(std::string_view s) {
  std::string orig(s);
  auto bad = [&] { return Error::invalid("time: invalid duration {}", goQuoteArg(orig)); };
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return bad();
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) return bad();
    double v = std::strtod(std::string(s.substr(0, i)).c_str(), nullptr);
    s.remove_prefix(i);
    size_t j = 0;
    while (j < s.size() && !std::isdigit(static_cast<unsigned char>(s[j])) && s[j] != '.') ++j;
    std::string unit(s.substr(0, j));
    s.remove_prefix(j);
    double mult;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs") {
      mult = 1e3;
    } else if (unit == "ms") {
      mult = 1e6;
    } else if (unit == "s") {
      mult = 1e9;
    } else if (unit == "m") {
      mult = 60e9;
    } else if (unit == "h") {
      mult = 3600e9;
    } else if (unit.empty()) {
      return Error::invalid("time: missing unit in duration {}", goQuoteArg(orig));
    } else {
      return Error::invalid("time: unknown unit {} in duration {}", goQuoteArg(unit),
                            goQuoteArg(orig));
    }
    total += v * mult;
  }
  return static_cast<int64_t>(neg ? -total : total);
}

Result<std::string> parseTimestamp(std::string_view value) {
  std::string v(trim(value));
  if (v.empty()) return v;
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  if (auto d = parseGoDuration(v)) {
    int64_t t = now.tv_sec * 1000000000LL + now.tv_nsec - *d;
    return fmt::format("{}.{:09d}", t / 1000000000, t % 1000000000);
  }
  // A unix time with an optional fraction passes through.
  if (v.find_first_not_of("0123456789.") == std::string::npos && v.find('.') == v.rfind('.')) {
    return v;
  }
  // Dates: 2006-01-02[T15[:04[:05[.999999999]]]][Z07:00]; no zone means local time.
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  int n = std::sscanf(v.c_str(), "%4d-%2d-%2d", &y, &mo, &d);
  if (n != 3) {
    return Error::invalid("failed to parse value as time or duration: {}", goQuoteArg(v));
  }
  size_t p = 10;
  if (p < v.size() && v[p] == 'T') {
    ++p;
    int fields[3] = {0, 0, 0};
    for (int k = 0; k < 3 && p < v.size() && std::isdigit(static_cast<unsigned char>(v[p])); ++k) {
      fields[k] = std::atoi(v.substr(p, 2).c_str());
      p += 2;
      if (k < 2 && p < v.size() && v[p] == ':') ++p;
    }
    h = fields[0];
    mi = fields[1];
    sec = fields[2];
  }
  std::string frac;
  if (p < v.size() && v[p] == '.') {
    ++p;
    while (p < v.size() && std::isdigit(static_cast<unsigned char>(v[p]))) frac += v[p++];
  }
  struct tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t t;
  if (p < v.size() && (v[p] == 'Z' || v[p] == '+' || v[p] == '-')) {
    t = ::timegm(&tm);
    if (v[p] != 'Z') {
      int zh = 0, zm = 0;
      std::sscanf(v.c_str() + p + 1, "%d:%d", &zh, &zm);
      int64_t off = zh * 3600 + zm * 60;
      t += v[p] == '+' ? -off : off;
    }
  } else if (p == v.size()) {
    tm.tm_isdst = -1;
    t = ::mktime(&tm);
  } else {
    return Error::invalid("failed to parse value as time or duration: {}", goQuoteArg(v));
  }
  frac.resize(9, '0');
  return fmt::format("{}.{}", t, frac.substr(0, 9));
}

Result<int64_t> timestampNanos(std::string_view s) {
  std::string t = TRY(parseTimestamp(s));
  if (t.empty()) return Error::invalid("empty time value");
  auto dot = t.find('.');
  int64_t secs = TRY(parseInt(t.substr(0, dot), "time"));
  int64_t ns = 0;
  if (dot != std::string::npos) {
    std::string frac = t.substr(dot + 1);
    frac.resize(9, '0');
    ns = TRY(parseInt(frac, "time"));
  }
  return secs * 1000000000 + (secs < 0 ? -ns : ns);
}

std::string nowRfc3339Nano() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:09d}Z", buf, ts.tv_nsec);
}

int64_t parseRfc3339Ns(std::string_view s) {
  if (s.size() < 19) return 0;
  struct tm tm = {};
  std::string head(s.substr(0, 19));
  if (!::strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  int64_t secs = ::timegm(&tm);
  int64_t nanos = 0;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      nanos += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  // Zone: "Z" or +hh:mm / -hh:mm.
  if (i < s.size() && (s[i] == '+' || s[i] == '-') && i + 5 < s.size()) {
    int sign = s[i] == '+' ? 1 : -1;
    int hh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    int mm = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
    secs -= sign * (hh * 3600 + mm * 60);
  }
  return secs * 1000000000 + nanos;
}

}  // namespace berth::apitypes
