#pragma once
// Docker's seccomp profiles for one container: Docker's format (OCI's plus archMap, name,
// comment and the conditional includes/excludes) turned into the OCI linux.seccomp that the
// runtime compiles, as moby's profiles/seccomp setupSeccomp does; and the builtin default profile.
// Loading a profile from a file and choosing among default/unconfined/given is buildSpec's.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace berth::engine {

/// What a profile's conditional rules are checked against.
struct SeccompTarget {
  std::vector<std::string> caps;   // the container's bounding set: "CAP_SYS_ADMIN"...
  std::string arch;                // libseccomp's name of the native arch: "amd64", "arm64"...
  unsigned kernel = 0, major = 0;  // the host kernel's "<kernel>.<major>" (6.8 for 6.8.0-31)
};

/// The host's architecture (the one berthd is built for, as moby uses GOARCH) and kernel
/// release, with the given capabilities.
SeccompTarget hostSeccompTarget(std::vector<std::string> caps);

/// Docker's default profile (moby profiles/seccomp/default.json) in Docker's format.
std::string_view defaultSeccompProfile();

/// A Docker-format profile -> OCI linux.seccomp for `t`. nullopt when the profile has neither a
/// defaultAction nor syscalls (seccomp off, as Docker reads it). InvalidArgument for text that
/// is not a JSON object, for both "architectures" and "archMap", both "name" and "names", a
/// minKernel not of the form "<kernel>.<major>", or fields of the wrong type.
Result<std::optional<Json>> seccompFromProfile(std::string_view text, const SeccompTarget& t);
/// The same for a profile already parsed, such as defaultSeccompProfileJson().
Result<std::optional<Json>> seccompFromParsedProfile(const Json& profile, const SeccompTarget& t);
/// defaultSeccompProfile(), parsed once: every container start without a profile of its own
/// converts it.
const Json& defaultSeccompProfileJson();

}  // namespace berth::engine
