#pragma once
// Dockerfile instructions applied to an image's config, as `docker import -c` and
// `docker commit -c` take them: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER,
// VOLUME, WORKDIR. The builder (a later issue) has the full Dockerfile grammar; this covers the
// one-line forms those commands accept.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/image.h"

namespace berth::image {

/// Applies one instruction ("ENV A=1 B=2", "CMD [\"sh\"]", "EXPOSE 80/udp"...). InvalidArgument
/// naming the instruction for an unknown or unsupported one, or malformed arguments.
Status applyConfigChange(oci::ContainerConfig& cfg, std::string_view instruction);
Status applyConfigChanges(oci::ContainerConfig& cfg, const std::vector<std::string>& instructions);
/// Splits "k=v k2=\"v 2\"" into words honouring double/single quotes and backslashes.
Result<std::vector<std::string>> splitWords(std::string_view s);

}  // namespace berth::image
