// encoding/json's compact encoding of JSON values (goJson in go_fmt.h).

#include <cmath>

#include "cli/format/go_fmt.h"
#include "cli/format/utf8.h"

namespace berth::cli {

namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

void appendJsonString(std::string& out, std::string_view s, bool escapeHtml) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      switch (b) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
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
          if (b < 0x20 || (escapeHtml && (b == '<' || b == '>' || b == '&'))) {
            out += "\\u00";
            out += kLowerHex[b >> 4];
            out += kLowerHex[b & 0xF];
          } else {
            out += static_cast<char>(b);
          }
      }
      ++i;
      continue;
    }
    utf8::Rune r = utf8::decode(s.substr(i));
    if (r.value == utf8::kRuneError && r.size == 1) {
      out += "\\ufffd";
    } else if (r.value == 0x2028 || r.value == 0x2029) {
      // JSONP-safe, as encoding/json always does.
      out += "\\u202";
      out += kLowerHex[r.value & 0xF];
    } else {
      out.append(s.substr(i, r.size));
    }
    i += r.size;
  }
  out += '"';
}

std::string jsonFloat(double f) {
  // encoding/json switches to exponent form outside [1e-6, 1e21), like ES6.
  double abs = std::fabs(f);
  bool exp = abs != 0 && (abs < 1e-6 || abs >= 1e21);
  std::string s = goFormatFloat(f, exp ? 'e' : 'f', -1);
  if (exp) {
    // clean up e-09 to e-9
    size_t n = s.size();
    if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') {
      s.erase(n - 2, 1);
    }
  }
  return s;
}

void appendJson(std::string& out, const Json& v, bool escapeHtml) {
  switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
      out += "null";
      return;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case Json::value_t::number_float:
      out += jsonFloat(v.get<double>());
      return;
    case Json::value_t::string:
      appendJsonString(out, v.get_ref<const std::string&>(), escapeHtml);
      return;
    case Json::value_t::binary:
      out += "null";
      return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        appendJson(out, e, escapeHtml);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        appendJsonString(out, it.key(), escapeHtml);
        out += ':';
        appendJson(out, it.value(), escapeHtml);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string goJson(const Json& v, bool escapeHtml) {
  std::string out;
  appendJson(out, v, escapeHtml);
  return out;
}

}  // namespace berth::cli
