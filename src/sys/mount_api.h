#pragma once
// Overlay and plain mounts through the new mount API (fsopen/fsconfig/fsmount/move_mount).
// lowerdir+ (Linux 6.8+) passes each lower layer as its own parameter, so an overlay is not
// capped by the one-page limit of mount(2)'s option string (Docker's reason for 127 layers).

#include <string>
#include <vector>

#include "base/error.h"

namespace berth::sys {

struct OverlaySpec {
  std::vector<std::string>
      lowerTopFirst;                 // at least one; the topmost layer first, as overlay wants
  std::string upper;                 // empty: a read-only overlay of the lowers alone
  std::string work;                  // required with upper, on the same filesystem
  std::vector<std::string> options;  // extra flags/values: "index=off", "volatile", ...
};

/// Mounts an overlay at target. Uses fsconfig(lowerdir+) where the kernel has it; otherwise
/// mount(2) with a lowerdir= string, InvalidArgument when that would exceed a page.
Status mountOverlay(const OverlaySpec& spec, const std::string& target);
/// The classic mount(2) option string ("lowerdir=top:...:bottom,upperdir=..,workdir=..,opts"),
/// with ':', ',' and backslashes in paths escaped by a backslash; InvalidArgument when it does not
/// fit in a page (or an option holds a ',').
Result<std::string> overlayMountData(const OverlaySpec& spec);
/// mountOverlay's fallback for kernels before 6.8, callable directly (tests, diagnostics).
Status mountOverlayLegacy(const OverlaySpec& spec, const std::string& target);
/// True when this kernel's overlayfs accepts lowerdir+ (probed once).
bool overlaySupportsLowerdirPlus();
/// umount2(target, flags); EINVAL/ENOENT (not mounted) are not errors when tolerateAbsent.
Status unmount(const std::string& target, int flags = 0, bool tolerateAbsent = true);

}  // namespace berth::sys
