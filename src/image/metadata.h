#pragma once
// Image metadata in SQLite (WAL): images, their layers (by chain ID), tags, repo digests and the
// containers that use an image. Every change is one transaction. The database is the truth;
// layer directories and blobs on disk that no record wants are garbage for the caller to remove
// (removeImage returns them; after a crash, layers() and referencedBlobs() say what to keep).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::image {

struct LayerRecord {
  Digest chainId;
  Digest diffId;
  Digest parent;              // chain ID of the layer below; empty for a base layer
  int64_t size = 0;           // bytes of the unpacked files (Docker's layer Size)
  Digest blobDigest;          // the blob as stored in the content store (may be compressed)
  std::string blobMediaType;  // its media type
  int64_t blobSize = 0;
};

struct ImageRecord {
  Digest id;                      // = the config blob's digest
  Digest manifestDigest;          // the manifest blob stored with it; empty when none was kept
  std::string manifestMediaType;  // its media type
  std::string created;            // from the config, RFC 3339
  int64_t size = 0;               // sum of the layers' sizes
  int64_t addedAt = 0;            // unix seconds when first stored
  Digest parent;                  // local parent image (commit/build); empty when none
  std::vector<Digest> chainIds;   // bottom layer first
};

struct Removal {
  std::vector<std::string> untagged;  // references removed
  std::vector<Digest> deleted;        // image IDs removed (the image itself)
  std::vector<Digest> layers;         // chain IDs no image uses any more: delete their dirs
  std::vector<Digest> blobs;          // blobs no record refers to any more: delete them
};

class ImageDb {
 public:
  virtual ~ImageDb() = default;

  /// In one transaction: inserts the layers not yet known, the image unless present, points each
  /// reference (normalised "name:tag") at it, moving it off any other image, and records the
  /// repo digests ("name@sha256:..."). InvalidArgument when the image names an unknown layer
  /// that `layers` does not bring.
  virtual Status addImage(const ImageRecord& img, const std::vector<LayerRecord>& layers,
                          const std::vector<std::string>& refs,
                          const std::vector<std::string>& repoDigests = {}) = 0;
  /// NotFound when unknown.
  virtual Result<ImageRecord> image(const Digest& id) const = 0;
  virtual Result<std::vector<ImageRecord>> images() const = 0;
  virtual Result<LayerRecord> layer(const Digest& chainId) const = 0;
  virtual Result<std::vector<LayerRecord>> layers() const = 0;
  /// How many images use the layer (as any of their chain IDs).
  virtual Result<int64_t> layerUsers(const Digest& chainId) const = 0;

  /// Points ref ("name:tag", normalised) at image id; NotFound when the image is unknown.
  virtual Status tag(const std::string& ref, const Digest& id) = 0;
  /// NotFound when the reference does not exist.
  virtual Status untag(const std::string& ref) = 0;
  /// The image a reference ("name:tag" or "name@digest") points at; NotFound otherwise.
  virtual Result<Digest> resolve(const std::string& ref) const = 0;
  /// An image ID from a hex prefix; NotFound, or InvalidArgument when ambiguous.
  virtual Result<Digest> resolveIdPrefix(std::string_view hexPrefix) const = 0;
  virtual Result<std::vector<std::string>> tagsOf(const Digest& id) const = 0;
  virtual Result<std::vector<std::string>> repoDigestsOf(const Digest& id) const = 0;
  virtual Result<std::vector<Digest>> childrenOf(const Digest& id) const = 0;

  /// A container (or other holder) using an image: removal refuses while one remains.
  virtual Status addUser(const Digest& id, const std::string& user) = 0;
  virtual Status removeUser(const Digest& id, const std::string& user) = 0;
  virtual Result<std::vector<std::string>> usersOf(const Digest& id) const = 0;

  /// Removes the image with all its references, in one transaction. Conflict when a user holds it
  /// or it has child images, unless force (a forced removal of a used image keeps the record
  /// and removes only its references, as docker rmi -f does). Returns what became garbage.
  virtual Result<Removal> removeImage(const Digest& id, bool force) = 0;
  /// Every blob digest a record refers to (configs, manifests, layer blobs).
  virtual Result<std::vector<Digest>> referencedBlobs() const = 0;
};

/// Opens (creating, migrating) the database at path in WAL mode.
Result<std::unique_ptr<ImageDb>> openImageDb(const std::string& path);

}  // namespace berth::image
