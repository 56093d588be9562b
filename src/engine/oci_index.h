#pragma once
// OCI index handling shared by docker load/save and OCI layout directories: choosing what to
// export, index entries for references, and loading the images an index names.

#include <functional>
#include <string>
#include <vector>

#include "engine/image_internal.h"

namespace berth::engine::detail {

struct ExportImage {
  Digest id;
  std::vector<std::string> refs;  // normalised "name:tag"
};
/// docker save's selection: a name:tag saves that tag, a bare repository every tag of it, an ID
/// the image without names.
Result<std::vector<ExportImage>> selectForExport(const ImageService& s,
                                                 const std::vector<std::string>& names);
/// The index entries of one manifest: one per reference (annotated with io.containerd.image.name
/// and org.opencontainers.image.ref.name = the tag), or one bare entry for an untagged image.
std::vector<oci::Descriptor> indexDescriptors(const Digest& manifest, int64_t size,
                                              const std::vector<std::string>& refs);

/// Makes the blob with this digest present in the content store (copying and verifying it from
/// wherever it comes from); returns its digest.
using BlobFetcher = std::function<Result<Digest>(const Digest&)>;
/// Loads what an index names: refName selects entries by ref.name (or the full image name);
/// tag names the result (one image only). Returns the loaded names or IDs.
Result<std::vector<std::string>> loadFromIndex(ImageService& s, const std::string& indexJson,
                                               const BlobFetcher& fetch, const std::string& refName,
                                               const std::string& tag, const ProgressFn& say);
/// Records a loaded image with its layers and names, saying what docker load says, and appends
/// its name (or ID) to loaded.
Status registerLoaded(ImageService::Parts& p, const Digest& cfgDigest, const oci::ImageConfig& cfg,
                      const std::vector<image::LayerRecord>& layers,
                      const std::vector<std::string>& refs, const oci::Descriptor& manifest,
                      const ProgressFn& say, std::vector<std::string>& loaded);

}  // namespace berth::engine::detail
