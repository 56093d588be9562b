#include "storage/mountinfo.h"

#include <algorithm>

#include "base/file.h"
#include "base/strings.h"

namespace berth::storage {
namespace {

// The kernel writes space, tab, newline and backslash in these fields as \ooo.
std::string unescapeOctal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + i + 1, s.begin() + i + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<MountEntry> parseMountInfo(std::string_view text) {
  std::vector<MountEntry> out;
  for (const auto& line : split(text, '\n', true)) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    auto fields = split(line, ' ', true);
    auto sep = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 7 || sep == fields.end() || sep - fields.begin() < 6 ||
        fields.end() - sep < 3) {
      continue;
    }
    MountEntry e;
    e.mountPoint = unescapeOctal(fields[4]);
    e.fsType = sep[1];
    e.source = unescapeOctal(sep[2]);
    if (fields.end() - sep > 3) e.superOptions = unescapeOctal(sep[3]);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<MountEntry>> readMountInfo(const std::string& path) {
  std::string text = TRY(readFile(path));
  return parseMountInfo(text);
}

std::vector<std::string> mountsUnder(const std::vector<MountEntry>& mounts,
                                     const std::string& dir) {
  std::string prefix = dir;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  std::vector<std::string> out;
  for (const auto& m : mounts) {
    if (m.mountPoint == prefix || startsWith(m.mountPoint, prefix + "/"))
      out.push_back(m.mountPoint);
  }
  // Later lines are mounted later, so reversing the file's order unmounts children first.
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace berth::storage
