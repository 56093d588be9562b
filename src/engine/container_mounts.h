#pragma once
// Docker's Mounts entries for a new container, and the OCI mounts for them.

#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "oci/spec.h"

namespace berth::engine {

/// Binds (-v), HostConfig.Mounts and the config's Volumes as Docker's "Mounts" list; the
/// volumes they need (under <dataRoot>/volumes) are listed in anonymous (new random names) and
/// named, for the caller to create.
Result<Json> prepareMounts(const std::string& dataRoot, const Json& cfg, const Json& hc,
                           std::vector<std::string>& anonymous, std::vector<std::string>& named);
/// The OCI mounts for a Mounts list plus HostConfig.Tmpfs.
std::vector<oci::Mount> ociMounts(const Json& dockerMounts, const Json& hc);
/// The destinations of the volume mounts docker fills from the image on first use: all but
/// those asked not to be (-v name:/dst:nocopy, --mount ...,volume-nocopy).
Json volumesToFill(const Json& dockerMounts, const Json& hc);

}  // namespace berth::engine
