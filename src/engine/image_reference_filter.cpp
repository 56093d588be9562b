#include "engine/image_reference_filter.h"

#include <algorithm>

namespace berth::engine {

namespace {

Error badPattern(std::string_view pattern) {
  return Error::invalid("syntax error in pattern {:?}", std::string(pattern));
}

// One character of a class, '\' escaping it; '-' and ']' must be escaped there.
Result<char> classChar(std::string_view pattern, size_t& i) {
  if (i >= pattern.size() || pattern[i] == '-' || pattern[i] == ']') return badPattern(pattern);
  if (pattern[i] == '\\' && ++i >= pattern.size()) return badPattern(pattern);
  return pattern[i++];
}

// The class starting after '[' at i; leaves i after its ']'. matched tells whether c is in it.
Result<bool> matchClass(std::string_view pattern, size_t& i, char c) {
  bool negated = i < pattern.size() && pattern[i] == '^';
  if (negated) ++i;
  bool in = false;
  int ranges = 0;
  for (;;) {
    if (i < pattern.size() && pattern[i] == ']' && ranges > 0) {
      ++i;
      return in != negated;
    }
    char lo = TRY(classChar(pattern, i));
    char hi = lo;
    if (i < pattern.size() && pattern[i] == '-') {
      ++i;
      hi = TRY(classChar(pattern, i));
    }
    if (lo <= c && c <= hi) in = true;
    ++ranges;
  }
}

// Checks the whole pattern once, so a bad one fails whatever it is matched against.
Status validate(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '[') {
      ++i;
      TRY(matchClass(pattern, i, '\0'));
    } else if (pattern[i] == '\\') {
      if (i + 1 >= pattern.size()) return badPattern(pattern);
      i += 2;
    } else {
      ++i;
    }
  }
  return ok();
}

// Backtracking match of a validated pattern; '*' stops at '/'.
bool matchFrom(std::string_view pattern, size_t p, std::string_view name, size_t n) {
  while (p < pattern.size()) {
    char c = pattern[p];
    if (c == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      for (size_t k = n;; ++k) {
        if (matchFrom(pattern, p, name, k)) return true;
        if (k >= name.size() || name[k] == '/') return false;
      }
    }
    if (n >= name.size()) return false;
    if (c == '?') {
      if (name[n] == '/') return false;
      ++p;
    } else if (c == '[') {
      ++p;
      if (!*matchClass(pattern, p, name[n])) return false;
    } else {
      if (c == '\\') ++p;
      if (pattern[p] != name[n]) return false;
      ++p;
    }
    ++n;
  }
  return n == name.size();
}

// "busybox:latest" -> "busybox", "localhost:5000/app:1" -> "localhost:5000/app",
// "busybox@sha256:..." -> "busybox".
std::string_view familiarNameOf(std::string_view ref) {
  if (auto at = ref.find('@'); at != std::string_view::npos) ref = ref.substr(0, at);
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    ref = ref.substr(0, colon);
  return ref;
}

}  // namespace

Result<bool> pathMatch(std::string_view pattern, std::string_view name) {
  TRY(validate(pattern));
  return matchFrom(pattern, 0, name, 0);
}

Result<bool> familiarMatch(std::string_view pattern, std::string_view familiarRef) {
  if (TRY(pathMatch(pattern, familiarRef))) return true;
  return pathMatch(pattern, familiarNameOf(familiarRef));
}

Result<bool> keepMatchingReferences(ImageSummary& s, const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) TRY(validate(p));
  auto matchesNone = [&](const std::string& ref) {
    return std::none_of(patterns.begin(), patterns.end(),
                        [&](const std::string& p) { return *familiarMatch(p, ref); });
  };
  std::erase_if(s.repoTags, matchesNone);
  std::erase_if(s.repoDigests, matchesNone);
  return !s.repoTags.empty() || !s.repoDigests.empty();
}

}  // namespace berth::engine
