#include "cli/format/go_fmt.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/format/go_strconv.h"
#include "cli/format/utf8.h"

namespace berth::cli {

namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

bool isString(const Json* a) {
  return a != nullptr && a->is_string();
}

bool isIntegral(const Json& v) {
  return v.is_number_integer();
}

bool integralFloat(const Json& v) {
  if (!v.is_number_float()) return false;
  double f = v.get<double>();
  return std::isfinite(f) && std::trunc(f) == f && std::fabs(f) < 9.2e18;
}

// fmt's per-verb state: flags, width and precision.
struct Flags {
  bool plus = false;
  bool minus = false;
  bool sharp = false;
  bool space = false;
  bool zero = false;
  bool widPresent = false;
  bool precPresent = false;
  int wid = 0;
  int prec = 0;
};

// A port of the parts of fmt's pp/fmt that JSON values reach.
class Printer {
 public:
  std::string buf;
  Flags f;

  void writePadding(int n) {
    if (n <= 0) return;
    buf.append(static_cast<size_t>(n), f.zero ? '0' : ' ');
  }

  // Appends s padded to the width in runes.
  void pad(std::string_view s) {
    if (!f.widPresent || f.wid == 0) {
      buf += s;
      return;
    }
    int width = f.wid - static_cast<int>(utf8::runeCount(s));
    if (!f.minus) {
      writePadding(width);
      buf += s;
    } else {
      buf += s;
      bool z = f.zero;
      f.zero = false;
      writePadding(width);
      f.zero = z;
    }
  }

  void padNoZero(std::string_view s) {
    bool z = f.zero;
    f.zero = false;
    pad(s);
    f.zero = z;
  }

  void fmtInteger(uint64_t u, bool negative, int base, char32_t verb, const char* digits) {
    int prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec == 0 && u == 0) {
        bool z = f.zero;
        f.zero = false;
        writePadding(f.wid);
        f.zero = z;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) --prec;
    }
    std::string d;
    do {
      d += digits[u % static_cast<unsigned>(base)];
      u /= static_cast<unsigned>(base);
    } while (u != 0);
    while (static_cast<int>(d.size()) < prec) d += '0';
    if (f.sharp) {
      if (base == 2) {
        d += "b0";
      } else if (base == 8 && d.back() != '0') {
        d += '0';
      } else if (base == 16) {
        d += digits == kLowerHex ? "x0" : "X0";
      }
    }
    if (verb == 'O') d += "o0";
    if (negative) {
      d += '-';
    } else if (f.plus) {
      d += '+';
    } else if (f.space) {
      d += ' ';
    }
    std::reverse(d.begin(), d.end());
    padNoZero(d);
  }

  void fmtFloat(double v, char verb, int defaultPrec) {
    int prec = f.precPresent ? f.prec : defaultPrec;
    std::string num = goFormatFloat(v, verb, prec);
    if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
    if (f.space && num[0] == '+' && !f.plus) num[0] = ' ';
    if (f.plus || num[0] != '+') {
      if (f.zero && !f.minus && f.widPresent && f.wid > static_cast<int>(num.size())) {
        buf += num[0];
        writePadding(f.wid - static_cast<int>(num.size()));
        buf.append(num, 1);
        return;
      }
      pad(num);
      return;
    }
    pad(std::string_view(num).substr(1));
  }

  void fmtString(std::string_view s, char32_t verb) {
    switch (verb) {
      case 'v':
        if (f.sharp) {
          pad(goQuote(s));
        } else {
          fmtS(s);
        }
        return;
      case 's':
        fmtS(s);
        return;
      case 'q':
        if (f.sharp && s.find('`') == std::string_view::npos &&
            std::none_of(s.begin(), s.end(), [](char c) {
              return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F;
            })) {
          pad("`" + std::string(s) + "`");
        } else {
          pad(goQuote(truncate(s)));
        }
        return;
      case 'x':
      case 'X': {
        const char* digits = verb == 'x' ? kLowerHex : kUpperHex;
        std::string_view in = truncateBytes(s);
        std::string out;
        for (size_t i = 0; i < in.size(); ++i) {
          if (f.space && i > 0) out += ' ';
          if (f.sharp && (f.space || i == 0)) out += verb == 'x' ? "0x" : "0X";
          unsigned char c = static_cast<unsigned char>(in[i]);
          out += digits[c >> 4];
          out += digits[c & 0xF];
        }
        pad(out);
        return;
      }
      default:
        badVerbString(verb, s);
    }
  }

  std::string_view truncate(std::string_view s) const {
    if (f.precPresent) return utf8::prefixRunes(s, static_cast<size_t>(std::max(f.prec, 0)));
    return s;
  }
  std::string_view truncateBytes(std::string_view s) const {
    if (f.precPresent && f.prec < static_cast<int>(s.size()))
      return s.substr(0, std::max(f.prec, 0));
    return s;
  }
  void fmtS(std::string_view s) { pad(truncate(s)); }

  void fmtBool(bool b, char32_t verb, const Json& v) {
    if (verb == 't' || verb == 'v') {
      pad(b ? "true" : "false");
    } else {
      badVerb(verb, v);
    }
  }

  void fmtInt(const Json& v, char32_t verb) {
    bool negative = false;
    uint64_t u = 0;
    if (v.is_number_unsigned()) {
      u = v.get<uint64_t>();
    } else if (v.is_number_integer()) {
      int64_t i = v.get<int64_t>();
      negative = i < 0;
      u = negative ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
    } else {
      double d = v.get<double>();
      negative = d < 0;
      u = static_cast<uint64_t>(std::fabs(d));
    }
    switch (verb) {
      case 'v':
      case 'd':
        fmtInteger(u, negative, 10, verb, kLowerHex);
        return;
      case 'b':
        fmtInteger(u, negative, 2, verb, kLowerHex);
        return;
      case 'o':
      case 'O':
        fmtInteger(u, negative, 8, verb, kLowerHex);
        return;
      case 'x':
        fmtInteger(u, negative, 16, verb, kLowerHex);
        return;
      case 'X':
        fmtInteger(u, negative, 16, verb, kUpperHex);
        return;
      case 'c': {
        std::string s;
        utf8::append(s, negative || u > 0x10FFFF ? utf8::kRuneError : static_cast<char32_t>(u));
        pad(s);
        return;
      }
      case 'q':
        pad(goQuoteRune(negative || u > 0x10FFFF ? utf8::kRuneError : static_cast<char32_t>(u)));
        return;
      case 'U': {
        char tmp[32];
        std::snprintf(tmp, sizeof tmp, "U+%04llX", static_cast<unsigned long long>(u));
        pad(tmp);
        return;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        // Leniency: the field was a float64 that JSON carried without a fraction.
        double d = v.get<double>();
        fmtFloatVerb(d, verb, v);
        return;
      }
      default:
        badVerb(verb, v);
    }
  }

  void fmtFloatVerb(double d, char32_t verb, const Json& v) {
    switch (verb) {
      case 'v':
        fmtFloat(d, 'g', -1);
        return;
      case 'g':
      case 'G':
        fmtFloat(d, static_cast<char>(verb), -1);
        return;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
        fmtFloat(d, static_cast<char>(verb), 6);
        return;
      default:
        badVerb(verb, v);
    }
  }

  // "%!d(string=abc)": the verb does not apply to the value's type.
  void badVerb(char32_t verb, const Json& v) {
    buf += "%!";
    utf8::append(buf, verb);
    buf += '(';
    buf += goTypeName(v);
    buf += '=';
    printValue(v, 'v', 0);
    buf += ')';
  }
  void badVerbString(char32_t verb, std::string_view s) {
    buf += "%!";
    utf8::append(buf, verb);
    buf += "(string=";
    pad(s);
    buf += ')';
  }

  void printArg(const Json* arg, char32_t verb) {
    if (arg == nullptr || arg->is_null()) {
      if (verb == 'T' || verb == 'v') {
        pad("<nil>");
      } else {
        buf += "%!";
        utf8::append(buf, verb);
        buf += "(<nil>)";
      }
      return;
    }
    if (verb == 'T') {
      fmtS(goTypeName(*arg));
      return;
    }
    printValue(*arg, verb, 0);
  }

  void printValue(const Json& v, char32_t verb, int depth) {
    switch (v.type()) {
      case Json::value_t::null:
      case Json::value_t::discarded:
      case Json::value_t::binary:
        if (depth == 0 && verb != 'v') {
          buf += "%!";
          utf8::append(buf, verb);
          buf += "(<nil>)";
        } else {
          buf += "<nil>";
        }
        return;
      case Json::value_t::boolean:
        fmtBool(v.get<bool>(), verb, v);
        return;
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned:
        fmtInt(v, verb);
        return;
      case Json::value_t::number_float:
        if (integralFloat(v) && (verb == 'd' || verb == 'x' || verb == 'X' || verb == 'o' ||
                                 verb == 'b' || verb == 'c')) {
          fmtInt(v, verb);
        } else {
          fmtFloatVerb(v.get<double>(), verb, v);
        }
        return;
      case Json::value_t::string:
        fmtString(v.get_ref<const std::string&>(), verb);
        return;
      case Json::value_t::array: {
        buf += '[';
        bool first = true;
        for (const auto& e : v) {
          if (!first) buf += ' ';
          first = false;
          printValue(e, verb, depth + 1);
        }
        buf += ']';
        return;
      }
      case Json::value_t::object: {
        buf += "map[";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (!first) buf += ' ';
          first = false;
          fmtString(it.key(), verb);
          buf += ':';
          printValue(it.value(), verb, depth + 1);
        }
        buf += ']';
        return;
      }
    }
  }
};

bool isVerbFlag(char c) {
  return c == '#' || c == '0' || c == '+' || c == '-' || c == ' ';
}

// Parses a decimal number at format[i..]; returns false when there is none.
bool parseNum(std::string_view format, size_t& i, int& out) {
  if (i >= format.size() || format[i] < '0' || format[i] > '9') return false;
  long n = 0;
  while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
    if (n < 1000000) n = n * 10 + (format[i] - '0');
    ++i;
  }
  out = static_cast<int>(n);
  return true;
}

}  // namespace

std::string goTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "float64";
    case Json::value_t::array:
      return "[]interface {}";
    case Json::value_t::object:
      return "map[string]interface {}";
    default:
      return "<nil>";
  }
}

std::string goPrint(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  Printer p;
  p.printValue(v, 'v', 0);
  return std::move(p.buf);
}

std::string goSprintf(std::string_view format, const std::vector<const Json*>& args) {
  Printer p;
  size_t argNum = 0;
  size_t end = format.size();
  for (size_t i = 0; i < end;) {
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) p.buf.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // skip %
    p.f = Flags{};
    for (; i < end && isVerbFlag(format[i]); ++i) {
      switch (format[i]) {
        case '#':
          p.f.sharp = true;
          break;
        case '0':
          p.f.zero = !p.f.minus;
          break;
        case '+':
          p.f.plus = true;
          break;
        case '-':
          p.f.minus = true;
          p.f.zero = false;
          break;
        case ' ':
          p.f.space = true;
          break;
      }
    }
    // Width: a number or '*'.
    if (i < end && format[i] == '*') {
      ++i;
      if (argNum < args.size() && args[argNum] != nullptr && isIntegral(*args[argNum])) {
        int64_t w = args[argNum]->get<int64_t>();
        p.f.widPresent = true;
        p.f.wid = static_cast<int>(std::clamp<int64_t>(w, -1000000, 1000000));
        if (p.f.wid < 0) {
          p.f.minus = true;
          p.f.zero = false;
          p.f.wid = -p.f.wid;
        }
      } else {
        p.buf += "%!(BADWIDTH)";
      }
      ++argNum;
    } else {
      p.f.widPresent = parseNum(format, i, p.f.wid);
    }
    // Precision: '.' then a number or '*'; a lone '.' means 0.
    if (i < end && format[i] == '.') {
      ++i;
      if (i < end && format[i] == '*') {
        ++i;
        if (argNum < args.size() && args[argNum] != nullptr && isIntegral(*args[argNum])) {
          int64_t pr = args[argNum]->get<int64_t>();
          p.f.prec = static_cast<int>(std::clamp<int64_t>(pr, -1, 1000000));
          p.f.precPresent = p.f.prec >= 0;
        } else {
          p.buf += "%!(BADPREC)";
        }
        ++argNum;
      } else {
        p.f.precPresent = true;
        if (!parseNum(format, i, p.f.prec)) p.f.prec = 0;
      }
    }
    if (i >= end) {
      p.buf += "%!(NOVERB)";
      break;
    }
    utf8::Rune verb = utf8::decode(format.substr(i));
    i += verb.size;
    if (verb.value == '%') {
      p.buf += '%';
      continue;
    }
    if (argNum >= args.size()) {
      p.buf += "%!";
      utf8::append(p.buf, verb.value);
      p.buf += "(MISSING)";
      continue;
    }
    p.printArg(args[argNum++], verb.value);
  }
  if (argNum < args.size()) {
    p.f = Flags{};
    p.buf += "%!(EXTRA ";
    for (size_t k = argNum; k < args.size(); ++k) {
      if (k > argNum) p.buf += ", ";
      if (args[k] == nullptr || args[k]->is_null()) {
        p.buf += "<nil>";
      } else {
        p.buf += goTypeName(*args[k]);
        p.buf += '=';
        p.printArg(args[k], 'v');
      }
    }
    p.buf += ')';
  }
  return std::move(p.buf);
}

std::string goSprint(const std::vector<const Json*>& args) {
  Printer p;
  bool prevString = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool str = isString(args[i]);
    if (i > 0 && !str && !prevString) p.buf += ' ';
    p.printArg(args[i], 'v');
    prevString = str;
  }
  return std::move(p.buf);
}

std::string goSprintln(const std::vector<const Json*>& args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.buf += ' ';
    p.printArg(args[i], 'v');
  }
  p.buf += '\n';
  return std::move(p.buf);
}

}  // namespace berth::cli
