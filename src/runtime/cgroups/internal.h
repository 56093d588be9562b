#pragma once
// Helpers shared by the cgroup managers: file access under a cgroup directory, the recursive
// walks (pids, removal) and the per-version manager factories. Not part of the public API.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::runtime::cgroups {

// A fake tree (fsRoot set, used by tests) has no kernel that creates the control files of a new
// cgroup or lets rmdir remove a directory that still holds them: writes there create the file
// and removal unlinks plain files first. On a real cgroupfs neither is needed nor allowed.
struct CgroupFs {
  bool fake = false;

  Status write(const std::string& path, std::string_view value) const;
  // The file's content without surrounding whitespace.
  Result<std::string> read(const std::string& path) const;
  bool exists(const std::string& path) const;
  // mkdir -p; returns the directories it created, shallowest first.
  Result<std::vector<std::string>> mkdirAll(const std::string& path) const;
  // Removes dir and every cgroup below it, deepest first. Retries EBUSY (a process that is
  // still exiting); Conflict when processes remain. A missing dir is not an error.
  Status removeTree(const std::string& dir) const;
  // Every pid in cgroup.procs of dir and of every cgroup below it.
  Result<std::vector<pid_t>> procsRecursive(const std::string& dir) const;
};

// Writes into control files like CgroupFs::write, keeping the last file open for the next write
// to it: devices.allow takes one rule per write, and a container's default rules are a dozen.
class ControlFileWriter {
 public:
  explicit ControlFileWriter(const CgroupFs& fs) : fs_(fs) {}
  Status write(const std::string& path, std::string_view value);

 private:
  const CgroupFs& fs_;
  std::string path_;
  UniqueFd fd_;
};

// A cgroup directory opened for clone3(CLONE_INTO_CGROUP) (an O_PATH fd will not do).
Result<UniqueFd> openCgroupDir(const std::string& dir);

// "key value" lines (memory.stat, cpu.stat, cgroup.events) -> map; unparsable lines skipped.
std::map<std::string, uint64_t> parseFlatKeyed(std::string_view text);
// "max" -> nullopt, else the decimal value.
Result<std::optional<uint64_t>> parseMaxOrUint(std::string_view text, std::string_view what);

// OCI swap (memory+swap) -> memory.swap.max on v2 (swap only); -1 means max, nullopt unset.
// The same checks apply to v1's memory.memsw.limit_in_bytes.
Result<std::optional<int64_t>> swapOnly(std::optional<int64_t> limit, std::optional<int64_t> swap);

// Statistics read from the container's cgroup. v1: dirFor(controller) is the container's
// directory in that controller's hierarchy, "" when it is not mounted. v2: dir is the
// container's directory. Files that are absent (a controller not enabled) leave zeros.
Result<Stats> v1Stats(const std::function<std::string(std::string_view)>& dirFor);
Result<Stats> v2Stats(const std::string& dir);

// Type a/c/b, access a non-empty subset of "rwm", numbers >= 0 or wildcards (absent or -1).
Status checkDeviceRule(const oci::DeviceCgroupRule& rule);

std::unique_ptr<Manager> makeV1Manager(Layout layout, std::string path, std::string fsRoot);
std::unique_ptr<Manager> makeV2Manager(Layout layout, std::string path, std::string fsRoot);

}  // namespace berth::runtime::cgroups
