#pragma once
// The `reference` filter of GET /images/json as Docker applies it (distribution/reference's
// FamiliarMatch and moby's image list): a pattern is Go's path.Match glob, tried against the
// familiar reference ("busybox:latest", "localhost:5000/app:1.0", "busybox@sha256:...") and
// then against its familiar name ("busybox"); an image keeps only the tags and digests that
// match and is left out when none does. Pure string handling.

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "engine/image_service.h"

namespace berth::engine {

/// Go's path.Match on ASCII text: '*' is any run of characters but '/', '?' one character but
/// '/', "[a-z]" / "[^a-z]" a class, '\' escapes. InvalidArgument "syntax error in pattern" for a
/// malformed pattern, whatever the name.
Result<bool> pathMatch(std::string_view pattern, std::string_view name);

/// FamiliarMatch: pattern against the familiar reference, then against its name alone.
Result<bool> familiarMatch(std::string_view pattern, std::string_view familiarRef);

/// Narrows s.repoTags and s.repoDigests to the references that match one of the patterns.
/// False when nothing is left: the image is not listed. InvalidArgument for a bad pattern.
Result<bool> keepMatchingReferences(ImageSummary& s, const std::vector<std::string>& patterns);

}  // namespace berth::engine
