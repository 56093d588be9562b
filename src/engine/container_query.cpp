// docker ps (list with filters, Docker's status texts), top, diff (changes) and prune.

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/networks.h"
#include "engine/process_run.h"

namespace berth::engine {

namespace {

// go-units HumanDuration, which docker ps prints.
std::string humanDuration(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  int64_t hours = minutes / 60;
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", hours / 24 / 365);
}

int64_t secondsSince(const std::string& rfc3339) {
  int64_t ns = parseRfc3339Ns(rfc3339);
  if (ns == 0) return 0;
  return static_cast<int64_t>(::time(nullptr)) - ns / 1000000000;
}

std::string statusText(const Json& s) {
  std::string status = stateStatus(s);
  if (status == "running") {
    std::string up = "Up " + humanDuration(secondsSince(s.value("StartedAt", "")));
    // docker ps: the health after the uptime.
    std::string health =
        s.contains("Health") && s["Health"].is_object() ? s["Health"].value("Status", "") : "";
    if (health == "starting") return up + " (health: starting)";
    if (!health.empty()) return up + " (" + health + ")";
    return up;
  }
  if (status == "paused")
    return "Up " + humanDuration(secondsSince(s.value("StartedAt", ""))) + " (Paused)";
  if (status == "restarting") {
    return fmt::format("Restarting ({}) {} ago", s.value("ExitCode", 0),
                       humanDuration(secondsSince(s.value("FinishedAt", ""))));
  }
  if (status == "removing") return "Removal In Progress";
  if (status == "dead") return "Dead";
  if (status == "exited") {
    if (s.value("FinishedAt", "") == "0001-01-01T00:00:00Z")
      return fmt::format("Exited ({})", s.value("ExitCode", 0));
    return fmt::format("Exited ({}) {} ago", s.value("ExitCode", 0),
                       humanDuration(secondsSince(s.value("FinishedAt", ""))));
  }
  return "Created";
}

// A port filter value: "80", "80/udp", "8000-8080/tcp".
struct PortRange {
  int first = 0, last = 0;
  std::string proto = "tcp";
};

Result<PortRange> parsePortRange(const std::string& v) {
  PortRange r;
  std::string ports = v;
  if (auto slash = v.find('/'); slash != std::string::npos) {
    ports = v.substr(0, slash);
    r.proto = toLower(v.substr(slash + 1));
  }
  auto dash = ports.find('-');
  auto first = parseInt(ports.substr(0, dash), "port");
  auto last = dash == std::string::npos ? first : parseInt(ports.substr(dash + 1), "port");
  if (!first || !last || *first < 0 || *last < *first || *last > 65535)
    return Error::invalid("invalid port range {:?} in the expose filter", v);
  r.first = static_cast<int>(*first);
  r.last = static_cast<int>(*last);
  return r;
}

// Whether the container's ExposedPorts ("80/tcp": {}) has a port in one of the ranges.
bool exposes(const Json& config, const std::vector<PortRange>& ranges) {
  if (!config.contains("ExposedPorts") || !config["ExposedPorts"].is_object()) return false;
  for (const auto& [key, _] : config["ExposedPorts"].items()) {
    auto p = parsePortRange(key);
    if (!p) continue;
    for (const PortRange& r : ranges)
      if (p->proto == r.proto && p->first >= r.first && p->first <= r.last) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<Json>> ContainerService::list(const ListOptions& o) const {
  auto& im = *impl_;
  std::vector<Json> docs;
  {
    std::lock_guard g(im.mu);
    for (const auto& [_, c] : im.byId) {
      std::lock_guard lk(c->mu);
      docs.push_back(c->doc);
    }
  }
  std::sort(docs.begin(), docs.end(), [](const Json& a, const Json& b) {
    return parseRfc3339Ns(a.value("Created", "")) > parseRfc3339Ns(b.value("Created", ""));
  });
  const apitypes::Filters& f = o.filters;
  for (const std::string& s : f.values("status")) {
    static const std::set<std::string> kStates = {"created", "restarting", "running", "removing",
                                                  "paused",  "exited",     "dead"};
    if (!kStates.count(s)) return Error::invalid("invalid filter 'status={}'", s);
  }
  // before/since: containers created before/after the named one.
  int64_t before = 0, since = 0;
  for (const auto& [key, dst] :
       {std::pair<const char*, int64_t*>{"before", &before}, {"since", &since}}) {
    for (const std::string& ref : f.values(key)) {
      auto c = TRY(im.find(ref));
      std::lock_guard lk(c->mu);
      *dst = parseRfc3339Ns(c->doc.value("Created", ""));
    }
  }
  std::vector<std::string> ancestors;
  for (const std::string& a : f.values("ancestor")) {
    std::lock_guard g(im.imageMu);
    if (auto d = im.images.resolve(a); d) ancestors.push_back(d->str());
  }
  // name: docker's Args.Match, an exact name or a regular expression (one that does not
  // compile matches only exactly).
  std::vector<std::pair<std::string, std::regex>> nameRes;
  for (const std::string& n : f.values("name")) {
    try {
      nameRes.emplace_back(n, std::regex(n));
    } catch (const std::regex_error&) {
      nameRes.emplace_back(n, std::regex("(?!)"));
    }
  }
  auto volumes = f.values("volume");
  std::vector<PortRange> exposeRanges;
  for (const std::string& e : f.values("expose")) exposeRanges.push_back(TRY(parsePortRange(e)));
  for (const std::string& h : f.values("health")) {
    if (h != "starting" && h != "healthy" && h != "unhealthy" && h != "none")
      return Error::invalid("Unrecognised filter value for health: {}", h);
  }
  bool all = o.all || o.limit > 0 || f.has("status") || f.has("exited");
  std::map<std::string, std::string> imageOfRef;
  std::vector<Json> out;
  for (const Json& d : docs) {
    const Json& s = d["State"];
    std::string status = stateStatus(s);
    if (!all && status != "running" && status != "paused" && status != "restarting") continue;
    std::string id = d.value("Id", ""), name = d.value("Name", "");
    if (!f.matchAny("status", status)) continue;
    if (f.has("exited") &&
        (status != "exited" || !f.matchAny("exited", std::to_string(s.value("ExitCode", 0)))))
      continue;
    if (f.has("id")) {
      auto ids = f.values("id");
      if (!std::any_of(ids.begin(), ids.end(),
                       [&](const std::string& p) { return startsWith(id, p); }))
        continue;
    }
    if (f.has("name") && !std::any_of(nameRes.begin(), nameRes.end(), [&](const auto& re) {
          std::string bare = startsWith(name, "/") ? name.substr(1) : name;
          return re.first == name || re.first == bare || std::regex_search(name, re.second) ||
                 std::regex_search(bare, re.second);
        }))
      continue;
    if (f.has("volume") && !std::any_of(volumes.begin(), volumes.end(), [&](const auto& v) {
          for (const auto& m : d.value("Mounts", Json::array()))
            if (m.value("Name", "") == v || m.value("Destination", "") == v) return true;
          return false;
        }))
      continue;
    if (f.has("expose") && !exposes(d["Config"], exposeRanges)) continue;
    if (f.has("health")) {
      std::string health = s.contains("Health") && s["Health"].is_object()
                               ? s["Health"].value("Status", "none")
                               : "none";
      if (!f.matchAny("health", health)) continue;
    }
    // No container publishes ports before bridge networking, and none is a swarm task.
    if (f.has("publish") || (f.has("is-task") && TRY(f.boolValue("is-task")))) continue;
    if (f.has("network")) {
      std::string mode = d["HostConfig"].value("NetworkMode", "none");
      auto nets = f.values("network");
      if (!std::any_of(nets.begin(), nets.end(), [&](const std::string& n) {
            auto resolved = resolveNetwork(n);
            return resolved && *resolved == mode;
          }))
        continue;
    }
    std::map<std::string, std::string> labels;
    if (d["Config"].contains("Labels") && d["Config"]["Labels"].is_object()) {
      for (const auto& [k, v] : d["Config"]["Labels"].items())
        labels[k] = v.is_string() ? v.get<std::string>() : "";
    }
    if (!f.matchLabels("label", labels)) continue;
    if (f.has("ancestor")) {
      auto refs = f.values("ancestor");
      std::string image = d["Config"].value("Image", "");
      bool match =
          std::any_of(refs.begin(), refs.end(), [&](const std::string& r) { return r == image; }) ||
          std::find(ancestors.begin(), ancestors.end(), d.value("Image", "")) != ancestors.end();
      if (!match) continue;
    }
    int64_t created = parseRfc3339Ns(d.value("Created", ""));
    if (before && created >= before) continue;
    if (since && created <= since) continue;

    // docker's ps: arguments with a space in single quotes ("sh -c 'exit 2'").
    std::string command = d.value("Path", "");
    for (const auto& a : d["Args"]) {
      std::string arg = a.get<std::string>();
      command += arg.find(' ') == std::string::npos ? " " + arg : " '" + arg + "'";
    }
    Json mounts = Json::array();
    for (const auto& m : d.value("Mounts", Json::array())) mounts.push_back(m);
    // The name the container was created from, while it still names the same image; else the
    // image ID (docker's ps after a retag or rmi).
    std::string image = d["Config"].value("Image", ""), imageId = d.value("Image", "");
    if (image != imageId) {
      auto it = imageOfRef.find(image);
      if (it == imageOfRef.end()) {
        std::lock_guard g(im.imageMu);
        auto r = im.images.resolve(image);
        it = imageOfRef.emplace(image, r ? r->str() : "").first;
      }
      if (it->second != imageId) image = imageId;
    }
    Json sum = {{"Id", id},
                {"Names", Json::array({name})},
                {"Image", image},
                {"ImageID", d.value("Image", "")},
                {"Command", command},
                {"Created", created / 1000000000},
                {"Ports", Json::array()},
                {"Labels", labels},
                {"State", status},
                {"Status", statusText(s)},
                {"HostConfig", {{"NetworkMode", d["HostConfig"].value("NetworkMode", "none")}}},
                {"NetworkSettings", {{"Networks", containerNetworks(d["HostConfig"])}}},
                {"Mounts", mounts}};
    if (o.size) {
      int64_t rw = im.snapshots->diskUsage(id).value_or(0);
      sum["SizeRw"] = rw;
      sum["SizeRootFs"] = rw + im.imageSize(imageId);
    }
    out.push_back(std::move(sum));
    if (o.limit > 0 && static_cast<int>(out.size()) >= o.limit) break;
  }
  return out;
}

Result<Json> ContainerService::top(const std::string& nameOrId, const std::string& psArgs) const {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  Json doc;
  {
    std::lock_guard lk(c->mu);
    if (!c->doc["State"].value("Running", false)) {
      return Error(ErrorKind::Conflict, fmt::format("Container {} is not running", c->id));
    }
    doc = c->doc;
  }
  RunOutput pidsOut;
  TRY(runProgram({im.runtimeFor(doc), "--root", im.runtimeRoot(), "ps", "--format", "json", c->id},
                 "runtime ps", &pidsOut));
  Json pids = TRY(parseJson(pidsOut.out, "runtime ps output"));
  std::set<std::string> want;
  for (const auto& p : pids) want.insert(std::to_string(p.get<int64_t>()));
  std::vector<std::string> argv = {"ps"};
  for (const std::string& a : split(psArgs.empty() ? "-ef" : psArgs, ' ', true)) argv.push_back(a);
  RunOutput ps;
  TRY(runProgram(argv, "ps", &ps));
  auto lines = split(ps.out, '\n', true);
  if (lines.empty()) return Error::internal("ps printed nothing");
  auto titles = split(lines[0], ' ', true);
  auto pidCol = std::find(titles.begin(), titles.end(), "PID");
  if (pidCol == titles.end()) return Error::invalid("Couldn't find PID field in ps output");
  size_t col = static_cast<size_t>(pidCol - titles.begin());
  Json procs = Json::array();
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fields = split(lines[i], ' ', true);
    if (fields.size() < titles.size() || !want.count(fields[col])) continue;
    Json row = Json::array();
    for (size_t k = 0; k + 1 < titles.size(); ++k) row.push_back(fields[k]);
    std::vector<std::string> rest(fields.begin() + static_cast<long>(titles.size()) - 1,
                                  fields.end());
    row.push_back(join(rest, " "));
    procs.push_back(row);
  }
  return Json{{"Titles", titles}, {"Processes", procs}};
}

Result<Json> ContainerService::changes(const std::string& nameOrId) const {
  auto& im = *impl_;
  auto c = TRY(im.find(nameOrId));
  Json doc;
  {
    std::lock_guard lk(c->mu);
    doc = c->doc;
  }
  auto lowers = TRY(im.rootfsLowers(doc));
  std::string upper = im.snapshots->upperDir(c->id);
  auto inLower = [&](const std::string& rel) {
    struct stat st;
    return std::any_of(lowers.begin(), lowers.end(),
                       [&](const std::string& l) { return ::lstat((l + rel).c_str(), &st) == 0; });
  };
  Json out = Json::array();
  std::function<void(const std::string&)> walk = [&](const std::string& rel) {
    DIR* d = ::opendir((upper + rel).c_str());
    if (!d) return;
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      std::string path = rel + "/" + n;
      struct stat st;
      if (::lstat((upper + path).c_str(), &st) != 0) continue;
      if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
        out.push_back({{"Path", path}, {"Kind", 2}});
        continue;
      }
      out.push_back({{"Path", path}, {"Kind", inLower(path) ? 0 : 1}});
      if (S_ISDIR(st.st_mode)) walk(path);
    }
  };
  walk("");
  return out;
}

Result<Json> ContainerService::prune(const apitypes::Filters& filters) {
  auto& im = *impl_;
  std::vector<std::shared_ptr<Container>> candidates;
  {
    std::lock_guard g(im.mu);
    for (const auto& [_, c] : im.byId) candidates.push_back(c);
  }
  int64_t untilNs = TRY(filters.untilNanos());
  Json deleted = Json::array();
  int64_t reclaimed = 0;
  for (auto& c : candidates) {
    Json doc;
    {
      std::lock_guard lk(c->mu);
      doc = c->doc;
    }
    std::string status = stateStatus(doc["State"]);
    if (status != "exited" && status != "created" && status != "dead") continue;
    std::map<std::string, std::string> labels;
    if (doc["Config"]["Labels"].is_object()) {
      for (const auto& [k, v] : doc["Config"]["Labels"].items())
        labels[k] = v.is_string() ? v.get<std::string>() : "";
    }
    if (!filters.matchLabelFilters(labels)) continue;
    if (untilNs && parseRfc3339Ns(doc.value("Created", "")) >= untilNs) continue;
    int64_t size = im.snapshots->diskUsage(c->id).value_or(0);
    if (remove(c->id, false, false)) {
      deleted.push_back(c->id);
      reclaimed += size;
    }
  }
  return Json{{"ContainersDeleted", deleted.empty() ? Json(nullptr) : deleted},
              {"SpaceReclaimed", reclaimed}};
}

}  // namespace berth::engine
