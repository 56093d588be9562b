#include "apitypes/detach_keys.h"

#include "base/strings.h"

namespace berth::apitypes {

Result<std::string> parseDetachKeys(std::string_view keys) {
  std::string out;
  auto bad = [&] { return Error::invalid("Invalid detach keys ({}) provided", std::string(keys)); };
  for (const std::string& k : split(keys, ',')) {
    if (k.size() == 1) {
      out += k;
      continue;
    }
    std::string l = toLower(k);
    if (!startsWith(l, "ctrl-") || l.size() != 6) return bad();
    char c = l[5];
    if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 1);
    } else if (c == '@') {
      out += '\0';
    } else if (c == '[') {
      out += '\x1b';
    } else if (c == '\\') {
      out += '\x1c';
    } else if (c == ']') {
      out += '\x1d';
    } else if (c == '^') {
      out += '\x1e';
    } else if (c == '_') {
      out += '\x1f';
    } else {
      return bad();
    }
  }
  if (out.empty()) return bad();
  return out;
}

bool DetachScanner::feed(std::string_view in, std::string& out) {
  if (keys_.empty()) {
    out.append(in);
    return false;
  }
  for (char c : in) {
    if (c == keys_[held_]) {
      if (++held_ == keys_.size()) {
        held_ = 0;
        return true;
      }
      continue;
    }
    // The sequence broke. Of what was held plus c, the longest tail that begins the sequence
    // again stays held ("aa" then "a" for "aab"); the rest was input after all.
    std::string seen = keys_.substr(0, held_) + c;
    size_t k = held_;
    while (k > 0 && seen.compare(seen.size() - k, k, keys_, 0, k) != 0) --k;
    out.append(seen, 0, seen.size() - k);
    held_ = k;
  }
  return false;
}

}  // namespace berth::apitypes
