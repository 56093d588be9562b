#include "cli/output.h"

#include <ctime>

#include "base/strings.h"
#include "cli/format/format_spec.h"
#include "cli/format/units.h"
#include "cli/format/utf8.h"

namespace berth::cli {

Status printRows(Cli& cli, std::string_view format, std::string_view defaultTable,
                 std::vector<Json> rows, const Json& headers) {
  FormatSpec spec = TRY(FormatSpec::parse(format, defaultTable));
  if (!spec.isJson()) {
    cli.out(TRY(spec.render(rows, headers)));
    return {};
  }
  for (auto& r : rows) {
    if (r.is_object()) r.erase("Label");
  }
  // docker's contexts marshal themselves with json.Marshal, which escapes <, > and & (only
  // string contents can hold them in JSON text).
  std::string out;
  for (char c : TRY(spec.render(rows, headers))) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  cli.out(out);
  return {};
}

std::string shortId(std::string_view id) {
  if (startsWith(id, "sha256:")) id.remove_prefix(7);
  return std::string(id.substr(0, 12));
}

std::string ellipsis(std::string_view s, size_t maxWidth) {
  if (utf8::stringWidth(s) <= maxWidth) return std::string(s);
  if (maxWidth == 0) return "";
  std::string out;
  size_t width = 0;
  while (!s.empty()) {
    auto r = utf8::decode(s);
    size_t w = static_cast<size_t>(utf8::runeWidth(r.value));
    if (width + w > maxWidth - 1) break;
    out.append(s.substr(0, r.size));
    width += w;
    s.remove_prefix(r.size);
  }
  return out + "\xe2\x80\xa6";
}

std::string goTimeString(int64_t unixSeconds) {
  time_t t = static_cast<time_t>(unixSeconds);
  struct tm tm;
  ::localtime_r(&t, &tm);
  char buf[96];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return buf;
}

std::string timeAgo(int64_t unixSeconds) {
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  return humanDuration(now - unixSeconds) + " ago";
}

int64_t parseRfc3339(std::string_view s) {
  struct tm tm = {};
  int y, mo, d, h, mi, sec;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t t = static_cast<int64_t>(::timegm(&tm));
  // The zone after the seconds and an optional fraction: Z or +hh:mm / -hh:mm.
  size_t p = str.find_first_of("Z+-", 19);
  if (p != std::string::npos && str[p] != 'Z' && p + 5 < str.size() + 1) {
    int zh = 0, zm = 0;
    if (std::sscanf(str.c_str() + p + 1, "%d:%d", &zh, &zm) >= 1) {
      int64_t off = zh * 3600 + zm * 60;
      t += str[p] == '+' ? -off : off;
    }
  }
  return t;
}

std::string indentJson(std::string_view raw) {
  std::string out;
  int depth = 0;
  bool inString = false, escaped = false;
  bool needIndent = false;  // after an opening bracket: a newline comes before the next value
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<size_t>(depth) * 4, ' ');
  };
  for (char c : raw) {
    if (inString) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (needIndent && c != ']' && c != '}') {
      needIndent = false;
      ++depth;
      newline();
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case ',':
        out += c;
        newline();
        break;
      case ':':
        out += ": ";
        break;
      case '}':
      case ']':
        if (needIndent) {
          needIndent = false;  // an empty {} or []
        } else {
          --depth;
          newline();
        }
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string str(const Json& j, std::string_view key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return dumpJson(*it);
}

}  // namespace berth::cli
