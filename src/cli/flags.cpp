#include "cli/flags.h"

#include <algorithm>
#include <charconv>

#include "base/strings.h"

namespace berth::cli {

namespace {

Status parseGoInt(std::string_view v, int64_t& out, int bits) {
  std::string s(v);
  auto fail = [&](const char* why) {
    return Error::invalid("strconv.ParseInt: parsing {}: {}", goQuoteArg(v), why);
  };
  if (s.empty()) return fail("invalid syntax");
  int base = 10;
  size_t i = 0;
  bool neg = false;
  if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
  if (s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    base = 16;
    i += 2;
  } else if (s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'o' || s[i + 1] == 'O')) {
    base = 8;
    i += 2;
  } else if (s.size() > i + 1 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'B')) {
    base = 2;
    i += 2;
  } else if (s.size() > i + 1 && s[i] == '0') {
    base = 8;
    i += 1;
  }
  std::string digits;
  for (; i < s.size(); ++i) {
    if (s[i] != '_') digits += s[i];
  }
  if (digits.empty()) return fail("invalid syntax");
  uint64_t mag = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), mag, base);
  if (ec == std::errc::result_out_of_range) return fail("value out of range");
  if (ec != std::errc() || p != digits.data() + digits.size()) return fail("invalid syntax");
  uint64_t limit = uint64_t{1} << (bits - 1);
  if ((!neg && mag >= limit) || (neg && mag > limit)) return fail("value out of range");
  out = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
  return {};
}

// pflag's wrapN and wrap (see FlagUsagesWrapped).
std::pair<std::string, std::string> wrapN(size_t i, size_t slop, const std::string& s) {
  if (i + slop > s.size()) return {s, ""};
  size_t w = s.substr(0, i).find_last_of(" \t\n");
  if (w == std::string::npos || w == 0) return {s, ""};
  size_t nl = s.substr(0, i).rfind('\n');
  if (nl != std::string::npos && nl > 0 && nl < w) return {s.substr(0, nl), s.substr(nl + 1)};
  return {s.substr(0, w), s.substr(w + 1)};
}

std::string replaceNewlines(const std::string& s, const std::string& with) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += with;
    } else {
      out += c;
    }
  }
  return out;
}

std::string wrap(size_t i, size_t w, std::string s) {
  if (w == 0) return replaceNewlines(s, "\n" + std::string(i, ' '));
  long wrapAt = static_cast<long>(w) - static_cast<long>(i);
  std::string r;
  if (wrapAt < 24) {
    i = 16;
    wrapAt = static_cast<long>(w) - 16;
    r += "\n" + std::string(i, ' ');
  }
  if (wrapAt < 24) return replaceNewlines(s, r);
  size_t slop = 5;
  size_t width = static_cast<size_t>(wrapAt) - slop;
  std::string indent = "\n" + std::string(i, ' ');
  auto [l, rest] = wrapN(width, slop, s);
  r += replaceNewlines(l, indent);
  s = rest;
  while (!s.empty()) {
    auto [t, more] = wrapN(width, slop, s);
    r += indent + replaceNewlines(t, indent);
    s = more;
  }
  return r;
}

}  // namespace

FlagSet::Flag& FlagSet::add(Flag f) {
  flags_.push_back(std::move(f));
  return flags_.back();
}

void FlagSet::boolVar(bool* p, std::string name, char shorthand, std::string usage) {
  Flag f{.name = std::move(name), .shorthand = shorthand, .usage = std::move(usage)};
  f.isBool = true;
  f.defValue = *p ? "true" : "false";
  f.set = [p](std::string_view v) -> Status {
    if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
      *p = true;
    } else if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
      *p = false;
    } else {
      return Error::invalid("strconv.ParseBool: parsing {}: invalid syntax", goQuoteArg(v));
    }
    return {};
  };
  add(std::move(f));
}

void FlagSet::stringVar(std::string* p, std::string name, char shorthand, std::string usage) {
  Flag f{.name = std::move(name), .shorthand = shorthand, .usage = std::move(usage)};
  f.typeName = "string";
  f.defValue = *p;
  f.set = [p](std::string_view v) -> Status {
    *p = std::string(v);
    return {};
  };
  add(std::move(f));
}

void FlagSet::listVar(std::vector<std::string>* p, std::string name, char shorthand,
                      std::string usage, std::string typeName) {
  Flag f{.name = std::move(name), .shorthand = shorthand, .usage = std::move(usage)};
  f.typeName = std::move(typeName);
  f.set = [p](std::string_view v) -> Status {
    p->emplace_back(v);
    return {};
  };
  add(std::move(f));
}

void FlagSet::intVar(int* p, std::string name, char shorthand, std::string usage) {
  Flag f{.name = std::move(name), .shorthand = shorthand, .usage = std::move(usage)};
  f.typeName = "int";
  f.defValue = std::to_string(*p);
  f.set = [p](std::string_view v) -> Status {
    int64_t n = 0;
    TRY(parseGoInt(v, n, 64));
    *p = static_cast<int>(n);
    return {};
  };
  add(std::move(f));
}

void FlagSet::int64Var(int64_t* p, std::string name, char shorthand, std::string usage) {
  Flag f{.name = std::move(name), .shorthand = shorthand, .usage = std::move(usage)};
  f.typeName = "int";
  f.defValue = std::to_string(*p);
  f.set = [p](std::string_view v) -> Status { return parseGoInt(v, *p, 64); };
  add(std::move(f));
}

void FlagSet::funcVar(std::string name, char shorthand, std::string typeName, std::string usage,
                      Setter setter, std::string defValue) {
  Flag f{.name = std::move(name), .shorthand = shorthand, .usage = std::move(usage)};
  f.typeName = std::move(typeName);
  f.defValue = std::move(defValue);
  f.set = std::move(setter);
  add(std::move(f));
}

void FlagSet::hide(std::string_view name) {
  if (Flag* f = find(name)) f->hidden = true;
}

FlagSet::Flag* FlagSet::find(std::string_view name) {
  for (auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FlagSet::Flag* FlagSet::find(std::string_view name) const {
  for (const auto& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

FlagSet::Flag* FlagSet::findShort(char c) {
  for (auto& f : flags_) {
    if (f.shorthand == c) return &f;
  }
  return nullptr;
}

bool FlagSet::hasShorthand(char c) const {
  return std::any_of(flags_.begin(), flags_.end(), [c](const Flag& f) { return f.shorthand == c; });
}

bool FlagSet::hasVisible() const {
  return std::any_of(flags_.begin(), flags_.end(), [](const Flag& f) { return !f.hidden; });
}

bool FlagSet::changed(std::string_view name) const {
  const Flag* f = find(name);
  return f && f->changed;
}

Status FlagSet::setValue(Flag& f, std::string_view value) {
  auto st = f.set(value);
  if (!st) {
    std::string flagName =
        f.shorthand ? fmt::format("-{}, --{}", f.shorthand, f.name) : fmt::format("--{}", f.name);
    return Error::invalid("invalid argument {} for {} flag: {}", goQuoteArg(value),
                          goQuoteArg(flagName), st.error().message());
  }
  f.changed = true;
  return {};
}

Result<std::vector<std::string>> FlagSet::parse(const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      if (!interspersed_) {
        positional.insert(positional.end(), args.begin() + static_cast<long>(i), args.end());
        return positional;
      }
      positional.push_back(a);
      continue;
    }
    if (a == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      return positional;
    }
    if (a[1] == '-') {
      std::string_view body = std::string_view(a).substr(2);
      if (body.empty() || body[0] == '-' || body[0] == '=') {
        return Error::invalid("bad flag syntax: {}", a);
      }
      auto eq = body.find('=');
      std::string name(body.substr(0, eq));
      Flag* f = find(name);
      if (!f) return Error::invalid("unknown flag: --{}", name);
      if (eq != std::string_view::npos) {
        TRY(setValue(*f, body.substr(eq + 1)));
      } else if (f->isBool) {
        TRY(setValue(*f, "true"));
      } else if (i + 1 < args.size()) {
        TRY(setValue(*f, args[++i]));
      } else {
        return Error::invalid("flag needs an argument: --{}", name);
      }
      continue;
    }
    // A group of shorthands: -it, -e FOO, -eFOO, -e=FOO.
    std::string_view shorts = std::string_view(a).substr(1);
    for (size_t j = 0; j < shorts.size(); ++j) {
      char c = shorts[j];
      if (c == '=') return Error::invalid("bad flag syntax: {}", a);
      Flag* f = findShort(c);
      if (!f) {
        return Error::invalid("unknown shorthand flag: '{}' in -{}", c, shorts.substr(j));
      }
      std::string_view rest = shorts.substr(j + 1);
      if (!rest.empty() && rest[0] == '=') {
        TRY(setValue(*f, rest.substr(1)));
        break;
      }
      if (f->isBool) {
        TRY(setValue(*f, "true"));
        continue;
      }
      if (!rest.empty()) {
        TRY(setValue(*f, rest));
      } else if (i + 1 < args.size()) {
        TRY(setValue(*f, args[++i]));
      } else {
        return Error::invalid("flag needs an argument: '{}' in -{}", c, shorts.substr(j));
      }
      break;
    }
  }
  return positional;
}

std::string FlagSet::usages(int cols) const {
  std::vector<const Flag*> sorted;
  for (const auto& f : flags_) {
    if (!f.hidden) sorted.push_back(&f);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Flag* a, const Flag* b) { return a->name < b->name; });
  std::vector<std::pair<std::string, std::string>> lines;
  size_t maxlen = 0;
  for (const Flag* f : sorted) {
    std::string line = f->shorthand ? fmt::format("  -{}, --{}", f->shorthand, f->name)
                                    : fmt::format("      --{}", f->name);
    if (!f->typeName.empty()) line += " " + f->typeName;
    maxlen = std::max(maxlen, line.size() + 1);  // pflag counts the separator byte
    std::string usage = f->usage;
    bool zero =
        f->defValue.empty() || f->defValue == "false" || f->defValue == "0" || f->defValue == "[]";
    if (!zero) {
      usage += f->typeName == "string" ? " (default " + goQuoteArg(f->defValue) + ")"
                                       : " (default " + f->defValue + ")";
    }
    lines.emplace_back(std::move(line), std::move(usage));
  }
  std::string out;
  for (const auto& [head, usage] : lines) {
    out += head + " " + std::string(maxlen - head.size() - 1, ' ') + "  " +
           wrap(maxlen + 2, static_cast<size_t>(std::max(cols, 0)), usage) + "\n";
  }
  return out;
}

}  // namespace berth::cli
