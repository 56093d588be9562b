#pragma once
// Image references as Docker parses them (distribution/reference's ParseNormalizedNamed):
// "busybox" -> docker.io/library/busybox:latest, "localhost:5000/a/b:tag", "name@sha256:...".
// Pure string handling; no lookups.

#include <optional>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/error.h"

namespace berth::image {

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000", "registry.example.com"
  std::string path;    // "library/busybox", "a/b"
  std::string tag;     // empty when none was given (and none defaulted)
  std::optional<Digest> digest;

  /// domain/path: "docker.io/library/busybox".
  std::string name() const;
  /// The short form Docker prints: "busybox", "user/app", "localhost:5000/a/b".
  std::string familiarName() const;
  /// name[:tag][@digest], fully qualified.
  std::string str() const;
  /// familiarName[:tag][@digest]: "busybox:latest".
  std::string familiarString() const;
  /// name:tag (NotFound-free helpers for the store's keys).
  std::string nameTag() const { return name() + ":" + tag; }
  bool operator==(const Reference&) const = default;
};

/// Parses and normalises as `docker pull/tag` do, without adding a default tag. InvalidArgument
/// with Docker's wording for: uppercase in the repository ("repository name must be lowercase"),
/// bad characters, a tag that is not [\w][\w.-]{0,127}, a bad digest, an empty name, a name over
/// 255 characters.
Result<Reference> parseNormalizedNamed(std::string_view s);
/// As parseNormalizedNamed, then tag "latest" when neither a tag nor a digest was given.
Result<Reference> parseReference(std::string_view s);
/// Validates a tag alone ("1.36", "latest"): InvalidArgument otherwise.
Status validateTag(std::string_view tag);
/// True for a 64-hex string or "sha256:<64 hex>" (an image ID rather than a name).
bool isFullImageId(std::string_view s);

}  // namespace berth::image
