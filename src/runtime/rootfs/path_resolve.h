#pragma once
// Resolution of a container path (a mount destination) against the rootfs on the host, the way
// the kernel's openat2(RESOLVE_BENEATH) will later enforce it in the container's init: relative
// symlinks are followed inside the rootfs; ".." that climbs above the root and absolute symlinks
// are refused, since followed on the host they would lead out of the rootfs.

#include <string>

#include "base/error.h"

namespace berth::runtime {

// Returns the host path `rootfs`/<resolved>. Components that do not exist yet are kept as
// written (they will be created). InvalidArgument names the offending component.
Result<std::string> resolveInRootfs(const std::string& rootfs, const std::string& path);

// Lexically cleans an absolute path: collapses "//", "." and "..". InvalidArgument when ".."
// would climb above "/".
Result<std::string> cleanContainerPath(const std::string& path);

}  // namespace berth::runtime
