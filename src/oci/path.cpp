#include <vector>

#include "oci/spec.h"

namespace berth::oci {

Result<std::string> cleanPath(std::string_view path) {
  const bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    std::string_view part = path.substr(i, next - i);
    i = next + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return Error::invalid("path \"{}\" escapes the root", path);
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return std::string(absolute ? "/" : ".");
  std::string out;
  for (const auto& part : parts) {
    if (absolute || !out.empty()) out += '/';
    out += part;
  }
  return out;
}

}  // namespace berth::oci
