#pragma once
// Unpacked layers on disk: <root>/layers/<chain hex>/diff. A layer is filled in a temp dir and
// renamed into place whole, so a present layer dir is always complete. Which layers are wanted
// is the image metadata's business; this only creates, removes and collects.

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "base/digest.h"
#include "base/error.h"

namespace berth::storage {

class LayerStore {
 public:
  virtual ~LayerStore() = default;
  /// <root>/layers/<hex>/diff (whether or not it exists).
  virtual std::string diffDir(const Digest& chainId) const = 0;
  virtual bool has(const Digest& chainId) const = 0;
  /// Runs fill on a fresh temp diff dir, syncs it and renames it into place. When the layer
  /// already exists fill is not run. A failed fill leaves nothing behind.
  virtual Status create(const Digest& chainId,
                        const std::function<Status(const std::string& diffDir)>& fill) = 0;
  /// Removes the layer dir; absent is not an error.
  virtual Status remove(const Digest& chainId) = 0;
  /// Removes temp dirs a crash left and every layer not in keep.
  virtual Status collectGarbage(const std::set<Digest>& keep) = 0;
  /// The bytes of a layer dir's files, as docker sizes a layer (treeContentSize).
  virtual Result<int64_t> diskUsage(const Digest& chainId) const = 0;
};

Result<std::unique_ptr<LayerStore>> openLayerStore(const std::string& root);

}  // namespace berth::storage
