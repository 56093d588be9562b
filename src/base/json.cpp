#include "base/json.h"

namespace berth {

Result<Json> parseJson(std::string_view text, std::string_view what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Error::invalid("parse {}: {}", what, e.what());
  }
}

std::string dumpJson(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::vector<std::string> stringList(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& v : j[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

namespace {

// Skips JSON values in text without building them, for findMemberSpan.
class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}

  // At an object: finds path[k..] in it, into out.
  bool object(const std::vector<std::string_view>& path, size_t k, std::optional<JsonSpan>& out,
              int depth) {
    if (depth > kMaxDepth || !take('{')) return false;
    if (take('}')) return true;
    bool seen = false;
    do {
      std::string_view key;
      ws();
      if (!string(&key) || key.find('\\') != std::string_view::npos || !take(':')) return false;
      ws();
      if (key != path[k]) {
        if (!value(depth + 1)) return false;
        continue;
      }
      if (seen) return false;  // which of the two a parser keeps is its own choice
      seen = true;
      size_t start = i_;
      if (k + 1 < path.size() && i_ < t_.size() && t_[i_] == '{') {
        if (!object(path, k + 1, out, depth + 1)) return false;
      } else {
        if (!value(depth + 1)) return false;
        if (k + 1 == path.size()) out = JsonSpan{start, i_ - start};
      }
    } while (take(','));
    return take('}');
  }

  bool atEnd() {
    ws();
    return i_ == t_.size();
  }

 private:
  static constexpr int kMaxDepth = 512;

  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t'))
      ++i_;
  }
  bool take(char c) {
    ws();
    if (i_ >= t_.size() || t_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool string(std::string_view* raw) {
    if (i_ >= t_.size() || t_[i_] != '"') return false;
    size_t start = ++i_;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '"') {
        if (raw) *raw = t_.substr(start, i_ - start);
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      i_ += c == '\\' ? 2 : 1;
    }
    return false;
  }
  bool value(int depth) {
    if (depth > kMaxDepth) return false;
    ws();
    if (i_ >= t_.size()) return false;
    char c = t_[i_];
    if (c == '"') return string(nullptr);
    if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      ++i_;
      if (take(close)) return true;
      do {
        if (c == '{') {
          ws();
          if (!string(nullptr) || !take(':')) return false;
        }
        if (!value(depth + 1)) return false;
      } while (take(','));
      return take(close);
    }
    // A number, true, false or null: what a parser makes of it is checked when it parses.
    size_t start = i_;
    while (i_ < t_.size() &&
           std::string_view(",:]} \n\r\t\"[{").find(t_[i_]) == std::string_view::npos)
      ++i_;
    return i_ > start;
  }

  std::string_view t_;
  size_t i_ = 0;
};

}  // namespace

std::optional<JsonSpan> findMemberSpan(std::string_view text,
                                       const std::vector<std::string_view>& path) {
  if (path.empty()) return std::nullopt;
  Scanner s(text);
  std::optional<JsonSpan> out;
  if (!s.object(path, 0, out, 0) || !s.atEnd()) return std::nullopt;
  return out;
}

}  // namespace berth
