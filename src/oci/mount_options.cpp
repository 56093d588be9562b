// runc's mount option table (libcontainer/specconv parseMountOptions): each option either sets
// or clears one mount(2) flag, picks a propagation, or is filesystem data passed through.

#include "oci/mount_options.h"

#include <sys/mount.h>

#include <array>
#include <string_view>

#include "base/strings.h"

namespace berth::oci {
namespace {

struct FlagOption {
  std::string_view name;
  bool clear;
  unsigned long flag;
};

constexpr std::array<FlagOption, 34> kFlagOptions = {{
    {"acl", false, MS_POSIXACL},
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noacl", true, MS_POSIXACL},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW},  // kernel 5.10+
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
}};

struct PropagationOption {
  std::string_view name;
  unsigned long flags;
};

constexpr std::array<PropagationOption, 8> kPropagation = {{
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},
    {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},
    {"runbindable", MS_UNBINDABLE | MS_REC},
}};

const FlagOption* findFlag(std::string_view name) {
  for (const auto& f : kFlagOptions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

MountOptions parseMountOptions(const std::vector<std::string>& options) {
  MountOptions out;
  std::vector<std::string> data;
  for (const auto& o : options) {
    if (const FlagOption* f = findFlag(o)) {
      if (f->clear) {
        out.flags &= ~f->flag;
        out.clearFlags |= f->flag;
      } else {
        out.flags |= f->flag;
        out.clearFlags &= ~f->flag;
      }
      if (o == "bind" || o == "rbind") {
        out.bind = true;
        out.recursive = out.recursive || o == "rbind";
      }
      continue;
    }
    if (long p = propagationFlags(o); p > 0) {
      out.propagation = static_cast<unsigned long>(p);  // the last one given wins, as in runc
      continue;
    }
    if (o == "rro") {
      out.recursiveReadonly = true;
    } else if (o == "rrw") {
      out.recursiveReadonly = false;
    } else if (o == "tmpcopyup") {
      out.tmpcopyup = true;
    } else if (!o.empty()) {
      data.push_back(o);
    }
  }
  out.data = join(data, ",");
  return out;
}

long propagationFlags(const std::string& name) {
  if (name.empty()) return 0;
  for (const auto& p : kPropagation) {
    if (p.name == name) return static_cast<long>(p.flags);
  }
  return -1;
}

}  // namespace berth::oci
