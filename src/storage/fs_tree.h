#pragma once
// Directory-tree helpers for the storage dirs: removal and disk usage that never follow
// symlinks, never cross into another mount, and hold one directory fd at a time however deep
// the tree (a hostile layer can nest far deeper than RLIMIT_NOFILE or PATH_MAX allow).

#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "base/error.h"
#include "base/file.h"  // ensureDir, listDirAt

namespace berth::storage {

/// Removes name (a file or a whole directory tree) inside dirFd; absent is not an error.
/// FailedPrecondition when a mount point sits inside the tree (nothing below it is touched).
Status removeTreeAt(int dirFd, const std::string& name);
Status removeTree(const std::string& path);

/// The size docker gives a tree (directory.Size): the bytes of the files and symlinks at and
/// below path (lstat sizes; directories count nothing), each hardlinked inode once, this mount
/// only. NotFound when path is absent.
Result<int64_t> treeContentSize(const std::string& path);

/// fsync on a directory, making the renames and creations inside it durable.
Status syncDir(const std::string& path);
/// A random lowercase hex string of 2*bytes characters (temp names).
std::string randomHex(size_t bytes);

}  // namespace berth::storage
