#include "runtime/state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "base/file.h"
#include "sys/syscalls.h"

namespace berth::runtime {

const char* statusName(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::Creating:
      return "creating";
    case ContainerStatus::Created:
      return "created";
    case ContainerStatus::Running:
      return "running";
    case ContainerStatus::Paused:
      return "paused";
    case ContainerStatus::Stopped:
      return "stopped";
  }
  return "unknown";
}

namespace {

// Everything of state.json but its "config".
Json stateFields(const ContainerState& s) {
  return Json{{"id", s.id},
              {"pid", s.pid},
              {"pidStartTime", s.pidStartTime},
              {"bundle", s.bundle},
              {"rootfs", s.rootfs},
              {"created", s.created},
              {"cgroupPath", s.cgroupPath},
              {"owner", s.owner},
              {"hostMountId", s.hostMountId}};
}

}  // namespace

Json stateToJson(const ContainerState& s) {
  Json j = stateFields(s);
  j["config"] = oci::specToJson(s.spec);
  return j;
}

Result<ContainerState> stateFromJson(const Json& j) {
  ContainerState s;
  try {
    s.id = j.at("id").get<std::string>();
    s.pid = j.at("pid").get<pid_t>();
    s.pidStartTime = j.at("pidStartTime").get<uint64_t>();
    s.bundle = j.at("bundle").get<std::string>();
    s.rootfs = j.at("rootfs").get<std::string>();
    s.created = j.at("created").get<std::string>();
    s.cgroupPath = j.at("cgroupPath").get<std::string>();
    s.owner = j.value("owner", "");
    s.hostMountId = j.value("hostMountId", uint64_t{0});
  } catch (const Json::exception& e) {
    return Error::internal("state.json: {}", e.what());
  }
  s.spec = TRY_CTX(oci::specFromJson(j.at("config")), "state.json config");
  return s;
}

Json ociState(const ContainerState& s, ContainerStatus status) {
  Json j = {{"ociVersion", oci::kSpecVersion},
            {"id", s.id},
            {"status", statusName(status)},
            {"bundle", s.bundle}};
  if (status != ContainerStatus::Stopped) j["pid"] = s.pid;
  j["annotations"] = s.spec.annotations.empty() ? Json::object() : Json(s.spec.annotations);
  // runc also reports these; containerd and docker read "rootfs" and "created".
  j["rootfs"] = s.rootfs;
  j["created"] = s.created;
  j["owner"] = s.owner;
  return j;
}

Status StateStore::validateId(const std::string& id) {
  if (id.empty()) return Error::invalid("container id must not be empty");
  if (id.size() > 1024) return Error::invalid("container id is longer than 1024 characters");
  if (id == "." || id == ".." || id.find('/') != std::string::npos ||
      id.find('\0') != std::string::npos) {
    return Error::invalid("invalid container id {:?}", id);
  }
  for (unsigned char c : id) {
    if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+')) {
      return Error::invalid("invalid container id {:?}: only [A-Za-z0-9_+.-] are allowed", id);
    }
  }
  return ok();
}

static Result<UniqueFd> lockDir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", path);
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Error::sys(errno, "flock {}", path);
  }
  return fd;
}

Result<UniqueFd> StateStore::claim(const std::string& id) {
  TRY(validateId(id));
  if (::mkdir(root_.c_str(), 0711) != 0 && errno != EEXIST) {
    return Error::sys(errno, "mkdir {}", root_);
  }
  std::string d = dir(id);
  if (::mkdir(d.c_str(), 0711) != 0) {
    if (errno == EEXIST)
      return Error(ErrorKind::AlreadyExists,
                   fmt::format("container with id {:?} already exists", id));
    return Error::sys(errno, "mkdir {}", d);
  }
  return lockDir(d);
}

Result<UniqueFd> StateStore::lock(const std::string& id) {
  TRY(validateId(id));
  auto fd = lockDir(dir(id));
  if (!fd && fd.error().sysErrno() == ENOENT) {
    return Error::notFound("container {:?} does not exist", id);
  }
  return fd;
}

Status StateStore::save(const ContainerState& s, std::string_view configJson) {
  std::string text;
  if (configJson.empty()) {
    text = dumpJson(stateToJson(s));
  } else {
    text = dumpJson(stateFields(s));  // {...}: the config goes in before the closing brace
    text.pop_back();
    text.append(",\"config\":").append(configJson).push_back('}');
  }
  return writeFileAtomic(dir(s.id) + "/state.json", text, 0600, Durability::Volatile);
}

Result<ContainerState> StateStore::load(const std::string& id) {
  auto text = readFile(dir(id) + "/state.json");
  if (!text) {
    if (text.error().sysErrno() == ENOENT)
      return Error::notFound("container {:?} does not exist", id);
    return std::move(text).error();
  }
  auto j = TRY(parseJson(*text, "state.json"));
  return stateFromJson(j);
}

static Status removeTree(int dirfd, const std::string& display) {
  DIR* d = ::fdopendir(::dup(dirfd));
  if (!d) return Error::sys(errno, "opendir {}", display);
  Status st;
  while (struct dirent* e = ::readdir(d)) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    if (e->d_type == DT_DIR) {
      UniqueFd sub(::openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub) (void)removeTree(sub.get(), display + "/" + e->d_name);
      if (::unlinkat(dirfd, e->d_name, AT_REMOVEDIR) != 0 && st)
        st = Error::sys(errno, "rmdir {}/{}", display, e->d_name);
    } else if (::unlinkat(dirfd, e->d_name, 0) != 0 && st) {
      st = Error::sys(errno, "unlink {}/{}", display, e->d_name);
    }
  }
  ::closedir(d);
  return st;
}

Status StateStore::remove(const std::string& id) {
  std::string d = dir(id);
  UniqueFd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT) return ok();
    return Error::sys(errno, "open {}", d);
  }
  TRY(removeTree(fd.get(), d));
  if (::rmdir(d.c_str()) != 0 && errno != ENOENT) return Error::sys(errno, "rmdir {}", d);
  return ok();
}

Result<std::vector<std::string>> StateStore::ids() {
  std::vector<std::string> out;
  DIR* d = ::opendir(root_.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return Error::sys(errno, "opendir {}", root_);
  }
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) out.emplace_back(e->d_name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

ContainerStatus StateStore::status(const ContainerState& s, bool frozen) const {
  auto start = sys::processStartTime(s.pid);
  if (!start || *start != s.pidStartTime) return ContainerStatus::Stopped;
  if (::access(fifoPath(s.id).c_str(), F_OK) == 0) return ContainerStatus::Created;
  return frozen ? ContainerStatus::Paused : ContainerStatus::Running;
}

std::string nowRfc3339() {
  // Calendar arithmetic only: glibc's gmtime_r first loads the local time zone
  // (/etc/localtime), which a UTC timestamp does not need.
  using namespace std::chrono;
  auto now = floor<nanoseconds>(system_clock::now());
  auto day = floor<days>(now);
  year_month_day date{day};
  hh_mm_ss<nanoseconds> time{now - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%09lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                static_cast<long long>(time.subseconds().count()));
  return buf;
}

}  // namespace berth::runtime
