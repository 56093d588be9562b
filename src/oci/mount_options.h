#pragma once
// Mount option strings of config.json ("ro", "nosuid", "rbind", "rprivate", "size=64m") split
// into mount(2) flags, propagation flags and the leftover data string. Pure.

#include <string>
#include <vector>

namespace berth::oci {

struct MountOptions {
  unsigned long flags = 0;         // MS_RDONLY, MS_NOSUID, MS_BIND|MS_REC...
  unsigned long clearFlags = 0;    // flags an option explicitly clears ("rw", "suid", "atime")
  unsigned long propagation = 0;   // MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE, with MS_REC
  bool bind = false;               // "bind" or "rbind"
  bool recursive = false;          // "rbind"
  bool recursiveReadonly = false;  // "rro": mount_setattr(AT_RECURSIVE, MOUNT_ATTR_RDONLY)
  bool tmpcopyup = false;          // accepted and ignored (crun/runc extension)
  std::string data;                // "size=64m,mode=755" — options that are not flags
};

MountOptions parseMountOptions(const std::vector<std::string>& options);
// Propagation flags for a rootfsPropagation value ("" -> 0); -1 when unknown.
long propagationFlags(const std::string& name);

}  // namespace berth::oci
