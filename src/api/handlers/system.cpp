// /_ping, /version, /info, /system/df.

#include <dirent.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>

#include "api/api.h"
#include "apitypes/filters.h"
#include "apitypes/timestamp.h"
#include "apitypes/version.h"
#include "base/file.h"
#include "base/strings.h"
#include "storage/fs_tree.h"

namespace berth::api {

namespace {

std::string kernelVersion() {
  struct utsname u;
  return ::uname(&u) == 0 ? u.release : "";
}

int64_t memTotal() {
  auto text = readFile("/proc/meminfo");
  if (!text) return 0;
  for (const std::string& line : split(*text, '\n', true)) {
    if (startsWith(line, "MemTotal:")) {
      auto parts = split(line, ' ', true);
      if (parts.size() >= 2) return parseInt(parts[1], "MemTotal").value_or(0) * 1024;
    }
  }
  return 0;
}

// The daemon's ID (docker info's ID): a UUID made once per data root and kept in it.
std::string engineId(const std::string& dataRoot) {
  std::string path = dataRoot + "/engine-id";
  if (auto text = readFile(path); text && !trim(*text).empty()) return std::string(trim(*text));
  std::string h = storage::randomHex(16);
  h[12] = '4';                                                  // version 4
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  std::string id = h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
                   h.substr(16, 4) + "-" + h.substr(20, 12);
  (void)writeFileAtomic(path, id + "\n", 0644);
  return id;
}

// What /proc says of this process: its open fds and its threads (docker's NFd, NGoroutines).
int64_t openFds() {
  int64_t n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

int64_t threads() {
  for (const std::string& line : split(readFile("/proc/self/status").value_or(""), '\n', true))
    if (startsWith(line, "Threads:")) return parseInt(trim(line.substr(8)), "Threads").value_or(0);
  return 0;
}

std::string osName() {
  auto text = readFile("/etc/os-release");
  if (text) {
    for (const std::string& line : split(*text, '\n', true)) {
      if (startsWith(line, "PRETTY_NAME=")) {
        std::string v = line.substr(12);
        if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
        return v;
      }
    }
  }
  return "Linux";
}

Status getPing(Exchange& ex) {
  return ex.replyBytes(200, "text/plain; charset=utf-8", "OK");
}

Json versionDoc() {
  std::string kernel = kernelVersion();
  return Json{{"Platform", {{"Name", "berth"}}},
              {"Components", Json::array({Json{{"Name", "Engine"},
                                               {"Version", BERTH_VERSION},
                                               {"Details",
                                                {{"ApiVersion", apitypes::kApiVersion},
                                                 {"MinAPIVersion", apitypes::kMinApiVersion},
                                                 {"Os", "linux"},
                                                 {"Arch", "amd64"},
                                                 {"KernelVersion", kernel},
                                                 {"Experimental", "false"}}}}})},
              {"Version", BERTH_VERSION},
              {"ApiVersion", apitypes::kApiVersion},
              {"MinAPIVersion", apitypes::kMinApiVersion},
              {"GitCommit", ""},
              {"GoVersion", "n/a (C++20)"},
              {"Os", "linux"},
              {"Arch", "amd64"},
              {"KernelVersion", kernel},
              {"BuildTime", ""}};
}

// Unix seconds (with fraction) or RFC 3339 -> ns; 0 for empty.
Result<int64_t> eventTime(const std::string& v) {
  if (v.empty()) return int64_t{0};
  auto dot = v.find('.');
  auto secs = parseInt(v.substr(0, dot), "time");
  if (!secs) return Error::invalid("invalid time {:?}: want unix seconds", v);
  int64_t nanos = 0;
  if (dot != std::string::npos) {
    std::string frac = v.substr(dot + 1);
    frac.resize(9, '0');
    nanos = parseInt(frac, "time").value_or(0);
  }
  return *secs * 1000000000 + nanos;
}

bool eventMatches(const engine::Event& e, const apitypes::Filters& f) {
  if (!f.matchAny("type", e.type)) return false;
  if (f.has("event")) {
    std::string action = e.action.substr(0, e.action.find(':'));
    if (!f.matchAny("event", action) && !f.matchAny("event", e.action)) return false;
  }
  auto attr = [&](const char* k) {
    auto it = e.attributes.find(k);
    return it == e.attributes.end() ? std::string() : it->second;
  };
  if (f.has("container")) {
    if (e.type != "container") return false;
    auto vals = f.values("container");
    if (!std::any_of(vals.begin(), vals.end(), [&](const std::string& v) {
          return startsWith(e.id, v) || v == attr("name");
        }))
      return false;
  }
  if (f.has("image")) {
    auto vals = f.values("image");
    if (!std::any_of(vals.begin(), vals.end(), [&](const std::string& v) {
          return v == attr("image") || v == e.id || v == attr("name");
        }))
      return false;
  }
  if (f.has("volume") && (e.type != "volume" || !f.matchAny("volume", e.id))) return false;
  return f.matchLabels("label", e.attributes);
}

}  // namespace

void registerSystemRoutes(Router& r, Services& s) {
  r.add("GET", "/_ping", getPing);
  r.add("HEAD", "/_ping", getPing);
  r.add("GET", "/events", [&s](Exchange& ex) -> Status {
    const Request& q = ex.request();
    auto f = TRY(apitypes::Filters::parse(
        q.queryValue("filters"),
        {"config", "container", "daemon", "event", "image", "label", "network", "node", "plugin",
         "scope", "secret", "service", "type", "volume"}));
    int64_t since = TRY(eventTime(q.queryValue("since")));
    int64_t until = TRY(eventTime(q.queryValue("until")));
    std::vector<engine::Event> history;
    auto sub = s.events.subscribe(since, history);
    struct Unsub {
      engine::EventBus& bus;
      std::shared_ptr<engine::EventBus::Subscription> s;
      ~Unsub() { bus.unsubscribe(s); }
    } unsub{s.events, sub};
    TRY(ex.beginStream(200, "application/json"));
    auto nowNs = [] {
      struct timespec ts;
      ::clock_gettime(CLOCK_REALTIME, &ts);
      return ts.tv_sec * 1000000000LL + ts.tv_nsec;
    };
    for (const auto& e : history) {
      if (until && e.timeNano > until) break;
      if (eventMatches(e, f)) TRY(ex.writeChunk(dumpJson(e.toJson()) + "\n"));
    }
    for (;;) {
      if (until && nowNs() > until) break;
      engine::Event e;
      if (sub->next(e, 500)) {
        if (until && e.timeNano > until) break;
        if (eventMatches(e, f)) TRY(ex.writeChunk(dumpJson(e.toJson()) + "\n"));
      } else if (ex.clientGone()) {
        return {};
      }
    }
    return ex.endStream();
  });

  r.add("GET", "/system/df", [&s](Exchange& ex) -> Status {
    engine::DiskUsage du;
    {
      std::lock_guard g(s.imageMu);
      du = TRY(s.images.diskUsage());
    }
    Json images = Json::array();
    for (const auto& i : du.images) {
      images.push_back({{"Id", i.id.str()},
                        {"ParentId", i.parent.str()},
                        {"RepoTags", i.repoTags},
                        {"RepoDigests", i.repoDigests},
                        {"Created", i.created},
                        {"Size", i.size},
                        {"SharedSize", i.sharedSize},
                        {"VirtualSize", i.size},
                        {"Labels", i.labels.empty() ? Json(nullptr) : Json(i.labels)},
                        {"Containers", i.containers}});
    }
    Json containers = Json(TRY(s.containers.list({.all = true, .size = true})));
    Json volumes = Json::array();
    for (Json v : TRY(s.containers.volumeList(apitypes::Filters()))) {
      int64_t refs = 0;
      for (const auto& c : containers) {
        for (const auto& m : c.value("Mounts", Json::array())) {
          if (m.value("Name", "") == v.value("Name", "")) ++refs;
        }
      }
      int64_t size = 0;
      if (auto t = s.containers.volumeSize(v.value("Name", ""))) size = *t;
      v["UsageData"] = {{"Size", size}, {"RefCount", refs}};
      volumes.push_back(v);
    }
    return ex.reply(200, Json{{"LayersSize", du.layersSize},
                              {"Images", images},
                              {"Containers", containers},
                              {"Volumes", volumes},
                              {"BuildCache", Json::array()}});
  });

  // berth keeps no build cache yet: nothing to prune, as `docker system prune` and
  // `docker builder prune` expect to be told.
  r.add("POST", "/build/prune", [](Exchange& ex) -> Status {
    TRY(apitypes::Filters::parse(
        ex.request().queryValue("filters"),
        {"until", "id", "parent", "type", "description", "inuse", "shared", "private"}));
    return ex.reply(200, Json{{"CachesDeleted", nullptr}, {"SpaceReclaimed", 0}});
  });
  r.add("GET", "/version", [](Exchange& ex) { return ex.reply(200, versionDoc()); });
  r.add("GET", "/info", [&s](Exchange& ex) -> Status {
    auto list = TRY(s.containers.list({.all = true}));
    int running = 0, paused = 0, stopped = 0;
    for (const Json& c : list) {
      std::string st = c.value("State", "");
      if (st == "running")
        ++running;
      else if (st == "paused")
        ++paused;
      else
        ++stopped;
    }
    size_t images = 0;
    {
      std::lock_guard g(s.imageMu);
      images = TRY(s.images.list(true)).size();
    }
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    struct utsname u;
    ::uname(&u);
    bool cgroupV2 = ::access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
    Json info = {{"ID", engineId(s.dataRoot)},
                 {"Containers", list.size()},
                 {"ContainersRunning", running},
                 {"ContainersPaused", paused},
                 {"ContainersStopped", stopped},
                 {"Images", images},
                 {"Driver", "overlay"},
                 {"DriverStatus", Json::array({Json::array({"Backing Filesystem", "extfs"})})},
                 {"Plugins",
                  {{"Volume", Json::array({"local"})},
                   {"Network", Json::array({"host", "none"})},
                   {"Authorization", nullptr},
                   {"Log", Json::array({"json-file"})}}},
                 {"MemoryLimit", true},
                 {"SwapLimit", true},
                 {"CpuCfsPeriod", true},
                 {"CpuCfsQuota", true},
                 {"CPUShares", true},
                 {"CPUSet", true},
                 {"PidsLimit", true},
                 {"IPv4Forwarding", true},
                 {"Debug", false},
                 {"NFd", openFds()},
                 {"OomKillDisable", true},
                 {"NGoroutines", threads()},
                 {"SystemTime", apitypes::nowRfc3339Nano()},
                 {"LoggingDriver", "json-file"},
                 {"CgroupDriver", "cgroupfs"},
                 {"CgroupVersion", cgroupV2 ? "2" : "1"},
                 {"NEventsListener", 0},
                 {"KernelVersion", kernelVersion()},
                 {"OperatingSystem", osName()},
                 {"OSVersion", ""},
                 {"OSType", "linux"},
                 {"Architecture", u.machine},
                 {"IndexServerAddress", "https://index.docker.io/v1/"},
                 {"RegistryConfig",
                  {{"AllowNondistributableArtifactsCIDRs", nullptr},
                   {"AllowNondistributableArtifactsHostnames", nullptr},
                   {"InsecureRegistryCIDRs", Json::array({"::1/128", "127.0.0.0/8"})},
                   {"IndexConfigs",
                    {{"docker.io",
                      {{"Name", "docker.io"},
                       {"Mirrors", Json::array()},
                       {"Secure", true},
                       {"Official", true}}}}},
                   {"Mirrors", nullptr}}},
                 {"NCPU", ::sysconf(_SC_NPROCESSORS_ONLN)},
                 {"MemTotal", memTotal()},
                 {"GenericResources", nullptr},
                 {"DockerRootDir", s.dataRoot},
                 {"HttpProxy", ""},
                 {"HttpsProxy", ""},
                 {"NoProxy", ""},
                 {"Name", host},
                 {"Labels", Json::array()},
                 {"ExperimentalBuild", false},
                 {"ServerVersion", BERTH_VERSION},
                 {"Runtimes", {{"berth", {{"path", s.runtimePath}}}}},
                 {"DefaultRuntime", "berth"},
                 {"Swarm",
                  {{"NodeID", ""},
                   {"NodeAddr", ""},
                   {"LocalNodeState", "inactive"},
                   {"ControlAvailable", false},
                   {"Error", ""},
                   {"RemoteManagers", nullptr}}},
                 {"LiveRestoreEnabled", true},
                 {"Isolation", ""},
                 {"InitBinary", "docker-init"},
                 {"SecurityOptions", Json::array({"name=seccomp,profile=" + s.seccompProfile})},
                 {"Warnings", nullptr}};
    return ex.reply(200, info);
  });
}

}  // namespace berth::api
