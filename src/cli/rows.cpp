#include "cli/rows.h"

#include <algorithm>
#include <map>

#include "base/strings.h"
#include "cli/format/go_fmt.h"
#include "cli/format/units.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

std::string imageColumn(const Json& c, bool trunc) {
  std::string image = c.value("Image", "");
  if (image.empty()) return "<no image>";
  if (!trunc) return image;
  if (startsWith(image, "sha256:")) return shortId(image);
  if (auto at = image.find("@sha256:"); at != std::string::npos) {
    image = image.substr(0, at);
  }
  if (shortId(image) == shortId(c.value("ImageID", "")) && image.size() >= 12)
    return shortId(image);
  return image;
}

// reference.FamiliarName: docker.io/library/busybox -> busybox.
std::string familiar(std::string name) {
  if (startsWith(name, "docker.io/")) name = name.substr(10);
  if (startsWith(name, "library/") && name.find('/', 8) == std::string::npos) name = name.substr(8);
  return name;
}

Json row(const Json& img, const std::string& repo, const std::string& tag,
         const std::string& digest, bool trunc) {
  Json r = Json::object();
  std::string id = img.value("Id", "");
  r["ID"] = trunc ? shortId(id) : id;
  r["Repository"] = repo;
  r["Tag"] = tag;
  r["Digest"] = digest;
  int64_t created = img.value("Created", int64_t{0});
  r["CreatedSince"] = timeAgo(created);
  r["CreatedAt"] = goTimeString(created);
  int64_t size = img.value("Size", int64_t{0});
  r["Size"] = humanSize(static_cast<double>(size));
  r["VirtualSize"] = humanSize(static_cast<double>(img.value("VirtualSize", size)), 4);
  int64_t shared = img.value("SharedSize", int64_t{-1});
  r["SharedSize"] = shared == -1 ? "N/A" : humanSize(static_cast<double>(shared));
  r["UniqueSize"] = shared == -1 ? "N/A" : humanSize(static_cast<double>(size - shared));
  int64_t containers = img.value("Containers", int64_t{-1});
  r["Containers"] = containers == -1 ? "N/A" : std::to_string(containers);
  return r;
}

}  // namespace

Json containerHeaders() {
  return {{"ID", "CONTAINER ID"},    {"Image", "IMAGE"},
          {"Command", "COMMAND"},    {"CreatedAt", "CREATED AT"},
          {"RunningFor", "CREATED"}, {"Ports", "PORTS"},
          {"State", "STATE"},        {"Status", "STATUS"},
          {"Size", "SIZE"},          {"Names", "NAMES"},
          {"Labels", "LABELS"},      {"Mounts", "MOUNTS"},
          {"Networks", "NETWORKS"},  {"LocalVolumes", "LOCAL VOLUMES"},
          {"Platform", "PLATFORM"}};
}

// docker's DisplayablePorts without its range folding: "0.0.0.0:8080->80/tcp, 443/tcp".
std::string displayPorts(const Json& ports) {
  if (!ports.is_array()) return "";
  std::vector<std::string> out;
  for (const auto& p : ports) {
    std::string type = p.value("Type", "tcp");
    int priv = p.value("PrivatePort", 0), pub = p.value("PublicPort", 0);
    std::string ip = p.value("IP", "");
    if (pub != 0) {
      if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
      out.push_back(fmt::format("{}:{}->{}/{}", ip, pub, priv, type));
    } else {
      out.push_back(fmt::format("{}/{}", priv, type));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return join(out, ", ");
}

Json containerRow(const Json& c, bool trunc) {
  Json r = Json::object();
  std::string id = c.value("Id", "");
  r["ID"] = trunc ? shortId(id) : id;
  r["Image"] = imageColumn(c, trunc);
  std::string cmd = c.value("Command", "");
  r["Command"] = goQuote(trunc ? ellipsis(cmd, 20) : cmd);
  int64_t created = c.value("Created", int64_t{0});
  r["CreatedAt"] = goTimeString(created);
  r["RunningFor"] = timeAgo(created);
  r["Ports"] = displayPorts(c.value("Ports", Json::array()));
  r["State"] = c.value("State", "");
  r["Status"] = c.value("Status", "");
  std::string size = humanSize(static_cast<double>(c.value("SizeRw", int64_t{0})));
  if (c.value("SizeRootFs", int64_t{0}) > 0) {
    size += " (virtual " + humanSize(static_cast<double>(c.value("SizeRootFs", int64_t{0}))) + ")";
  }
  r["Size"] = size;
  std::vector<std::string> names;
  if (c.contains("Names") && c["Names"].is_array()) {
    for (const auto& n : c["Names"]) {
      std::string s = n.get<std::string>();
      names.push_back(startsWith(s, "/") ? s.substr(1) : s);
    }
  }
  if (trunc) {
    for (const auto& n : names) {
      if (n.find('/') == std::string::npos) {
        names = {n};
        break;
      }
    }
  }
  r["Names"] = join(names, ",");
  Json labels = c.contains("Labels") && c["Labels"].is_object() ? c["Labels"] : Json::object();
  std::vector<std::string> kv;
  for (const auto& [k, v] : labels.items())
    kv.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
  r["Labels"] = join(kv, ",");
  r["Label"] = labels;
  std::vector<std::string> mounts;
  int local = 0;
  if (c.contains("Mounts") && c["Mounts"].is_array()) {
    for (const auto& m : c["Mounts"]) {
      std::string name = m.value("Name", "");
      if (name.empty()) name = m.value("Source", "");
      mounts.push_back(trunc ? ellipsis(name, 15) : name);
      if (m.value("Driver", "") == "local") ++local;
    }
  }
  r["Mounts"] = join(mounts, ",");
  r["LocalVolumes"] = std::to_string(local);
  std::vector<std::string> nets;
  if (c.contains("NetworkSettings") && c["NetworkSettings"].is_object() &&
      c["NetworkSettings"].contains("Networks") && c["NetworkSettings"]["Networks"].is_object()) {
    for (const auto& [k, v] : c["NetworkSettings"]["Networks"].items()) nets.push_back(k);
  }
  r["Networks"] = join(nets, ",");
  r["Platform"] = nullptr;
  return r;
}

Json imageHeaders() {
  return {{"Repository", "REPOSITORY"},
          {"Tag", "TAG"},
          {"Digest", "DIGEST"},
          {"ID", "IMAGE ID"},
          {"CreatedSince", "CREATED"},
          {"CreatedAt", "CREATED AT"},
          {"Size", "SIZE"},
          {"Containers", "CONTAINERS"},
          {"SharedSize", "SHARED SIZE"},
          {"UniqueSize", "UNIQUE SIZE"},
          {"VirtualSize", "VIRTUAL SIZE"}};
}

void addImageRows(std::vector<Json>& rows, const Json& img, bool withDigests, bool trunc) {
  auto tags = stringList(img, "RepoTags"), digests = stringList(img, "RepoDigests");
  bool dangling = (tags.empty() || (tags.size() == 1 && tags[0] == "<none>:<none>")) &&
                  (digests.empty() || (digests.size() == 1 && digests[0] == "<none>@<none>"));
  if (dangling) {
    rows.push_back(row(img, "<none>", "<none>", "<none>", trunc));
    return;
  }
  std::map<std::string, std::vector<std::string>> repoTags, repoDigests;
  for (const auto& t : tags) {
    if (t == "<none>:<none>") continue;
    auto colon = t.rfind(':');
    auto slash = t.rfind('/');
    if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) continue;
    repoTags[familiar(t.substr(0, colon))].push_back(t.substr(colon + 1));
  }
  for (const auto& d : digests) {
    auto at = d.find('@');
    if (at == std::string::npos || d == "<none>@<none>") continue;
    repoDigests[familiar(d.substr(0, at))].push_back(d.substr(at + 1));
  }
  for (auto& [repo, ts] : repoTags) {
    std::vector<std::string> ds;
    if (auto it = repoDigests.find(repo); it != repoDigests.end()) {
      ds = it->second;
      repoDigests.erase(it);
    }
    if (!withDigests) ds.clear();
    std::sort(ts.begin(), ts.end());
    for (const auto& t : ts) {
      if (ds.empty()) {
        rows.push_back(row(img, repo, t, "<none>", trunc));
        continue;
      }
      for (const auto& d : ds) rows.push_back(row(img, repo, t, d, trunc));
    }
  }
  for (const auto& [repo, ds] : repoDigests) {
    if (withDigests) {
      for (const auto& d : ds) rows.push_back(row(img, repo, "<none>", d, trunc));
    } else {
      rows.push_back(row(img, repo, "<none>", "<none>", trunc));
    }
  }
}

}  // namespace berth::cli
