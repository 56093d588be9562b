#include "storage/snapshot.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/strings.h"
#include "storage/fs_tree.h"
#include "storage/mountinfo.h"
#include "sys/mount_api.h"

namespace berth::storage {
namespace {

Status validateId(const std::string& id) {
  if (id.empty() || id == "." || id == ".." || id.find('/') != std::string::npos ||
      id.find('\0') != std::string::npos) {
    return Error::invalid("invalid container ID '{}'", id);
  }
  return ok();
}

// index=off: with layers shared between many overlays the inode index would tie each upper to
// one set of lowers (EBUSY / stale-index errors on remount with other layers); copy-up of
// hardlinks works without it, the links are merely broken on copy-up. redirect_dir and
// metacopy are spelled out so a host's module defaults cannot change what lands in upper
// (writeLayerTar knows neither redirects nor metacopy files).
const std::vector<std::string> kOverlayOptions = {"index=off", "redirect_dir=off", "metacopy=off"};

class DiskSnapshotStore : public SnapshotStore {
 public:
  explicit DiskSnapshotStore(std::string containers) : containers_(std::move(containers)) {}

  Status create(const std::string& id) override {
    TRY(validateId(id));
    std::string dir = dirOf(id);
    TRY_CTX(ensureDir(dir, 0700), "create snapshot {}", id);
    // upper is the claim: the engine may have made <id>/ already for its own files.
    std::string upper = upperDir(id);
    if (::mkdir(upper.c_str(), 0755) < 0) {
      if (errno == EEXIST) {
        return Error(ErrorKind::AlreadyExists, fmt::format("snapshot {} already exists", id));
      }
      return Error::sys(errno, "mkdir {}", upper).context("create snapshot " + id);
    }
    // A work dir without its upper is left over from a crash in remove.
    std::string work = dir + "/work";
    auto st = removeTree(work);
    if (st) st = ensureDir(work, 0700);
    if (!st) {
      Error e = std::move(st).error().context("create snapshot " + id);
      if (::rmdir(upper.c_str()) < 0) e.addCleanupError(Error::sys(errno, "rmdir {}", upper));
      return e;
    }
    return ok();
  }

  std::string upperDir(const std::string& id) const override { return dirOf(id) + "/upper"; }

  Status mount(const std::string& id, const std::vector<std::string>& lowersBottomFirst,
               const std::string& target, const SnapshotMountOptions& opts) override {
    TRY(validateId(id));
    std::string dir = dirOf(id);
    struct stat st;
    if (::stat(upperDir(id).c_str(), &st) < 0) {
      if (errno == ENOENT) return Error::notFound("no snapshot {}", id);
      return Error::sys(errno, "stat {}", upperDir(id)).context("mount snapshot " + id);
    }
    // With index=off overlay only warns when a second mount shares an upper; both would then
    // write the same files behind each other's caches.
    TRY_CTX(refuseIfMounted(upperDir(id)), "mount snapshot {}", id);
    std::string work = dir + "/work";
    // A volatile mount leaves work/work/incompat/volatile behind, and overlay refuses any later
    // mount while it exists ("overlay with incompat feature 'volatile' cannot be mounted"). The
    // work dir holds nothing needed while unmounted; start it afresh.
    if (::access((work + "/work/incompat").c_str(), F_OK) == 0) {
      auto st = removeTree(work);
      if (st) st = ensureDir(work, 0700);
      TRY_CTX(std::move(st), "mount snapshot {}", id);
    }
    sys::OverlaySpec spec;
    spec.lowerTopFirst.assign(lowersBottomFirst.rbegin(), lowersBottomFirst.rend());
    if (spec.lowerTopFirst.empty()) {
      // overlay needs at least one lower; an image without layers (FROM scratch) gets an
      // empty one.
      std::string empty = dir + "/empty";
      TRY_CTX(ensureDir(empty, 0755), "mount snapshot {}", id);
      spec.lowerTopFirst.push_back(empty);
    }
    spec.upper = upperDir(id);
    spec.work = work;
    spec.options = kOverlayOptions;
    if (opts.volatileUpper) spec.options.push_back("volatile");
    TRY_CTX(ensureDir(target, 0755), "mount snapshot {}", id);
    TRY_CTX(sys::mountOverlay(spec, target), "mount snapshot {} on {}", id, target);
    return ok();
  }

  Status unmount(const std::string& target) override {
    // Detached, as Docker does: a process still inside (a late exec, a shell's cwd) must not
    // keep the container from being stopped; the overlay goes once the last user leaves.
    TRY(sys::unmount(target, MNT_DETACH, true));
    return ok();
  }

  Status remove(const std::string& id) override {
    TRY(validateId(id));
    std::string dir = dirOf(id);
    std::string upper = upperDir(id);
    TRY_CTX(refuseIfMounted(upper), "remove snapshot {}", id);
    // work first and upper last: upper is what create and mount look for, so a crash in the
    // middle leaves a snapshot that remove can finish, never a dangling half of one.
    TRY_CTX(removeTree(dir + "/work"), "remove snapshot {}", id);
    TRY_CTX(removeTree(dir + "/empty"), "remove snapshot {}", id);
    TRY_CTX(removeTree(upper), "remove snapshot {}", id);
    // The dir also holds the engine's files (config.json, logs); it goes only when they have.
    if (::rmdir(dir.c_str()) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST) {
      return Error::sys(errno, "rmdir {}", dir).context("remove snapshot " + id);
    }
    return ok();
  }

  Result<std::string> moveToTrash(const std::string& id, const std::string& trashDir,
                                  const std::string& mountedAt) override {
    TRY(validateId(id));
    TRY_CTX(refuseIfMounted(upperDir(id), mountedAt), "remove snapshot {}", id);
    std::string to = trashDir + "/" + id;
    if (::rename(dirOf(id).c_str(), to.c_str()) == 0) return to;
    if (errno == ENOENT && ::access(dirOf(id).c_str(), F_OK) != 0) return std::string();
    // A directory of an earlier removal of this id (a crash before its deletion): delete it
    // now and try once more.
    if (errno == ENOTEMPTY || errno == EEXIST) {
      TRY_CTX(removeTree(to), "remove snapshot {}", id);
      if (::rename(dirOf(id).c_str(), to.c_str()) == 0) return to;
    }
    return Error::sys(errno, "rename {} to {}", dirOf(id), to).context("remove snapshot " + id);
  }

  Result<int64_t> diskUsage(const std::string& id) const override {
    TRY(validateId(id));
    return TRY_CTX(treeContentSize(upperDir(id)), "snapshot {} disk usage", id);
  }

 private:
  std::string dirOf(const std::string& id) const { return containers_ + "/" + id; }

  // Deleting a live container's upper would pull files from under its processes.
  // except: a mount point whose overlay may stay (it moves along with the directory).
  static Status refuseIfMounted(const std::string& upper, const std::string& except = "") {
    auto mounts = readMountInfo();
    if (!mounts) return ok();  // no /proc: nothing to check against
    for (const auto& m : *mounts) {
      if (m.fsType != "overlay" || (!except.empty() && m.mountPoint == except)) continue;
      for (const auto& opt : split(m.superOptions, ',')) {
        if (opt == "upperdir=" + upper) {
          return Error(ErrorKind::FailedPrecondition,
                       fmt::format("{} is in use by the overlay at {}", upper, m.mountPoint));
        }
      }
    }
    return ok();
  }

  std::string containers_;
};

}  // namespace

Result<std::unique_ptr<SnapshotStore>> openSnapshotStore(const std::string& root) {
  TRY_CTX(ensureDir(root, 0711), "open snapshot store");
  std::string containers = root + "/containers";
  TRY_CTX(ensureDir(containers, 0710), "open snapshot store");
  return std::unique_ptr<SnapshotStore>(std::make_unique<DiskSnapshotStore>(containers));
}

}  // namespace berth::storage
