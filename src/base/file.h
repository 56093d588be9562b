#pragma once
// Whole-file reads and crash-safe writes (temp file + fsync + rename).

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

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
// write(2) until all of data is written (EINTR retried); `what` names the target in errors.
Status writeAll(int fd, std::string_view data, std::string_view what);
// mkdir -p: missing parents are made 0755, path itself with mode; an existing dir is success.
Status ensureDir(const std::string& path, mode_t mode);
// The names in the directory dirfd (no "." or ".."), sorted bytewise, read whole before the
// caller changes anything in it; `what` names the directory in errors.
Result<std::vector<std::string>> listDirAt(int dirfd, std::string_view what);

}  // namespace berth
