#pragma once
// A container's copy-on-write root filesystem: an overlay of its image's layer dirs plus its
// own <root>/containers/<id>/{upper,work}. Reads stay in the image layers, a changed file is
// copied up, a deleted one becomes a whiteout in upper (which layer.h's writeLayerTar turns
// into a layer diff).

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::storage {

struct SnapshotMountOptions {
  /// overlay's "volatile": no sync of the upper, ever (not even at unmount, which otherwise
  /// syncs the whole host filesystem). For snapshots used by one run and then removed
  /// (AutoRemove): after a crash their upper may have lost writes.
  bool volatileUpper = false;
};

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;
  /// Creates containers/<id>/{upper,work}; AlreadyExists when present.
  virtual Status create(const std::string& id) = 0;
  virtual std::string upperDir(const std::string& id) const = 0;
  /// Mounts the overlay of lowersBottomFirst (layer diff dirs, base first) and the container's
  /// upper at target (created if missing). An image without layers gets an empty lower. A work
  /// dir left by an earlier volatile mount is emptied first, so any snapshot can be mounted again.
  virtual Status mount(const std::string& id, const std::vector<std::string>& lowersBottomFirst,
                       const std::string& target, const SnapshotMountOptions& opts = {}) = 0;
  virtual Status unmount(const std::string& target) = 0;
  /// Removes upper and work (target must be unmounted first); absent is not an error.
  virtual Status remove(const std::string& id) = 0;
  /// Takes the container's whole directory (the snapshot and whatever else the engine keeps in
  /// it) out of containers/ at once, by a rename into trashDir (on the same filesystem), and
  /// returns its new path for the caller to delete (removeTree) when nothing waits for it. A
  /// mount of the snapshot at `mountedAt` (a directory inside it, the engine's rootfs) moves
  /// along, for the caller to unmount there; any other mount of its upper refuses
  /// (FailedPrecondition). An absent directory gives "".
  virtual Result<std::string> moveToTrash(const std::string& id, const std::string& trashDir,
                                          const std::string& mountedAt = "") = 0;
  /// The bytes of the files in the container's upper dir (docker ps -s, SizeRw).
  virtual Result<int64_t> diskUsage(const std::string& id) const = 0;
};

Result<std::unique_ptr<SnapshotStore>> openSnapshotStore(const std::string& root);

}  // namespace berth::storage
