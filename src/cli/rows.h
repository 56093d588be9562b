#pragma once
// docker's formatter contexts as JSON rows for FormatSpec: one object per container (ps) or
// per repository:tag of an image (images), with the fields docker's templates know
// (.ID .Image .Command .CreatedAt .RunningFor .Ports .State .Status .Size .Names .Labels
// .Label .Mounts .Networks ...; .Repository .Tag .Digest .ID .CreatedSince .Size ...).

#include <string>
#include <vector>

#include "base/json.h"

namespace berth::cli {

/// The header text of each ps field (docker's FullHeader), for table output.
Json containerHeaders();
/// One ps row from a /containers/json entry; trunc shortens IDs, command and mounts.
Json containerRow(const Json& container, bool trunc);
/// docker's port column without its range folding: "0.0.0.0:8080->80/tcp, 443/tcp".
std::string displayPorts(const Json& ports);

Json imageHeaders();
/// The rows of one /images/json entry: one per repository and tag (per digest too with
/// withDigests), <none> <none> for a dangling image.
void addImageRows(std::vector<Json>& rows, const Json& image, bool withDigests, bool trunc);

}  // namespace berth::cli
