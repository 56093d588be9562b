#include "sys/mount_api.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "base/unique_fd.h"

namespace berth::sys {
namespace {

// The messages overlay (and the VFS) logged on the fs context: read(2) yields one "e ..."/"w ..."
// line per call until ENODATA. This is the only place the kernel says *why* a parameter or the
// superblock creation failed; the errno alone is usually a bare EINVAL.
std::string drainFsLog(int fsFd) {
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fsFd, buf, sizeof(buf) - 1);
    if (n <= 0) break;
    std::string_view line(buf, static_cast<size_t>(n));
    while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

Error fsError(int err, int fsFd, std::string what) {
  std::string log = drainFsLog(fsFd);
  if (!log.empty()) what += " (" + log + ")";
  return Error(errorKindFromErrno(err), std::move(what), err);
}

// overlay strips one level of backslashes from upperdir/workdir (both APIs) and from each
// lowerdir= entry, and splits the mount(2) string on unescaped ',' and ':'.
std::string escapeOverlayPath(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '\\' || c == ':' || c == ',') out += '\\';
    out += c;
  }
  return out;
}

Status validate(const OverlaySpec& spec) {
  if (spec.lowerTopFirst.empty()) return Error::invalid("overlay needs at least one lower dir");
  for (const auto& l : spec.lowerTopFirst) {
    if (l.empty()) return Error::invalid("overlay lower dir is empty");
  }
  // overlay says so only in the kernel log, leaving the caller a bare EINVAL.
  if (spec.upper.empty() && spec.lowerTopFirst.size() < 2) {
    return Error::invalid("a read-only overlay (no upperdir) needs at least two lower dirs");
  }
  if (spec.upper.empty() != spec.work.empty()) {
    return Error::invalid("overlay upperdir and workdir go together (upper '{}', work '{}')",
                          spec.upper, spec.work);
  }
  return ok();
}

Status setString(int fsFd, const char* key, const std::string& value) {
  if (::fsconfig(fsFd, FSCONFIG_SET_STRING, key, value.c_str(), 0) < 0) {
    return fsError(errno, fsFd, fmt::format("fsconfig {}={}", key, value));
  }
  return ok();
}

Status mountWithFsConfig(const OverlaySpec& spec, const std::string& target) {
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs) return Error::sys(errno, "fsopen overlay");
  // lowerdir+ takes one path verbatim (no unescaping, ':' and ',' are plain characters).
  for (const auto& lower : spec.lowerTopFirst) TRY(setString(fs.get(), "lowerdir+", lower));
  if (!spec.upper.empty()) {
    TRY(setString(fs.get(), "upperdir", escapeOverlayPath(spec.upper)));
    TRY(setString(fs.get(), "workdir", escapeOverlayPath(spec.work)));
  }
  for (const auto& opt : spec.options) {
    auto eq = opt.find('=');
    if (eq == std::string::npos) {
      if (::fsconfig(fs.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0) < 0) {
        return fsError(errno, fs.get(), fmt::format("fsconfig {}", opt));
      }
    } else {
      TRY(setString(fs.get(), opt.substr(0, eq).c_str(), opt.substr(eq + 1)));
    }
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) {
    return fsError(errno, fs.get(), fmt::format("fsconfig create overlay for {}", target));
  }
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt) return fsError(errno, fs.get(), fmt::format("fsmount overlay for {}", target));
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0) {
    return Error::sys(errno, "move_mount overlay to {}", target);
  }
  return ok();
}

}  // namespace

Result<std::string> overlayMountData(const OverlaySpec& spec) {
  TRY(validate(spec));
  std::string data = "lowerdir=";
  for (size_t i = 0; i < spec.lowerTopFirst.size(); ++i) {
    if (i > 0) data += ':';
    data += escapeOverlayPath(spec.lowerTopFirst[i]);
  }
  if (!spec.upper.empty()) {
    data += ",upperdir=" + escapeOverlayPath(spec.upper);
    data += ",workdir=" + escapeOverlayPath(spec.work);
  }
  for (const auto& opt : spec.options) {
    if (opt.find(',') != std::string::npos) {
      return Error::invalid("overlay option '{}' contains ','", opt);
    }
    data += ',' + opt;
  }
  // mount(2) copies at most one page of option data, terminating NUL included.
  long page = ::sysconf(_SC_PAGESIZE);
  if (static_cast<long>(data.size()) >= page) {
    return Error::invalid(
        "overlay options for {} lower dirs are {} bytes; mount(2) takes at most {} (one page) and "
        "this kernel's overlay lacks lowerdir+ (Linux 6.8+) to pass them one by one",
        spec.lowerTopFirst.size(), data.size(), page - 1);
  }
  return data;
}

Status mountOverlayLegacy(const OverlaySpec& spec, const std::string& target) {
  std::string data = TRY(overlayMountData(spec));
  if (::mount("overlay", target.c_str(), "overlay", 0, data.c_str()) < 0) {
    return Error::sys(errno, "mount overlay on {}", target);
  }
  return ok();
}

Status mountOverlay(const OverlaySpec& spec, const std::string& target) {
  TRY(validate(spec));
  if (overlaySupportsLowerdirPlus()) return mountWithFsConfig(spec, target);
  return mountOverlayLegacy(spec, target);
}

bool overlaySupportsLowerdirPlus() {
  static std::once_flag once;
  static bool supported = false;
  std::call_once(once, [] {
    // Setting the parameter only looks the path up; nothing is mounted. Kernels before 6.8
    // answer EINVAL ("unknown parameter"), ones without fsopen ENOSYS.
    UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
    if (!fs) return;
    supported = ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", "/", 0) == 0;
  });
  return supported;
}

Status unmount(const std::string& target, int flags, bool tolerateAbsent) {
  if (::umount2(target.c_str(), flags) == 0) return ok();
  int err = errno;
  // EINVAL: target is not a mount point; ENOENT: target is gone.
  if (tolerateAbsent && (err == EINVAL || err == ENOENT)) return ok();
  return Error::sys(err, "umount {}", target);
}

}  // namespace berth::sys
