#pragma once
// Shared by the ImageService implementation files: the parts of a data root and the steps that
// load, import and commit all take (ensure a layer, register an image).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/image_service.h"

namespace berth::engine {

namespace detail {
// A layer unpacked while its archive streamed by, before the manifest said what it is: the
// unpacked tree and its tar-split wait in a stage dir under <dataRoot>/tmp until a layer of an
// image claims them (moved into the layer store) or the load ends (removed).
struct StagedLayer {
  std::string dir;  // holds diff/ and, when the split worked, tar-split
  Digest diffId;    // == the blob's digest (the stream is an uncompressed tar)
  int64_t size = 0;
  bool hasSplit = false;  // false: the blob itself was put in the content store
  std::optional<Error> error;
  Digest claimedBy;  // the chain ID the unpacked tree was moved to
};
}  // namespace detail

struct ImageService::Parts {
  std::unique_ptr<image::ContentStore> content;
  std::unique_ptr<image::ImageDb> db;
  std::unique_ptr<storage::LayerStore> layers;
  std::string dataRoot;
  // Set during a load: layers already unpacked from the archive stream, by blob digest.
  std::map<Digest, detail::StagedLayer>* staged = nullptr;
};

namespace detail {

// A layer blob about to become part of an image.
struct LayerInput {
  Digest blobDigest;
  int64_t blobSize = 0;
  std::string mediaType;  // empty: detected from the blob's first bytes
  Digest diffId;          // expected (from the image config); empty: computed
};

/// Makes sure the layer `parentChain` + input is unpacked and returns its record (not yet in
/// the database: the caller adds it with the image, in one transaction). When diffId is given,
/// the unpacked stream must match it.
Result<image::LayerRecord> ensureLayer(ImageService::Parts& p, const Digest& parentChain,
                                       const LayerInput& in);
/// Layers for every input, bottom first (chaining the parents).
Result<std::vector<image::LayerRecord>> ensureLayers(ImageService::Parts& p,
                                                     const std::vector<LayerInput>& inputs);
/// Streams a layer's blob: from the content store, or rebuilt from the unpacked layer and its
/// tar-split when only that was kept.
Status streamLayerBlob(ImageService::Parts& p, const image::LayerRecord& l,
                       const std::function<Status(const void*, size_t)>& sink);
/// True when the layer's blob can be produced (stored, or a tar-split is kept).
bool layerBlobAvailable(ImageService::Parts& p, const image::LayerRecord& l);
/// <layer dir>/tar-split for a chain ID.
std::string tarSplitPath(ImageService::Parts& p, const Digest& chainId);
/// Removes those of the blobs that no record refers to (what a failed or finished load brought in
/// and nothing kept). Failures only log: this is cleanup.
void dropUnreferenced(ImageService::Parts& p, const std::vector<Digest>& blobs);
/// The compression of a blob from its magic bytes.
Result<oci::Compression> sniffCompression(int fd);
/// The record for an image whose config blob is stored, with its layers.
image::ImageRecord makeRecord(const Digest& id, const oci::ImageConfig& cfg,
                              const std::vector<image::LayerRecord>& layers);
/// "busybox:latest" -> the normalised "docker.io/library/busybox:latest" (default tag added).
Result<std::string> normaliseTagged(std::string_view ref);
/// The familiar form of a stored reference ("docker.io/library/busybox:latest" ->
/// "busybox:latest").
std::string familiar(const std::string& storedRef);
/// An image's layer records, bottom first.
Result<std::vector<image::LayerRecord>> imageLayers(ImageService::Parts& p, const Digest& id);
/// The OCI manifest berth writes for an image with those layers (deterministic: the same image,
/// the same digest).
Result<oci::Manifest> manifestFor(ImageService::Parts& p, const Digest& id,
                                  const std::vector<image::LayerRecord>& layers);
/// RFC 3339 <-> unix seconds; 0 for an empty or unparsable time.
int64_t parseTime(std::string_view rfc3339);
std::string formatTime(int64_t unixSeconds, long nanos = 0);
std::string nowRfc3339();
/// The Docker architecture name of this machine (amd64, arm64...).
std::string hostArchitecture();

}  // namespace detail
}  // namespace berth::engine
