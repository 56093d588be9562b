#include "cli/format/template_funcs.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "cli/format/go_fmt.h"
#include "cli/format/utf8.h"

namespace berth::cli::tmpl {

namespace {

Error fail(std::string msg) {
  return Error(ErrorKind::InvalidArgument, std::move(msg));
}

Value str(std::string s) {
  return Value::own(Json(std::move(s)));
}

const std::string& strArg(const Value& v) {
  return v.json().get_ref<const std::string&>();
}

bool asInt(const Json& j, int64_t& out) {
  if (j.is_number_integer()) {
    out = j.get<int64_t>();
    return true;
  }
  if (j.is_number_float()) {
    double f = j.get<double>();
    if (std::isfinite(f) && std::trunc(f) == f && std::fabs(f) < 9.2e18) {
      out = static_cast<int64_t>(f);
      return true;
    }
  }
  return false;
}

// The Go type of a value in messages; missing and null are untyped nil.
std::string typeOf(const Value& v) {
  return v.nil() ? "<nil>" : goTypeName(v.json());
}

std::vector<const Json*> pointers(const std::vector<Value>& args, size_t from) {
  std::vector<const Json*> out;
  for (size_t i = from; i < args.size(); ++i) out.push_back(args[i].ptr());
  return out;
}

// ---- comparisons (Go's eq, lt and friends, with numbers compared across int and float) ----

enum class Kind { Invalid, Bool, Int, Float, String };

Kind basicKind(const Value& v) {
  if (v.nil()) return Kind::Invalid;
  switch (v.json().type()) {
    case Json::value_t::boolean:
      return Kind::Bool;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return Kind::Int;
    case Json::value_t::number_float:
      return Kind::Float;
    case Json::value_t::string:
      return Kind::String;
    default:
      return Kind::Invalid;
  }
}

bool numeric(Kind k) {
  return k == Kind::Int || k == Kind::Float;
}

__int128 wideInt(const Json& j) {
  if (j.is_number_unsigned()) return static_cast<__int128>(j.get<uint64_t>());
  return static_cast<__int128>(j.get<int64_t>());
}

// -1, 0 or 1.
int compareNumbers(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    __int128 x = wideInt(a);
    __int128 y = wideInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = a.get<double>();
  double y = b.get<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

Result<bool> eq2(const Value& a, const Value& b) {
  Kind k1 = basicKind(a);
  Kind k2 = basicKind(b);
  if (k1 != k2) {
    if (numeric(k1) && numeric(k2)) return compareNumbers(a.json(), b.json()) == 0;
    if (!a.nil() && !b.nil()) return fail("incompatible types for comparison");
    return false;
  }
  switch (k1) {
    case Kind::Bool:
      return a.json().get<bool>() == b.json().get<bool>();
    case Kind::Int:
    case Kind::Float:
      return compareNumbers(a.json(), b.json()) == 0;
    case Kind::String:
      return strArg(a) == strArg(b);
    case Kind::Invalid:
      break;
  }
  if (a.nil() || b.nil()) return a.nil() == b.nil();
  return fail(fmt::format("non-comparable type {}: {}", goPrint(b.json()), goTypeName(b.json())));
}

Result<bool> lt2(const Value& a, const Value& b) {
  Kind k1 = basicKind(a);
  Kind k2 = basicKind(b);
  if (k1 == Kind::Invalid || k2 == Kind::Invalid) return fail("invalid type for comparison");
  if (k1 != k2) {
    if (numeric(k1) && numeric(k2)) return compareNumbers(a.json(), b.json()) < 0;
    return fail("incompatible types for comparison");
  }
  switch (k1) {
    case Kind::Bool:
      return fail("invalid type for comparison");
    case Kind::String:
      return strArg(a) < strArg(b);
    default:
      return compareNumbers(a.json(), b.json()) < 0;
  }
}

Result<Value> boolValue(Result<bool> r) {
  if (!r) return std::move(r).error();
  return Value::own(Json(*r));
}

Result<Value> fnEq(std::vector<Value>& args) {
  if (args.size() < 2) return fail("missing argument for comparison");
  for (size_t i = 1; i < args.size(); ++i) {
    if (TRY(eq2(args[0], args[i]))) return Value::own(Json(true));
  }
  return Value::own(Json(false));
}
Result<Value> fnNe(std::vector<Value>& args) {
  return Value::own(Json(!TRY(eq2(args[0], args[1]))));
}
Result<Value> fnLt(std::vector<Value>& args) {
  return boolValue(lt2(args[0], args[1]));
}
Result<Value> fnLe(std::vector<Value>& args) {
  if (TRY(lt2(args[0], args[1]))) return Value::own(Json(true));
  return boolValue(eq2(args[0], args[1]));
}
Result<Value> fnGt(std::vector<Value>& args) {
  if (TRY(lt2(args[0], args[1]))) return Value::own(Json(false));
  return Value::own(Json(!TRY(eq2(args[0], args[1]))));
}
Result<Value> fnGe(std::vector<Value>& args) {
  return Value::own(Json(!TRY(lt2(args[0], args[1]))));
}

// ---- Go's other builtins ----

Result<Value> fnNot(std::vector<Value>& args) {
  return Value::own(Json(!truth(args[0])));
}

Result<Value> fnLen(std::vector<Value>& args) {
  const Value& v = args[0];
  if (v.nil()) return fail("len of nil pointer");
  const Json& j = v.json();
  if (j.is_string()) return Value::own(Json(static_cast<int64_t>(strArg(v).size())));
  if (j.is_array() || j.is_object()) return Value::own(Json(static_cast<int64_t>(j.size())));
  return fail(fmt::format("len of type {}", goTypeName(j)));
}

// An index argument for an array or string of length len.
Result<int64_t> indexArg(const Value& index, size_t len) {
  if (index.nil()) return fail("cannot index slice/array with nil");
  int64_t x = 0;
  if (!asInt(index.json(), x)) {
    return fail(fmt::format("cannot index slice/array with type {}", goTypeName(index.json())));
  }
  if (x < 0 || static_cast<uint64_t>(x) > len)
    return fail(fmt::format("index out of range: {}", x));
  return x;
}

bool allStrings(const Json& obj) {
  for (const auto& e : obj) {
    if (!e.is_string()) return false;
  }
  return true;
}

Result<Value> fnIndex(std::vector<Value>& args) {
  Value item = args[0];
  if (item.missing()) return fail("index of untyped nil");
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& index = args[i];
    if (item.nil()) {
      // A null map (docker's nil map[string]string labels) yields the zero value.
      if (!index.nil() && index.json().is_string()) {
        item = str("");
        continue;
      }
      return fail("index of nil pointer");
    }
    const Json& j = item.json();
    if (j.is_array() || j.is_string()) {
      size_t len = j.is_array() ? j.size() : strArg(item).size();
      int64_t x = TRY(indexArg(index, len));
      if (static_cast<size_t>(x) == len) return fail(fmt::format("index out of range: {}", x));
      if (j.is_array()) {
        item = item.child(j[static_cast<size_t>(x)]);
      } else {
        item = Value::own(Json(static_cast<int64_t>(static_cast<unsigned char>(strArg(item)[x]))));
      }
    } else if (j.is_object()) {
      if (index.nil() || !index.json().is_string()) {
        return fail(fmt::format("value has type {}; should be string", typeOf(index)));
      }
      auto it = j.find(strArg(index));
      if (it != j.end()) {
        item = item.child(*it);
      } else if (allStrings(j)) {
        item = str("");  // the zero value of a map[string]string
      } else {
        item = Value();
      }
    } else {
      return fail(fmt::format("can't index item of type {}", goTypeName(j)));
    }
  }
  return item;
}

Result<Value> fnSlice(std::vector<Value>& args) {
  const Value& item = args[0];
  if (item.nil()) return fail("slice of untyped nil");
  size_t n = args.size() - 1;
  if (n > 3) return fail(fmt::format("too many slice indexes: {}", n));
  const Json& j = item.json();
  size_t len = 0;
  if (j.is_string()) {
    if (n == 3) return fail("cannot 3-index slice a string");
    len = strArg(item).size();
  } else if (j.is_array()) {
    len = j.size();
  } else {
    return fail(fmt::format("can't slice item of type {}", goTypeName(j)));
  }
  std::array<int64_t, 3> idx{0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
  for (size_t i = 0; i < n; ++i) idx[i] = TRY(indexArg(args[i + 1], len));
  if (idx[0] > idx[1]) return fail(fmt::format("invalid slice index: {} > {}", idx[0], idx[1]));
  if (n == 3 && idx[1] > idx[2]) {
    return fail(fmt::format("invalid slice index: {} > {}", idx[1], idx[2]));
  }
  if (j.is_string()) {
    return str(
        strArg(item).substr(static_cast<size_t>(idx[0]), static_cast<size_t>(idx[1] - idx[0])));
  }
  Json out = Json::array();
  for (int64_t i = idx[0]; i < idx[1]; ++i) out.push_back(j[static_cast<size_t>(i)]);
  return Value::own(std::move(out));
}

Result<Value> fnPrint(std::vector<Value>& args) {
  return str(goSprint(pointers(args, 0)));
}
Result<Value> fnPrintf(std::vector<Value>& args) {
  return str(goSprintf(strArg(args[0]), pointers(args, 1)));
}
Result<Value> fnPrintln(std::vector<Value>& args) {
  return str(goSprintln(pointers(args, 0)));
}

// The text html, js and urlquery escape: a lone string, else fmt.Sprint of the arguments with
// a missing value as "<no value>".
std::string escaperArgs(const std::vector<Value>& args) {
  if (args.size() == 1 && !args[0].nil() && args[0].json().is_string()) return strArg(args[0]);
  static const Json kNoValue = "<no value>";
  std::vector<const Json*> ptrs;
  for (const auto& a : args) ptrs.push_back(a.missing() ? &kNoValue : a.ptr());
  return goSprint(ptrs);
}

Result<Value> fnHtml(std::vector<Value>& args) {
  std::string out;
  for (char c : escaperArgs(args)) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\uFFFD";
        break;
      default:
        out += c;
    }
  }
  return str(std::move(out));
}

Result<Value> fnJs(std::vector<Value>& args) {
  std::string s = escaperArgs(args);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    utf8::Rune r = utf8::decode(std::string_view(s).substr(i));
    switch (r.value) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (r.value < ' ') {
          out += fmt::format("\\u{:04X}", static_cast<uint32_t>(r.value));
        } else {
          out.append(s, i, r.size);
        }
    }
    i += r.size;
  }
  return str(std::move(out));
}

Result<Value> fnUrlquery(std::vector<Value>& args) {
  std::string out;
  for (unsigned char c : escaperArgs(args)) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return str(std::move(out));
}

// ---- docker's basicFunctions (cli/templates) ----

Result<Value> fnJson(std::vector<Value>& args) {
  // json.Encoder with SetEscapeHTML(false), trailing newline trimmed.
  if (args[0].missing()) return str("null");
  return str(goJson(args[0].json(), false));
}

Result<Value> fnSplit(std::vector<Value>& args) {
  const std::string& s = strArg(args[0]);
  const std::string& sep = strArg(args[1]);
  Json out = Json::array();
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t n = utf8::decode(std::string_view(s).substr(i)).size;
      out.push_back(s.substr(i, n));
      i += n;
    }
    return Value::own(std::move(out));
  }
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string::npos) break;
    out.push_back(s.substr(start, pos - start));
    start = pos + sep.size();
  }
  out.push_back(s.substr(start));
  return Value::own(std::move(out));
}

Result<Value> fnJoin(std::vector<Value>& args) {
  std::string out;
  if (!args[0].nil()) {
    bool first = true;
    for (const auto& e : args[0].json()) {
      if (!first) out += strArg(args[1]);
      first = false;
      out += e.get_ref<const std::string&>();
    }
  }
  return str(std::move(out));
}

// strings.Title's word boundaries: ASCII letters, digits and '_' are word characters, other
// ASCII is a separator; beyond ASCII only spaces separate.
bool isSeparator(char32_t r) {
  if (r <= 0x7F) {
    return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
             r == '_');
  }
  return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
         r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

Result<Value> fnTitle(std::vector<Value>& args) {
  const std::string& s = strArg(args[0]);
  std::string out;
  char32_t prev = ' ';
  for (size_t i = 0; i < s.size();) {
    utf8::Rune r = utf8::decode(std::string_view(s).substr(i));
    if (isSeparator(prev) && r.value >= 'a' && r.value <= 'z') {
      out += static_cast<char>(r.value - 'a' + 'A');
    } else {
      out.append(s, i, r.size);
    }
    prev = r.value;
    i += r.size;
  }
  return str(std::move(out));
}

Result<Value> fnLower(std::vector<Value>& args) {
  std::string s = strArg(args[0]);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return str(std::move(s));
}

Result<Value> fnUpper(std::vector<Value>& args) {
  std::string s = strArg(args[0]);
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return str(std::move(s));
}

// padWithSpace: an empty string stays empty.
Result<Value> fnPad(std::vector<Value>& args) {
  const std::string& s = strArg(args[0]);
  if (s.empty()) return str("");
  int64_t prefix = args[1].json().get<int64_t>();
  int64_t suffix = args[2].json().get<int64_t>();
  if (prefix < 0 || suffix < 0) return fail("strings: negative Repeat count");
  return str(std::string(static_cast<size_t>(prefix), ' ') + s +
             std::string(static_cast<size_t>(suffix), ' '));
}

// truncateWithLength: bytes, as docker's source[:length].
Result<Value> fnTruncate(std::vector<Value>& args) {
  const std::string& s = strArg(args[0]);
  int64_t n = args[1].json().get<int64_t>();
  if (static_cast<int64_t>(s.size()) < n) return args[0];
  if (n < 0) return fail(fmt::format("runtime error: slice bounds out of range [:{}]", n));
  return str(s.substr(0, static_cast<size_t>(n)));
}

// HeaderFunctions: the header row keeps the column names as they are.
Result<Value> fnIdentity(std::vector<Value>& args) {
  return args[0];
}

const Func kFuncs[] = {
    {"and", {Param::Any, Param::Any}, true, nullptr},
    {"or", {Param::Any, Param::Any}, true, nullptr},
    {"not", {Param::Any}, false, fnNot},
    {"len", {Param::Any}, false, fnLen},
    {"index", {Param::Any, Param::Any}, true, fnIndex},
    {"slice", {Param::Any, Param::Any}, true, fnSlice},
    {"print", {Param::Any}, true, fnPrint},
    {"printf", {Param::String, Param::Any}, true, fnPrintf},
    {"println", {Param::Any}, true, fnPrintln},
    {"eq", {Param::Any, Param::Any}, true, fnEq},
    {"ne", {Param::Any, Param::Any}, false, fnNe},
    {"lt", {Param::Any, Param::Any}, false, fnLt},
    {"le", {Param::Any, Param::Any}, false, fnLe},
    {"gt", {Param::Any, Param::Any}, false, fnGt},
    {"ge", {Param::Any, Param::Any}, false, fnGe},
    {"html", {Param::Any}, true, fnHtml},
    {"js", {Param::Any}, true, fnJs},
    {"urlquery", {Param::Any}, true, fnUrlquery},
    {"json", {Param::Any}, false, fnJson},
    {"split", {Param::String, Param::String}, false, fnSplit},
    {"join", {Param::StringList, Param::String}, false, fnJoin},
    {"title", {Param::String}, false, fnTitle},
    {"lower", {Param::String}, false, fnLower},
    {"upper", {Param::String}, false, fnUpper},
    {"pad", {Param::String, Param::Int, Param::Int}, false, fnPad},
    {"truncate", {Param::String, Param::Int}, false, fnTruncate},
};

const Func kHeaderFuncs[] = {
    {"json", {Param::String}, false, fnIdentity},
    {"split", {Param::String, Param::String}, false, fnIdentity},
    {"join", {Param::String, Param::String}, false, fnIdentity},
    {"title", {Param::String}, false, fnIdentity},
    {"lower", {Param::String}, false, fnIdentity},
    {"upper", {Param::String}, false, fnIdentity},
    {"truncate", {Param::String, Param::Int}, false, fnIdentity},
};

}  // namespace

bool truth(const Value& v) {
  if (v.nil()) return false;
  const Json& j = v.json();
  switch (j.type()) {
    case Json::value_t::boolean:
      return j.get<bool>();
    case Json::value_t::number_integer:
      return j.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return j.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return j.get<double>() != 0;
    case Json::value_t::string:
      return !j.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
      return !j.empty();
    default:
      return false;
  }
}

const Func* findFunc(std::string_view name, bool headerFunctions) {
  if (headerFunctions) {
    for (const auto& f : kHeaderFuncs) {
      if (f.name == name) return &f;
    }
  }
  for (const auto& f : kFuncs) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Status checkParam(Param p, Value& v) {
  switch (p) {
    case Param::Any:
      return ok();
    case Param::String:
      if (v.nil()) return fail("invalid value; expected string");
      if (!v.json().is_string()) {
        return fail(fmt::format("wrong type for value; expected string; got {}", typeOf(v)));
      }
      return ok();
    case Param::Int: {
      if (v.nil()) return fail("invalid value; expected int");
      int64_t x = 0;
      if (!asInt(v.json(), x)) {
        return fail(fmt::format("wrong type for value; expected int; got {}", typeOf(v)));
      }
      if (!v.json().is_number_integer()) v = Value::own(Json(x));
      return ok();
    }
    case Param::StringList:
      // A nil []string (JSON null) joins to "".
      if (v.nil()) return ok();
      if (v.json().is_array() && std::all_of(v.json().begin(), v.json().end(),
                                             [](const Json& e) { return e.is_string(); })) {
        return ok();
      }
      return fail(fmt::format("wrong type for value; expected []string; got {}", typeOf(v)));
  }
  return ok();
}

}  // namespace berth::cli::tmpl
