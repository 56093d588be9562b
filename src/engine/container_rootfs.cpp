// What a container's rootfs is made of: its image's layers and, above them, the init layer:
// docker's "-init" layer, shared by every container as the topmost read-only lower. It holds the
// mount points berth's runtime would otherwise create in the container's own upper dir (/etc/hosts,
// /etc/hostname, /etc/resolv.conf, /dev/console...) and docker's /.dockerenv and /etc/mtab, so
// `diff`, `commit` and SizeRw show only what the container's processes changed.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "engine/container_internal.h"
#include "storage/fs_tree.h"

namespace berth::engine {

namespace {

enum class Kind { Dir, File, Symlink };

struct Entry {
  const char* path;
  Kind kind;
  const char* target = nullptr;
};

// docker's initlayer.Setup list, in its modes (0755 for both files and dirs).
constexpr Entry kEntries[] = {
    {"dev/pts", Kind::Dir},      {"dev/shm", Kind::Dir},
    {"proc", Kind::Dir},         {"sys", Kind::Dir},
    {".dockerenv", Kind::File},  {"etc/resolv.conf", Kind::File},
    {"etc/hosts", Kind::File},   {"etc/hostname", Kind::File},
    {"dev/console", Kind::File}, {"etc/mtab", Kind::Symlink, "/proc/mounts"},
};

Status populate(const std::string& root) {
  for (const Entry& e : kEntries) {
    std::string path = root + "/" + e.path;
    if (auto slash = path.rfind('/'); slash > root.size())
      TRY(ensureDir(path.substr(0, slash), 0755));
    switch (e.kind) {
      case Kind::Dir:
        TRY(ensureDir(path, 0755));
        break;
      case Kind::File: {
        int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0755);
        if (fd < 0) return Error::sys(errno, "create {}", path);
        ::close(fd);
        break;
      }
      case Kind::Symlink:
        if (::symlink(e.target, path.c_str()) != 0) return Error::sys(errno, "symlink {}", path);
        break;
    }
  }
  return ok();
}

}  // namespace

Status ContainerService::Impl::ensureInitLayer() {
  std::string dir = initLayerDir();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return ok();
  // Built aside and renamed into place: a crash leaves either no layer or a whole one.
  std::string tmp = dir + ".tmp";
  TRY(storage::removeTree(tmp));
  TRY(ensureDir(tmp, 0755));
  TRY_CTX(populate(tmp), "create the init layer");
  // Once per data root: one syncfs makes every entry durable before the rename publishes it.
  int fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::sys(errno, "open {}", tmp);
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Error::sys(err, "syncfs {}", tmp);
  if (::rename(tmp.c_str(), dir.c_str()) != 0) return Error::sys(errno, "rename {}", tmp);
  return storage::syncDir(opts.dataRoot);
}

Result<std::vector<std::string>> ContainerService::Impl::rootfsLowers(const Json& doc) {
  std::vector<std::string> lowers;
  {
    std::lock_guard g(imageMu);
    lowers = TRY(images.layerDirs(TRY(Digest::parse(doc.value("Image", "")))));
  }
  lowers.push_back(initLayerDir());
  return lowers;
}

int64_t ContainerService::Impl::imageSize(const std::string& imageId) {
  auto id = Digest::parse(imageId);
  if (!id) return 0;
  std::lock_guard g(imageMu);
  auto rec = images.record(*id);
  return rec ? rec->size : 0;
}

}  // namespace berth::engine
