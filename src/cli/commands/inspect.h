#pragma once
// docker's inspect output, shared by `inspect`, `container inspect`, `image inspect` and
// `volume inspect`: the raw objects as one indented JSON array, or -f's template per object;
// objects not found reported after the output, exit status 1.

#include <string>
#include <vector>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/command.h"

namespace berth::cli {

enum class ObjectKind { Container, Image, Volume };

struct InspectRequest {
  std::vector<ObjectKind> kinds;  // tried in order for each name
  bool size = false;
  std::string format;
  // The error for a name no kind knows: "" keeps the daemon's, else "Error: No such object".
  bool genericNotFound = false;
};

Result<int> inspectObjects(Cli& cli, const InspectRequest& req, const Args& names);

}  // namespace berth::cli
