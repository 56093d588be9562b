#pragma once
// The prune calls behind `container/image/volume prune` and `system prune`: each returns the
// space reclaimed and docker's report text ("Deleted Containers:\n<id>\n..."), empty when
// nothing was removed.

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "cli/cli.h"

namespace berth::cli {

struct PruneOptions {
  bool force = false;
  bool all = false;
  std::vector<std::string> filters;
};

using PruneReport = std::pair<int64_t, std::string>;

Result<PruneReport> pruneContainers(Cli& cli, const std::vector<std::string>& filters);
Result<PruneReport> pruneImages(Cli& cli, const std::vector<std::string>& filters, bool all);
Result<PruneReport> pruneVolumes(Cli& cli, const std::vector<std::string>& filters, bool all);

}  // namespace berth::cli
