#include "engine/image_bootstrap.h"
#include "engine/process_run.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/image_internal.h"
#include "image/layer.h"
#include "storage/fs_tree.h"

namespace berth::engine {

namespace {

constexpr const char* kPathEnv =
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// A scratch dir under the data root, removed with everything in it when this goes away.
class ScratchDir {
 public:
  static Result<ScratchDir> make(const std::string& root) {
    std::string tmpl = root + "/tmp";
    if (::mkdir(tmpl.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::sys(errno, "mkdir {}", tmpl);
    tmpl += "/bootstrap-XXXXXX";
    if (!::mkdtemp(tmpl.data())) return Error::sys(errno, "mkdtemp {}", tmpl);
    ScratchDir d;
    d.path_ = tmpl;
    return d;
  }
  ScratchDir() = default;
  ScratchDir(ScratchDir&& o) noexcept : path_(std::exchange(o.path_, "")) {}
  ~ScratchDir() {
    // removeTree stops at a mount point (say a /proc a failed debootstrap left mounted), where
    // a plain nftw would delete through it.
    if (!path_.empty())
      if (auto st = storage::removeTree(path_); !st)
        spdlog::warn("remove {}: {}", path_, st.error().what());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs argv to its end; with out, its stdout is collected there.
Status run(const std::vector<std::string>& argv, const std::string& what,
           std::string* out = nullptr) {
  RunOutput o;
  Status st = runProgram(argv, what, out ? &o : nullptr);
  if (out) *out = std::move(o.out);
  return st;
}

// Pins every time in the tree so the layer's bytes depend on its content alone.
Status pinTimes(const std::string& dir, time_t t) {
  static thread_local timespec times[2];
  times[0] = times[1] = timespec{t, 0};
  int r = ::nftw(
      dir.c_str(),
      [](const char* p, const struct stat*, int, FTW*) {
        return ::utimensat(AT_FDCWD, p, times, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -1;
      },
      64, FTW_DEPTH | FTW_PHYS);
  if (r != 0) return Error::sys(errno, "set times under {}", dir);
  return ok();
}

Result<Digest> importTree(ImageService& images, const std::string& dir, time_t created,
                          std::vector<std::string> changes, const std::string& reference,
                          const std::string& source) {
  TRY(pinTimes(dir, created));
  UniqueFd tmp(::open(images.dataRoot().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!tmp) return Error::sys(errno, "open O_TMPFILE in {}", images.dataRoot());
  image::TarOptions to;
  to.overlayWhiteouts = false;
  TRY(image::writeLayerTar(dir, tmp.get(), to));
  if (::lseek(tmp.get(), 0, SEEK_SET) < 0) return Error::sys(errno, "lseek");
  ImportOptions io;
  io.changes = std::move(changes);
  io.reference = reference;
  io.source = source;
  io.created = detail::formatTime(created);
  return images.import(tmp.get(), io);
}

Status mkdirMode(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
    return Error::sys(errno, "mkdir {}", path);
  if (::chmod(path.c_str(), mode) != 0) return Error::sys(errno, "chmod {}", path);
  return ok();
}

}  // namespace

Result<Digest> bootstrapBusybox(ImageService& images, const BootstrapOptions& opts) {
  struct stat st;
  if (::stat(opts.busybox.c_str(), &st) != 0)
    return Error::sys(errno, "stat {} (install Debian's busybox-static)", opts.busybox);
  std::string applets;
  TRY(run({opts.busybox, "--list-full"}, "list the applets of " + opts.busybox, &applets));
  auto scratch = TRY(ScratchDir::make(images.dataRoot()));
  std::string root = scratch.path() + "/rootfs";
  TRY(mkdirMode(root, 0755));
  for (auto d : {"bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "usr/sbin", "sbin",
                 "var", "var/spool", "var/spool/mail", "var/www", "lib"})
    TRY(mkdirMode(root + "/" + d, 0755));
  TRY(mkdirMode(root + "/root", 0700));
  TRY(mkdirMode(root + "/tmp", 01777));
  TRY(mkdirMode(root + "/var/tmp", 01777));
  std::string bin = root + "/bin/busybox";
  {
    UniqueFd in(::open(opts.busybox.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) return Error::sys(errno, "open {}", opts.busybox);
    UniqueFd out(::open(bin.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755));
    if (!out) return Error::sys(errno, "create {}", bin);
    loff_t off = 0;
    while (off < st.st_size)
      if (::copy_file_range(in.get(), &off, out.get(), nullptr,
                            static_cast<size_t>(st.st_size - off), 0) <= 0)
        return Error::sys(errno, "copy {}", opts.busybox);
  }
  // Every applet is a hardlink to the one binary, as in the official busybox image.
  for (auto& line : split(applets, '\n', true)) {
    auto rel = std::string(trim(line));
    if (rel.empty() || rel == "bin/busybox" || rel.find("..") != std::string::npos) continue;
    std::string path = root + "/" + rel;
    auto slash = path.rfind('/');
    TRY(mkdirMode(path.substr(0, slash), 0755));
    if (::link(bin.c_str(), path.c_str()) != 0 && errno != EEXIST)
      return Error::sys(errno, "link {}", path);
  }
  TRY(writeFileAtomic(root + "/etc/passwd",
                      "root:x:0:0:root:/root:/bin/sh\n"
                      "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                      "bin:x:2:2:bin:/bin:/bin/false\n"
                      "sys:x:3:3:sys:/dev:/bin/false\n"
                      "sync:x:4:100:sync:/bin:/bin/sync\n"
                      "mail:x:8:8:mail:/var/spool/mail:/bin/false\n"
                      "www-data:x:33:33:www-data:/var/www:/bin/false\n"
                      "operator:x:37:37:Operator:/var:/bin/false\n"
                      "nobody:x:65534:65534:nobody:/home:/bin/false\n",
                      0644, Durability::Volatile));
  TRY(writeFileAtomic(
      root + "/etc/group",
      "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nwheel:x:10:root\n"
      "mail:x:8:\nwww-data:x:33:\noperator:x:37:\nstaff:x:50:\nusers:x:100:\nnogroup:x:65534:\n",
      0644, Durability::Volatile));
  TRY(writeFileAtomic(root + "/etc/shadow", "root:*:10933:0:99999:7:::\n", 0640,
                      Durability::Volatile));
  std::string ref = opts.reference.empty() ? "busybox:latest" : opts.reference;
  return importTree(images, root, st.st_mtime, {kPathEnv, "CMD [\"sh\"]"}, ref, opts.busybox);
}

Result<Digest> bootstrapDebian(ImageService& images, const BootstrapOptions& opts) {
  auto scratch = TRY(ScratchDir::make(images.dataRoot()));
  std::string root = scratch.path() + "/rootfs";
  TRY(run({"debootstrap", "--variant=" + opts.variant, opts.suite, root, opts.mirror},
          "debootstrap"));
  // What a container image does not carry: package caches and lists, logs of the build.
  TRY(run(
      {"sh", "-c",
       "rm -rf \"$1\"/var/cache/apt/archives/*.deb \"$1\"/var/lib/apt/lists/* \"$1\"/var/log/*.log "
       "\"$1\"/debootstrap",
       "sh", root},
      "clean the rootfs"));
  struct stat st;
  std::string release = root + "/etc/debian_version";
  time_t created = ::stat(release.c_str(), &st) == 0 ? st.st_mtime : ::time(nullptr);
  std::string ref = opts.reference.empty() ? "debian:" + opts.suite : opts.reference;
  return importTree(images, root, created, {kPathEnv, "CMD [\"bash\"]"}, ref,
                    "debootstrap " + opts.suite);
}

}  // namespace berth::engine
