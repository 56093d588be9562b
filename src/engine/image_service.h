#pragma once
// ImageService: the images of one data root. It ties the content store (blobs), the image
// metadata (SQLite), the unpacked layers and the archive formats together into Docker's image
// operations: load/save (docker-save archives), OCI layout read/write, import, tag, remove,
// prune, inspect, history, disk usage and the layer list a container's rootfs is mounted from.
// Order of every write: blobs, then layer dirs, then one metadata transaction, so a crash leaves
// at most unreferenced files that collectGarbage() removes, never a record without its data.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"
#include "image/content_store.h"
#include "image/metadata.h"
#include "oci/image.h"
#include "storage/layer_store.h"

namespace berth::engine {

struct ImageSummary {
  Digest id;
  std::vector<std::string> repoTags;     // familiar "busybox:latest"
  std::vector<std::string> repoDigests;  // familiar "busybox@sha256:..."
  Digest parent;
  int64_t created = 0;  // unix seconds
  int64_t size = 0;
  int64_t sharedSize = -1;  // filled by diskUsage
  int64_t containers = -1;  // filled by diskUsage
  std::map<std::string, std::string> labels;
};

struct HistoryItem {
  std::string id;  // the image ID for images in the store, "<missing>" for intermediate layers
  int64_t created = 0;
  std::string createdBy;
  std::vector<std::string> tags;
  int64_t size = 0;
  std::string comment;
};

struct RemoveItem {
  std::string untagged;  // familiar reference
  std::string deleted;   // "sha256:..." (image ID or layer chain ID)
};

struct PruneReport {
  std::vector<RemoveItem> items;
  int64_t spaceReclaimed = 0;
};

struct DiskUsage {
  int64_t layersSize = 0;   // bytes of all layers (each shared layer once)
  int64_t reclaimable = 0;  // bytes of the layers no image in use by a container needs
  std::vector<ImageSummary> images;
};

struct ImportOptions {
  std::vector<std::string> changes;  // Dockerfile instructions: "ENV A=b", "CMD [\"sh\"]"...
  std::string message;               // history comment
  std::string reference;             // optional name[:tag] to tag the result
  std::string source = "-";          // shown in the history ("Imported from -")
  std::string created;  // RFC 3339; empty: now (bootstrap pins it for reproducible IDs)
};

struct CommitOptions {
  std::string reference;
  std::string author;
  std::string message;
  std::vector<std::string> changes;
  std::optional<oci::ContainerConfig> config;  // the container's own config, before changes
  std::string containerId;
};

// A progress line as `docker load` prints it ("Loaded image: busybox:latest").
using ProgressFn = std::function<void(const std::string& line)>;

class ImageService {
 public:
  /// Opens (creating) <dataRoot>/{berth.db, blobs/, layers/}.
  static Result<std::unique_ptr<ImageService>> open(const std::string& dataRoot);

  /// name[:tag], name@digest, a full ID ("sha256:<hex>" or <hex>) or an ID prefix -> image ID.
  /// NotFound as docker says it: "No such image: busybox:latest".
  Result<Digest> resolve(std::string_view nameOrId) const;
  Result<image::ImageRecord> record(const Digest& id) const;
  Result<oci::ImageConfig> config(const Digest& id) const;
  Result<std::string> configBytes(const Digest& id) const;

  /// docker images: tagged images (and untagged ones when all or when dangling).
  Result<std::vector<ImageSummary>> list(bool all) const;
  /// docker image inspect: Docker's ImageInspect JSON.
  Result<Json> inspect(std::string_view nameOrId) const;
  Result<std::vector<HistoryItem>> history(std::string_view nameOrId) const;

  /// docker tag SOURCE TARGET (target defaulting to :latest).
  Status tag(std::string_view source, std::string_view target);
  /// docker rmi: a name with other names on the image only untags; an ID (or the last name)
  /// deletes the image. Conflicts as docker's: a child image or a container in `running` (IDs)
  /// even when forced; names in several repositories or a stopped container unless force.
  Result<std::vector<RemoveItem>> remove(std::string_view nameOrId, bool force,
                                         const std::set<std::string>& running = {});
  /// docker image prune: dangling images (all unused ones with all) that `match` accepts (all
  /// when empty); then unreferenced data.
  Result<PruneReport> prune(bool all, const std::function<bool(const Digest&)>& match = {});
  Result<DiskUsage> diskUsage() const;
  /// Removes blobs and layer dirs that no record refers to (after a crash, or after removal) and
  /// the temp dirs of interrupted loads. Only while no other operation on this data root runs.
  Status collectGarbage();

  /// docker load: reads a docker-save archive (old or OCI-layout flavour, optionally compressed)
  /// from fd. Returns the loaded references (or IDs of untagged images).
  Result<std::vector<std::string>> load(int fd, const ProgressFn& progress = {});
  /// docker save: writes the images (names or IDs) as one archive to fd, in the layout Docker 25+
  /// writes (OCI layout plus manifest.json and repositories) that older Docker also reads.
  Status save(const std::vector<std::string>& namesOrIds, int fd);
  /// Writes the images into an OCI image layout directory (created or extended); each reference
  /// becomes an index entry with org.opencontainers.image.ref.name = its tag.
  Status saveOciLayout(const std::vector<std::string>& namesOrIds, const std::string& dir);
  /// Reads an OCI image layout directory: every manifest in index.json (or only refName), linux/
  /// amd64 from nested indexes. Each image is tagged `tag` when given (one image only), otherwise
  /// with its ref.name annotation when that is a full reference.
  Result<std::vector<std::string>> loadOciLayout(const std::string& dir,
                                                 const std::string& refName = "",
                                                 const std::string& tag = "");
  /// docker import: one layer from a rootfs tar (any compression) read from fd.
  Result<Digest> import(int fd, const ImportOptions& opts);
  /// docker commit: a new image from `parent` plus the layer tar of a container's upper dir.
  Result<Digest> commit(const std::string& upperDir, const Digest& parent,
                        const CommitOptions& opts);

  /// The image's layer diff dirs, bottom first, for a container's overlay.
  Result<std::vector<std::string>> layerDirs(const Digest& id) const;
  Status addUser(const Digest& id, const std::string& containerId);
  Status removeUser(const Digest& id, const std::string& containerId);

  const std::string& dataRoot() const { return dataRoot_; }

  struct Parts;  // for the implementation files
  ImageService(std::string dataRoot, std::unique_ptr<Parts> parts);
  ~ImageService();
  Parts& parts() const { return *parts_; }

 private:
  std::string dataRoot_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace berth::engine
