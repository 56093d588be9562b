// Cgroup layout detection from /proc/self/mountinfo.

#include <algorithm>
#include <set>

#include "base/file.h"
#include "base/strings.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {
namespace {

// Mount options of a v1 cgroup mount that are not controllers.
bool isV1Option(std::string_view opt) {
  static const std::set<std::string_view> kOptions = {
      "rw",  "ro",   "noprefix",     "clone_children", "xattr",    "cpuset_v2_mode",
      "all", "none", "favordynmods", "nofavordynmods", "relatime", "noexec"};
  return kOptions.count(opt) > 0 || opt.find('=') != std::string_view::npos;
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto oct = [](char c) { return c >= '0' && c <= '7'; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A key that is equal for two mounts of the same hierarchy: a controller belongs to one v1
// hierarchy only, a name to one named hierarchy, and there is one cgroup2 hierarchy.
std::string hierarchyKey(const Hierarchy& h) {
  if (h.unified) return "cgroup2";
  return join(h.controllers, ",") + "|" + h.name;
}

bool underSysFsCgroup(const std::string& mountpoint) {
  return mountpoint == "/sys/fs/cgroup" || startsWith(mountpoint, "/sys/fs/cgroup/");
}

}  // namespace

const Hierarchy* Layout::forController(std::string_view controller) const {
  for (const auto& h : hierarchies) {
    if (h.unified) continue;
    if (std::find(h.controllers.begin(), h.controllers.end(), controller) != h.controllers.end())
      return &h;
  }
  return nullptr;
}

const Hierarchy* Layout::unifiedHierarchy() const {
  for (const auto& h : hierarchies)
    if (h.unified) return &h;
  return nullptr;
}

Result<Layout> parseLayout(std::string_view mountinfo) {
  Layout layout;
  for (const auto& line : split(mountinfo, '\n', true)) {
    // Only cgroup mounts matter: skip the others before splitting them into fields. Spaces in
    // paths are escaped, so " - " is the separator before the type.
    if (line.find(" - cgroup") == std::string::npos) continue;
    // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
    auto fields = split(line, ' ', true);
    auto sep = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || sep == fields.end() || fields.end() - sep < 4) continue;
    const std::string& fstype = sep[1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    Hierarchy h;
    h.mountpoint = unescape(fields[4]);
    h.unified = fstype == "cgroup2";
    if (!h.unified) {
      for (const auto& opt : split(sep[3], ',', true)) {
        if (startsWith(opt, "name="))
          h.name = opt.substr(5);
        else if (!isV1Option(opt))
          h.controllers.push_back(opt);
      }
      std::sort(h.controllers.begin(), h.controllers.end());
    }
    auto dup = std::find_if(layout.hierarchies.begin(), layout.hierarchies.end(),
                            [&](const Hierarchy& o) { return hierarchyKey(o) == hierarchyKey(h); });
    if (dup == layout.hierarchies.end()) {
      layout.hierarchies.push_back(std::move(h));
    } else if (!underSysFsCgroup(dup->mountpoint) && underSysFsCgroup(h.mountpoint)) {
      // A bind mount seen first (a container's view, a test mount): keep the canonical one.
      *dup = std::move(h);
    }
  }
  if (layout.hierarchies.empty())
    return Error::make(ErrorKind::FailedPrecondition, "no cgroup filesystem is mounted");
  bool hasV1Controllers = std::any_of(layout.hierarchies.begin(), layout.hierarchies.end(),
                                      [](const Hierarchy& h) { return !h.controllers.empty(); });
  bool hasUnified = layout.unifiedHierarchy() != nullptr;
  if (hasUnified && !hasV1Controllers)
    layout.mode = Mode::V2;
  else if (hasUnified)
    layout.mode = Mode::Hybrid;
  else
    layout.mode = Mode::V1;
  return layout;
}

Result<Layout> detectLayout() {
  auto text = TRY_CTX(readFile("/proc/self/mountinfo"), "detect cgroup layout");
  return parseLayout(text);
}

}  // namespace berth::runtime::cgroups
