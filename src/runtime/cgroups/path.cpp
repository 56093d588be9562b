// The container's cgroup path from the spec's cgroupsPath and the container id.

#include "base/strings.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {

Result<std::string> containerPath(std::string_view cgroupsPath, std::string_view id) {
  std::string raw;
  if (cgroupsPath.empty()) {
    if (id.empty() || id == "." || id == ".." || id.find('/') != std::string_view::npos)
      return Error::invalid("cgroup path for container id \"{}\": invalid id", id);
    raw = "/berth/" + std::string(id);
  } else if (cgroupsPath.front() == '/') {
    raw = std::string(cgroupsPath);
  } else if (cgroupsPath.find(':') != std::string_view::npos) {
    // runc reads "slice:prefix:name" as a systemd unit; we only drive cgroupfs directly.
    return Error::invalid("cgroupsPath \"{}\": systemd cgroup paths are not supported",
                          cgroupsPath);
  } else {
    raw = "/berth/" + std::string(cgroupsPath);
  }
  std::string out;
  for (const auto& part : split(raw, '/', true)) {
    if (part == ".") continue;
    if (part == "..")
      return Error::invalid("cgroupsPath \"{}\": \"..\" is not allowed", cgroupsPath);
    out += "/" + part;
  }
  // The hierarchy root is shared by the whole host: destroy would try to remove it.
  if (out.empty()) return Error::invalid("cgroupsPath \"{}\": names the root cgroup", cgroupsPath);
  return out;
}

}  // namespace berth::runtime::cgroups
