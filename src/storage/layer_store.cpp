#include "storage/layer_store.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "storage/fs_tree.h"

namespace berth::storage {
namespace {

constexpr const char* kTmpPrefix = ".tmp-";
constexpr const char* kDelPrefix = ".tmp-del-";

// Temp dirs (being filled, or being deleted) are flock()ed by their owner for as long as they
// work on them: collectGarbage removes only the ones it can lock, which are exactly the ones a
// crash left behind (the kernel drops a dead process's locks).
Result<UniqueFd> lockDir(int dirFd, const std::string& name, bool wait, bool* busy = nullptr) {
  UniqueFd fd(::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", name);
  if (::flock(fd.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
    if (errno == EWOULDBLOCK && busy != nullptr) {
      *busy = true;
      return UniqueFd();
    }
    return Error::sys(errno, "flock {}", name);
  }
  return fd;
}

class DiskLayerStore : public LayerStore {
 public:
  DiskLayerStore(std::string layers, UniqueFd layersFd)
      : layers_(std::move(layers)), layersFd_(std::move(layersFd)) {}

  std::string diffDir(const Digest& chainId) const override {
    return layers_ + "/" + chainId.hex() + "/diff";
  }

  bool has(const Digest& chainId) const override {
    if (chainId.empty()) return false;
    struct stat st;
    return ::stat(diffDir(chainId).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  Status create(const Digest& chainId,
                const std::function<Status(const std::string& diffDir)>& fill) override {
    if (chainId.empty()) return Error::invalid("create layer: empty chain ID");
    if (has(chainId)) return ok();
    const std::string& hex = chainId.hex();
    auto [tmpName, lock] = TRY_CTX(makeTempDir(hex), "create layer {}", hex);
    std::string tmp = layers_ + "/" + tmpName;
    std::string diff = tmp + "/diff";

    auto st = fillAndSync(diff, fill);
    if (!st) return discard(tmpName, std::move(st).error().context("create layer " + hex));

    // RENAME_NOREPLACE: a concurrent create of the same layer may have got there first; its
    // copy is as good as ours.
    if (::renameat2(layersFd_.get(), tmpName.c_str(), layersFd_.get(), hex.c_str(),
                    RENAME_NOREPLACE) < 0) {
      int err = errno;
      if ((err == EEXIST || err == ENOTEMPTY) && has(chainId)) {
        return discard(tmpName, std::nullopt);
      }
      return discard(tmpName,
                     Error::sys(err, "rename {} to {}", tmp, hex).context("create layer " + hex));
    }
    if (::fsync(layersFd_.get()) < 0) {
      return Error::sys(errno, "fsync {}", layers_).context("create layer " + hex);
    }
    return ok();
  }

  Status remove(const Digest& chainId) override {
    if (chainId.empty()) return Error::invalid("remove layer: empty chain ID");
    const std::string& hex = chainId.hex();
    // Out of its real name first, so a half-deleted layer never looks present.
    std::string delName = kDelPrefix + hex + "-" + randomHex(6);
    if (::renameat(layersFd_.get(), hex.c_str(), layersFd_.get(), delName.c_str()) < 0) {
      if (errno == ENOENT) return ok();
      return Error::sys(errno, "rename {}/{} to {}", layers_, hex, delName)
          .context("remove layer " + hex);
    }
    auto lock = lockDir(layersFd_.get(), delName, true);
    if (!lock) {
      // collectGarbage found it unlocked in the moment after the rename and removed it.
      if (lock.error().kind() == ErrorKind::NotFound) return ok();
      return std::move(lock).error().context("remove layer " + hex);
    }
    TRY_CTX(removeTreeAt(layersFd_.get(), delName), "remove layer {}", hex);
    return ok();
  }

  Status collectGarbage(const std::set<Digest>& keep) override {
    std::vector<std::string> names = TRY_CTX(listLayersDir(), "collect layers");
    std::optional<Error> first;
    auto note = [&first](Status st) {
      if (st) return;
      if (!first) {
        first = std::move(st).error();
      } else {
        first->addCleanupError(st.error());
      }
    };
    for (const auto& name : names) {
      if (startsWith(name, kTmpPrefix)) {
        note(removeStaleTemp(name));
      } else if (isSha256Hex(name)) {
        auto d = Digest::fromHex(name);
        if (d && !keep.contains(*d)) note(remove(*d));
      }
      // Anything else is not ours to judge.
    }
    if (first) return std::move(*first).context("collect layers in " + layers_);
    return ok();
  }

  Result<int64_t> diskUsage(const Digest& chainId) const override {
    if (chainId.empty()) return Error::invalid("layer disk usage: empty chain ID");
    return TRY_CTX(treeContentSize(diffDir(chainId)), "layer {} disk usage", chainId.hex());
  }

 private:
  // A fresh .tmp-<hex>-XXXXXX, locked. Retries when collectGarbage removed it between mkdtemp
  // and flock (it saw an unlocked temp dir, which is what a crash leaves).
  Result<std::pair<std::string, UniqueFd>> makeTempDir(const std::string& hex) {
    for (int attempt = 0;; ++attempt) {
      std::string tmpl = layers_ + "/" + kTmpPrefix + hex + "-XXXXXX";
      if (::mkdtemp(tmpl.data()) == nullptr) return Error::sys(errno, "mkdtemp {}", tmpl);
      std::string name = tmpl.substr(layers_.size() + 1);
      auto lock = lockDir(layersFd_.get(), name, true);
      if (!lock && lock.error().kind() != ErrorKind::NotFound) return std::move(lock).error();
      struct stat st;
      if (lock && ::fstat(lock->get(), &st) == 0 && st.st_nlink > 0) {
        return std::pair{std::move(name), std::move(*lock)};
      }
      if (attempt == 3) return Error::internal("temp dir {} keeps vanishing", tmpl);
    }
  }

  static Status fillAndSync(const std::string& diff,
                            const std::function<Status(const std::string&)>& fill) {
    if (::mkdir(diff.c_str(), 0755) < 0) return Error::sys(errno, "mkdir {}", diff);
    TRY(fill(diff));
    UniqueFd fd(::open(diff.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return Error::sys(errno, "open {}", diff);
    // One syncfs for the whole layer instead of an fsync per file: unpacking writes thousands
    // of small files and per-file fsync dominates (see the layer store tests for figures).
    // It also flushes other dirty data on the same filesystem; that is the price of one call.
    if (::syncfs(fd.get()) < 0) return Error::sys(errno, "syncfs {}", diff);
    return ok();
  }

  // Removes a temp dir after a failure or a lost race, keeping a cleanup failure beside the
  // primary error.
  Status discard(const std::string& tmpName, std::optional<Error> primary) {
    auto st = removeTreeAt(layersFd_.get(), tmpName);
    if (primary) {
      if (!st) primary->addCleanupError(st.error());
      return std::move(*primary);
    }
    if (!st) return std::move(st).error().context("discard " + layers_ + "/" + tmpName);
    return ok();
  }

  Status removeStaleTemp(const std::string& name) {
    bool busy = false;
    auto lock = lockDir(layersFd_.get(), name, false, &busy);
    if (!lock) {
      if (lock.error().kind() == ErrorKind::NotFound) return ok();  // finished meanwhile
      return std::move(lock).error();
    }
    if (busy) return ok();  // a live create or remove owns it
    return removeTreeAt(layersFd_.get(), name);
  }

  Result<std::vector<std::string>> listLayersDir() const {
    return listDirAt(layersFd_.get(), layers_);
  }

  std::string layers_;
  UniqueFd layersFd_;
};

}  // namespace

Result<std::unique_ptr<LayerStore>> openLayerStore(const std::string& root) {
  TRY_CTX(ensureDir(root, 0711), "open layer store");
  std::string layers = root + "/layers";
  TRY_CTX(ensureDir(layers, 0700), "open layer store");
  UniqueFd fd(::open(layers.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", layers).context("open layer store");
  return std::unique_ptr<LayerStore>(std::make_unique<DiskLayerStore>(layers, std::move(fd)));
}

}  // namespace berth::storage
