// Go's strconv as the formatter uses it: float formatting (FormatFloat), quoting (Quote,
// QuoteRune) and the literal syntax of templates (Unquote, ParseInt with base 0).

#include "cli/format/go_strconv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "cli/format/go_fmt.h"
#include "cli/format/utf8.h"

namespace berth::cli {

namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

// A decimal number as strconv holds it: 0.digits x 10^dp, digits without trailing zeros.
struct Digits {
  std::string d;
  int dp = 0;
};

// Parses "d.ddde+XX" (printf's or to_chars' scientific form of a non-negative number).
Digits parseScientific(std::string_view s) {
  Digits r;
  size_t e = s.find_first_of("eE");
  for (char c : s.substr(0, e)) {
    if (c != '.') r.d += c;
  }
  int exp = 0;
  std::string_view es = s.substr(e + 1);
  bool negExp = !es.empty() && es[0] == '-';
  if (!es.empty() && (es[0] == '-' || es[0] == '+')) es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  if (negExp) exp = -exp;
  r.dp = exp + 1;
  while (!r.d.empty() && r.d.back() == '0') r.d.pop_back();
  if (r.d.empty()) r.dp = 0;
  return r;
}

Digits shortestDigits(double v) {
  if (v == 0) return {};
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(v), std::chars_format::scientific);
  return parseScientific(std::string_view(buf, res.ptr - buf));
}

// v rounded to n >= 1 significant digits.
Digits roundedDigits(double v, int n) {
  char buf[512];
  int len = std::snprintf(buf, sizeof buf, "%.*e", n - 1, std::fabs(v));
  if (len < 0 || len >= static_cast<int>(sizeof buf)) return shortestDigits(v);
  return parseScientific(std::string_view(buf, len));
}

// %e: -d.ddddde±dd
std::string fmtE(bool neg, const Digits& d, int prec, char fmt) {
  std::string out;
  if (neg) out += '-';
  int nd = static_cast<int>(d.d.size());
  out += nd == 0 ? '0' : d.d[0];
  if (prec > 0) {
    out += '.';
    int i = 1;
    int m = std::min(nd, prec + 1);
    if (i < m) {
      out.append(d.d, i, m - i);
      i = m;
    }
    for (; i <= prec; ++i) out += '0';
  }
  out += fmt;
  int exp = nd == 0 ? 0 : d.dp - 1;
  out += exp < 0 ? '-' : '+';
  exp = std::abs(exp);
  if (exp < 10) out += '0';
  out += std::to_string(exp);
  return out;
}

// %f: -ddddddd.ddddd
std::string fmtF(bool neg, const Digits& d, int prec) {
  std::string out;
  if (neg) out += '-';
  int nd = static_cast<int>(d.d.size());
  if (d.dp > 0) {
    int m = std::min(nd, d.dp);
    out.append(d.d, 0, m);
    for (; m < d.dp; ++m) out += '0';
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) {
      int j = d.dp + i - 1;
      out += (j >= 0 && j < nd) ? d.d[j] : '0';
    }
  }
  return out;
}

// strconv's formatDigits for 'e', 'f' and 'g'.
std::string formatDigits(bool shortest, bool neg, const Digits& d, int prec, char fmt) {
  int nd = static_cast<int>(d.d.size());
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
    case 'F':
      return fmtF(neg, d, prec);
    default: {
      int eprec = prec;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      // Go decides on a fixed 6 in shortest mode: 1e+06, but 123456.
      if (shortest) eprec = 6;
      int exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > nd) prec = nd;
        return fmtE(neg, d, prec - 1, fmt == 'G' ? 'E' : 'e');
      }
      if (prec > d.dp) prec = nd;
      return fmtF(neg, d, std::max(prec - d.dp, 0));
    }
  }
}

// Printable as strconv.IsPrint judges, for the runes that appear in practice.
bool isPrint(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r < 0x7F) return true;
  if (r < 0xA0 || r == 0xAD) return false;
  if (r == 0x2028 || r == 0x2029 || r == 0xFEFF) return false;
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  if ((r & 0xFFFE) == 0xFFFE) return false;
  return true;
}

void appendQuotedRune(std::string& out, char32_t r, size_t width, std::string_view raw,
                      char quote) {
  if (width == 1 && r == utf8::kRuneError) {
    out += "\\x";
    out += kLowerHex[static_cast<unsigned char>(raw[0]) >> 4];
    out += kLowerHex[static_cast<unsigned char>(raw[0]) & 0xF];
    return;
  }
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (isPrint(r)) {
    out.append(raw.substr(0, width));
    return;
  }
  switch (r) {
    case '\a':
      out += "\\a";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\v':
      out += "\\v";
      return;
    default:
      break;
  }
  char buf[16];
  if (r < ' ' || r == 0x7F) {
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(r));
  } else if (r < 0x10000) {
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r));
  } else {
    std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(r));
  }
  out += buf;
}

}  // namespace

std::string goQuoteRune(char32_t r) {
  std::string raw;
  utf8::append(raw, r);
  std::string out = "'";
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = utf8::kRuneError;
  appendQuotedRune(out, r, r == utf8::kRuneError ? 3 : raw.size(), raw, '\'');
  out += '\'';
  return out;
}

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    utf8::Rune r = utf8::decode(s.substr(i));
    appendQuotedRune(out, r.value, r.size, s.substr(i), '"');
    i += r.size;
  }
  out += '"';
  return out;
}

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// strconv.UnquoteChar: decodes one (possibly escaped) character at s[i..] of a literal quoted
// with `quote`; advances i. Returns false on a malformed escape.
bool goUnquoteChar(std::string_view s, size_t& i, char quote, std::string& out) {
  if (i >= s.size()) return false;
  char c = s[i];
  if (c == quote && (quote == '\'' || quote == '"')) return false;
  if (c != '\\') {
    utf8::Rune r = utf8::decode(s.substr(i));
    out.append(s.substr(i, r.size));
    i += r.size;
    return true;
  }
  if (i + 1 >= s.size()) return false;
  c = s[i + 1];
  i += 2;
  switch (c) {
    case 'a':
      out += '\a';
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'v':
      out += '\v';
      return true;
    case '\\':
      out += '\\';
      return true;
    case '\'':
    case '"':
      if (c != quote) return false;
      out += c;
      return true;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (i + n > s.size()) return false;
      uint32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        int h = hexValue(s[i + k]);
        if (h < 0) return false;
        v = v << 4 | static_cast<uint32_t>(h);
      }
      i += n;
      if (c == 'x') {
        out += static_cast<char>(v);
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      utf8::append(out, v);
      return true;
    }
    default:
      if (c >= '0' && c <= '7') {
        if (i + 2 > s.size()) return false;
        uint32_t v = static_cast<uint32_t>(c - '0');
        for (size_t k = 0; k < 2; ++k) {
          char d = s[i + k];
          if (d < '0' || d > '7') return false;
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return false;
        i += 2;
        out += static_cast<char>(v);
        return true;
      }
      return false;
  }
}

// strconv.Unquote for "..." and `...` literals.
std::optional<std::string> goUnquote(std::string_view lit) {
  if (lit.size() < 2 || lit.front() != lit.back()) return std::nullopt;
  char quote = lit.front();
  std::string_view body = lit.substr(1, lit.size() - 2);
  std::string out;
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return std::nullopt;
    for (char c : body) {
      if (c != '\r') out += c;
    }
    return out;
  }
  if (quote != '"' || body.find('\n') != std::string_view::npos) return std::nullopt;
  for (size_t i = 0; i < body.size();) {
    if (!goUnquoteChar(body, i, '"', out)) return std::nullopt;
  }
  return out;
}

// strconv.ParseInt/ParseUint with base 0: 0x, 0o, 0b and leading-0 octal prefixes, and Go's
// underscores between digits.
bool goParseInt(std::string_view s, bool& neg, uint64_t& mag) {
  neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return false;
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      s.remove_prefix(2);
      if (!s.empty() && s[0] == '_') s.remove_prefix(1);
      if (s.empty()) return false;
    } else {
      base = 8;
    }
  }
  mag = 0;
  bool lastUnderscore = true;  // no leading underscore
  for (char c : s) {
    if (c == '_') {
      if (lastUnderscore) return false;
      lastUnderscore = true;
      continue;
    }
    lastUnderscore = false;
    int d = hexValue(c);
    if (d < 0 || d >= base) return false;
    if (mag > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    mag = mag * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return !lastUnderscore;
}

std::string goFormatFloat(double f, char fmt, int prec) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  bool neg = std::signbit(f);
  if (prec < 0) {
    Digits d = shortestDigits(f);
    int nd = static_cast<int>(d.d.size());
    switch (fmt) {
      case 'e':
      case 'E':
        prec = std::max(nd - 1, 0);
        break;
      case 'f':
      case 'F':
        prec = std::max(nd - d.dp, 0);
        break;
      default:
        prec = nd;
    }
    return formatDigits(true, neg, d, prec, fmt);
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return formatDigits(false, neg, roundedDigits(f, prec + 1), prec, fmt);
    case 'f':
    case 'F': {
      char buf[512];
      int len = std::snprintf(buf, sizeof buf, "%.*f", std::min(prec, 400), f);
      if (len < 0 || len >= static_cast<int>(sizeof buf)) return goFormatFloat(f, 'g', -1);
      return std::string(buf, len);
    }
    default:
      if (prec == 0) prec = 1;
      return formatDigits(false, neg, roundedDigits(f, std::min(prec, 400)), prec, fmt);
  }
}

}  // namespace berth::cli
