#pragma once
// The diff ID of a layer blob without unpacking it: the sha256 of its decompressed bytes.

#include "base/digest.h"
#include "base/error.h"

namespace berth::image {

/// Reads fd to the end through libarchive's decompressors (gzip, zstd, xz, none).
Result<Digest> computeDiffId(int fd);

}  // namespace berth::image
