#pragma once
// Whole-file reads and crash-safe writes (temp file + fsync + rename).

#include <sys/types.h>

#include <string>

#include "base/error.h"

namespace berth {

Result<std::string> readFile(const std::string& path);
enum class Durability { Synced, Volatile };
// Writes path atomically: a reader sees the old content or the new, never a mix. Synced also
// survives power loss (fsync before rename); Volatile is for state under /run that a reboot
// discards anyway, where an fsync would only cost time (60 ms on some virtual disks).
Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644,
                       Durability durability = Durability::Synced);
// Writes data to an existing file (cgroup, proc knobs): one write(2), no truncation games.
Status writeFile(const std::string& path, std::string_view data);

}  // namespace berth
