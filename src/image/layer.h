#pragma once
// Layers as tar streams: unpacking one into a directory (OCI whiteouts -> overlayfs whiteouts),
// safe against hostile archives, and writing a directory (a container's upper dir, or a rootfs)
// back as a deterministic layer tar (overlayfs whiteouts -> OCI ".wh." entries).

#include <cstdint>
#include <functional>
#include <string>

#include "base/digest.h"
#include "base/error.h"
#include "oci/image.h"

namespace berth::image {

struct UnpackOptions {
  // true: OCI whiteouts become overlayfs whiteouts (0/0 char devices, trusted.overlay.opaque=y).
  // false: they are applied by deleting what they name (flattening layers onto one directory).
  bool overlayWhiteouts = true;
  // Restore owners (needs root); off only for unprivileged tests.
  bool sameOwner = true;
  // Sees every byte of the uncompressed tar, in order (a TarSplitter keeps its framing).
  std::function<void(const void*, size_t)> onTarBytes;
};

struct UnpackStats {
  Digest diffId;        // sha256 of the uncompressed tar stream
  int64_t tarSize = 0;  // its length
  int64_t entries = 0;
};

/// Unpacks the tar read from fd (uncompressed, gzip or zstd, detected from the bytes) into dir,
/// an existing directory, in one streaming pass that also computes the diff ID. Preserves
/// owners, modes, xattrs, hardlinks, symlinks, device nodes and times. Refuses (InvalidArgument,
/// naming the entry) entries with "..", absolute link targets for hardlinks out of dir, paths
/// through a symlink, and writes nothing outside dir; the caller removes the partial dir.
Result<UnpackStats> unpackLayer(int fd, const std::string& dir, const UnpackOptions& opts = {});

struct TarOptions {
  oci::Compression compression = oci::Compression::None;
  // true: overlayfs whiteouts and opaque dirs in dir become ".wh." entries (a layer diff).
  // false: everything is written as it is (a rootfs export).
  bool overlayWhiteouts = true;
};

struct TarStats {
  Digest diffId;  // sha256 of the uncompressed tar
  Digest digest;  // sha256 of the bytes written (== diffId when uncompressed)
  int64_t tarSize = 0;
  int64_t size = 0;  // bytes written
};

/// Writes dir's contents to outFd as a tar (PAX), entries sorted by path, so equal trees give
/// equal bytes and digests. Does not follow symlinks; hardlinks inside dir are kept as links.
Result<TarStats> writeLayerTar(const std::string& dir, int outFd, const TarOptions& opts = {});

}  // namespace berth::image
