#include "image/layer_path.h"

#include <algorithm>

namespace berth::image {

Result<std::string> cleanEntryPath(std::string_view name, std::string_view what) {
  if (!name.empty() && name.front() == '/') {
    return Error::invalid("refusing layer entry \"{}\": absolute path", what);
  }
  std::string out;
  out.reserve(name.size());
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view comp = name.substr(i, j - i);
    if (comp == "..") {
      return Error::invalid("refusing layer entry \"{}\": path contains \"..\"", what);
    }
    if (!comp.empty() && comp != ".") {
      if (!out.empty()) out.push_back('/');
      out.append(comp);
    }
    i = j + 1;
  }
  return out;
}

bool symlinkStaysInside(std::string_view entryPath, std::string_view target) {
  // Depth of the directory the kernel would start resolving from, counted in components.
  long depth = 0;
  if (!target.empty() && target.front() != '/') {
    std::string_view dir = splitParent(entryPath).first;
    if (!dir.empty()) depth = 1 + static_cast<long>(std::count(dir.begin(), dir.end(), '/'));
  }
  bool absolute = !target.empty() && target.front() == '/';
  size_t i = 0;
  while (i <= target.size()) {
    size_t j = target.find('/', i);
    if (j == std::string_view::npos) j = target.size();
    std::string_view comp = target.substr(i, j - i);
    if (comp == "..") {
      if (depth == 0) {
        if (!absolute) return false;
      } else {
        --depth;
      }
    } else if (!comp.empty() && comp != ".") {
      ++depth;
    }
    i = j + 1;
  }
  return true;
}

}  // namespace berth::image
