// Local volumes: a record (Docker's Volume document) in berth.db and the data in
// <data-root>/volumes/<name>/_data. Anonymous volumes carry Docker's
// com.docker.volume.anonymous label, which is what prune and rm -v go by.

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/container_internal.h"
#include "image/layer.h"
#include "storage/fs_tree.h"
#include "sys/syscalls.h"

namespace berth::engine {

namespace {

constexpr const char* kAnonymousLabel = "com.docker.volume.anonymous";

bool validName(std::string_view n) {
  if (n.size() < 2) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          (i > 0 && (c == '_' || c == '.' || c == '-'))))
      return false;
  }
  return true;
}

bool isEmptyDir(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return false;
  bool empty = true;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") {
      empty = false;
      break;
    }
  }
  ::closedir(d);
  return empty;
}

// Docker's copy-up: an empty volume takes the content, owner and mode of the image's directory
// it is mounted on (resolved inside the rootfs; nothing there, or not a directory: no copy).
// The copy goes through a tar, which keeps owners, modes, xattrs, links and device nodes.
Status fillVolume(const std::string& rootfs, const std::string& dest, const std::string& data) {
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return Error::sys(errno, "open {}", rootfs);
  int fd = sys::openat2Raw(root.get(), dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0,
                           RESOLVE_IN_ROOT);
  if (fd < 0) return {};
  UniqueFd src(fd);
  if (!isEmptyDir(data)) return {};
  struct stat st;
  if (::fstat(src.get(), &st) != 0) return Error::sys(errno, "stat {}", dest);
  std::string parent = data.substr(0, data.rfind('/'));
  UniqueFd tmp(::open(parent.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!tmp) return Error::sys(errno, "open O_TMPFILE in {}", parent);
  TRY(image::writeLayerTar(fmt::format("/proc/self/fd/{}", src.get()), tmp.get(),
                           {.overlayWhiteouts = false}));
  if (::lseek(tmp.get(), 0, SEEK_SET) < 0) return Error::sys(errno, "lseek");
  TRY(image::unpackLayer(tmp.get(), data));
  if (::chown(data.c_str(), st.st_uid, st.st_gid) != 0 ||
      ::chmod(data.c_str(), st.st_mode & 07777) != 0)
    return Error::sys(errno, "set the owner and mode of {}", data);
  return {};
}

}  // namespace

Status ContainerService::Impl::fillVolumesOnFirstStart(Container& c, const std::string& rootfs) {
  Json& todo = c.doc["_berth"]["volumeCopyUp"];
  if (!todo.is_array() || todo.empty()) return {};
  for (const auto& dest : todo) {
    for (const auto& m : c.doc.value("Mounts", Json::array())) {
      if (m.value("Type", "") != "volume" || m.value("Destination", "") != dest) continue;
      TRY_CTX(fillVolume(rootfs, dest.get<std::string>(), m.value("Source", "")),
              "copy the image's {} into volume {}", dest.get<std::string>(), m.value("Name", ""));
    }
  }
  todo = Json::array();  // once: later starts find the volume as the container left it
  return {};
}

Status ContainerService::Impl::ensureVolume(const std::string& name, bool anonymous) {
  auto q = TRY(db.prepare("SELECT 1 FROM volumes WHERE name = ?"));
  if (TRY(q.bind(1, name).step())) return {};
  std::string dir = opts.dataRoot + "/volumes/" + name;
  TRY(ensureDir(dir + "/_data", 0755));
  Json labels = anonymous ? Json{{kAnonymousLabel, ""}} : Json::object();
  Json doc = {{"CreatedAt", nowRfc3339Nano().substr(0, 19) + "Z"},
              {"Driver", "local"},
              {"Labels", labels},
              {"Mountpoint", dir + "/_data"},
              {"Name", name},
              {"Options", nullptr},
              {"Scope", "local"}};
  auto ins = TRY(db.prepare("INSERT OR IGNORE INTO volumes (name, doc) VALUES (?, ?)"));
  TRY(ins.bind(1, name).bind(2, dumpJson(doc)).run());
  events.publish(
      Event{.type = "volume", .action = "create", .id = name, .attributes = {{"driver", "local"}}});
  return {};
}

Status ContainerService::Impl::removeVolumeRecord(const std::string& name) {
  TRY(storage::removeTree(opts.dataRoot + "/volumes/" + name));
  auto del = TRY(db.prepare("DELETE FROM volumes WHERE name = ?"));
  TRY(del.bind(1, name).run());
  events.publish(Event{
      .type = "volume", .action = "destroy", .id = name, .attributes = {{"driver", "local"}}});
  return {};
}

std::vector<std::string> ContainerService::Impl::volumeUsers(const std::string& name) const {
  std::vector<std::string> users;
  std::lock_guard g(mu);
  for (const auto& [id, c] : byId) {
    std::lock_guard lk(c->mu);
    for (const auto& m : c->doc.value("Mounts", Json::array())) {
      if (m.value("Type", "") == "volume" && m.value("Name", "") == name) users.push_back(id);
    }
  }
  return users;
}

Result<Json> ContainerService::volumeCreate(const std::string& requested,
                                            const std::map<std::string, std::string>& labels,
                                            const std::string& driver) {
  auto& im = *impl_;
  if (!driver.empty() && driver != "local")
    return Error::invalid("volume driver {:?} is not supported: only local", driver);
  std::string name = requested.empty() ? randomHexId() : requested;
  if (!validName(name)) {
    return Error::invalid(
        "create {}: \"{}\" includes invalid characters for a local volume name, only "
        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use "
        "absolute path",
        name, name);
  }
  auto q = TRY(im.db.prepare("SELECT doc FROM volumes WHERE name = ?"));
  if (TRY(q.bind(1, name).step())) return parseJson(q.columnText(0), "volume record");
  q = SqliteStmt();
  TRY(im.ensureVolume(name, false));
  if (!labels.empty()) {
    Json doc = TRY(volumeInspect(name));
    doc["Labels"] = labels;
    auto up = TRY(im.db.prepare("UPDATE volumes SET doc = ? WHERE name = ?"));
    TRY(up.bind(1, dumpJson(doc)).bind(2, name).run());
  }
  return volumeInspect(name);
}

Result<Json> ContainerService::volumeInspect(const std::string& name) const {
  auto q = TRY(impl_->db.prepare("SELECT doc FROM volumes WHERE name = ?"));
  if (!TRY(q.bind(1, name).step())) return Error::notFound("get {}: no such volume", name);
  return parseJson(q.columnText(0), "volume record");
}

Result<std::vector<Json>> ContainerService::volumeList(const apitypes::Filters& f) const {
  auto& im = *impl_;
  std::vector<Json> out;
  auto q = TRY(im.db.prepare("SELECT doc FROM volumes ORDER BY name"));
  while (TRY(q.step())) {
    Json v = TRY(parseJson(q.columnText(0), "volume record"));
    std::string name = v.value("Name", "");
    if (f.has("name")) {
      auto ns = f.values("name");
      if (!std::any_of(ns.begin(), ns.end(),
                       [&](const std::string& n) { return name.find(n) != std::string::npos; }))
        continue;
    }
    if (!f.matchAny("driver", "local")) continue;
    std::map<std::string, std::string> labels;
    if (v["Labels"].is_object()) {
      for (const auto& [k, l] : v["Labels"].items())
        labels[k] = l.is_string() ? l.get<std::string>() : "";
    }
    if (!f.matchLabels("label", labels)) continue;
    if (f.has("dangling")) {
      bool dangling = TRY(f.boolValue("dangling"));
      if (im.volumeUsers(name).empty() != dangling) continue;
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<int64_t> ContainerService::volumeSize(const std::string& name) const {
  return storage::treeContentSize(impl_->opts.dataRoot + "/volumes/" + name + "/_data");
}

Status ContainerService::volumeRemove(const std::string& name, bool force) {
  auto& im = *impl_;
  auto existing = volumeInspect(name);
  if (!existing) {
    if (force) return {};
    return existing.error();
  }
  if (auto users = im.volumeUsers(name); !users.empty()) {
    return Error(ErrorKind::Conflict,
                 fmt::format("remove {}: volume is in use - [{}]", name, join(users, ", ")));
  }
  return im.removeVolumeRecord(name);
}

Result<Json> ContainerService::volumePrune(const apitypes::Filters& f) {
  bool all = f.has("all") && TRY(f.boolValue("all"));
  Json deleted = Json::array();
  int64_t reclaimed = 0;
  for (const Json& v : TRY(volumeList(apitypes::Filters()))) {
    std::string name = v.value("Name", "");
    bool anonymous = v["Labels"].is_object() && v["Labels"].contains(kAnonymousLabel);
    if (!all && !anonymous) continue;
    std::map<std::string, std::string> labels;
    if (v["Labels"].is_object()) {
      for (const auto& [k, l] : v["Labels"].items())
        labels[k] = l.is_string() ? l.get<std::string>() : "";
    }
    if (!f.matchLabelFilters(labels)) continue;
    if (!impl_->volumeUsers(name).empty()) continue;
    int64_t size = volumeSize(name).value_or(0);
    if (impl_->removeVolumeRecord(name)) {
      deleted.push_back(name);
      reclaimed += size;
    }
  }
  return Json{{"VolumesDeleted", deleted.empty() ? Json(nullptr) : deleted},
              {"SpaceReclaimed", reclaimed}};
}

}  // namespace berth::engine
