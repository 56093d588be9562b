#pragma once
// /proc/self/mountinfo as records: enough to ask "is anything mounted under this dir" and
// "which overlay uses this upper dir" without a library.

#include <string>
#include <vector>

#include "base/error.h"

namespace berth::storage {

struct MountEntry {
  std::string mountPoint;  // octal escapes (\040) decoded
  std::string fsType;
  std::string source;
  std::string superOptions;  // "rw,lowerdir=...,upperdir=..." as the filesystem shows them
};

/// Parses a mountinfo file (default: this process's mount namespace).
Result<std::vector<MountEntry>> readMountInfo(const std::string& path = "/proc/self/mountinfo");
/// Parses mountinfo text; lines that do not fit the format are skipped.
std::vector<MountEntry> parseMountInfo(std::string_view text);
/// The mount points equal to dir or below it, deepest first (the order to unmount them in).
std::vector<std::string> mountsUnder(const std::vector<MountEntry>& mounts, const std::string& dir);

}  // namespace berth::storage
