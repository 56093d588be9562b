#pragma once
// Filesystem helpers shared by the layer unpacker and writer: directories opened beneath a layer
// root without following symlinks, recursive removal relative to a dirfd, sorted directory
// listings and xattr reads. Nothing here follows a symlink in the final component.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/file.h"  // listDirAt
#include "base/unique_fd.h"

namespace berth::image {

// Directories under a layer root, opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS) so that no symlink planted by an earlier entry is ever followed. The
// last directory asked for is kept open: a tar lists a directory's files one after another.
class BeneathDirs {
 public:
  explicit BeneathDirs(int rootfd) : rootfd_(rootfd) {}

  /// The directory at `path` (cleaned, "" is the root), borrowed until the next call or
  /// forget(). create: missing directories are made (0755, as Docker does). InvalidArgument
  /// naming `entry` for a path through a symlink or a non-directory.
  Result<int> get(std::string_view path, std::string_view entry, bool create);
  /// As get() but owned and never cached (a hardlink target's directory); does not create.
  Result<UniqueFd> open(std::string_view path, std::string_view entry);
  /// Keeps a directory just made at `path` as the cached one.
  void remember(std::string_view path, UniqueFd fd);
  /// Drops the cached directory when it is `path` or lies under it (about to be removed).
  void forgetUnder(std::string_view path);
  /// openat2 of the directory at `path` beneath the root: an fd or -errno; never cached.
  int tryOpen(const std::string& path) const;

 private:
  Result<UniqueFd> openPath(std::string_view path, std::string_view entry, bool create);

  int rootfd_;
  std::string cachedPath_;
  UniqueFd cached_;
};

/// Removes name (recursively when it is a directory) from dirfd; a missing name is success.
Status removeAllAt(int dirfd, const std::string& name);
/// "/proc/self/fd/<dirfd>/<name>": a path for the l*xattr calls that have no *at() form; the
/// directory is reached through its fd, only the final component is looked up.
std::string fdRelativePath(int dirfd, std::string_view name);
/// The xattrs of a file, names sorted: through fd when >= 0, otherwise through path (l* calls,
/// not following a symlink). Filesystems without xattr support give an empty list.
Result<std::vector<std::pair<std::string, std::string>>> readXattrs(int fd,
                                                                    const std::string& path);

}  // namespace berth::image
