// docker image inspect and docker history, in Docker's JSON shapes.

#include "base/strings.h"
#include "engine/image_internal.h"

namespace berth::engine {

using namespace detail;

Result<Json> ImageService::inspect(std::string_view nameOrId) const {
  auto& db = *parts().db;
  auto id = TRY(resolve(nameOrId));
  auto rec = TRY(db.image(id));
  auto cfg = TRY(config(id));
  Json j = Json::object();
  j["Id"] = id.str();
  Json tags = Json::array(), digests = Json::array();
  for (auto& t : TRY(db.tagsOf(id))) tags.push_back(familiar(t));
  for (auto& d : TRY(db.repoDigestsOf(id))) digests.push_back(familiar(d));
  j["RepoTags"] = tags;
  j["RepoDigests"] = digests;
  j["Parent"] = rec.parent.str();
  auto extraString = [&](const char* key) -> std::string {
    auto it = cfg.extra.find(key);
    return it != cfg.extra.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  // As dockerd: the config's comment, else the newest history entry's (an import's "Imported
  // from ...").
  j["Comment"] = extraString("comment");
  if (j["Comment"] == "" && !cfg.history.empty()) j["Comment"] = cfg.history.back().comment;
  j["Created"] = cfg.created.empty() ? formatTime(0) : cfg.created;
  if (cfg.extra.contains("container")) j["Container"] = cfg.extra["container"];
  if (cfg.extra.contains("container_config")) j["ContainerConfig"] = cfg.extra["container_config"];
  j["DockerVersion"] = extraString("docker_version");
  j["Author"] = cfg.author;
  j["Config"] = oci::containerConfigToJson(cfg.config);
  j["Architecture"] = cfg.architecture;
  if (!cfg.variant.empty()) j["Variant"] = cfg.variant;
  j["Os"] = cfg.os;
  if (!cfg.osVersion.empty()) j["OsVersion"] = cfg.osVersion;
  j["Size"] = rec.size;
  j["VirtualSize"] = rec.size;
  Json data = Json::object();
  std::vector<std::string> dirs;
  for (auto it = rec.chainIds.rbegin(); it != rec.chainIds.rend(); ++it)
    dirs.push_back(parts().layers->diffDir(*it));
  if (!dirs.empty()) {
    data["UpperDir"] = dirs.front();
    if (dirs.size() > 1)
      data["LowerDir"] = join(std::vector<std::string>(dirs.begin() + 1, dirs.end()), ":");
  }
  j["GraphDriver"] = {{"Name", "overlay2"}, {"Data", data}};
  Json layers = Json::array();
  for (auto& d : cfg.diffIds) layers.push_back(d.str());
  j["RootFS"] = {{"Type", cfg.rootfsType}, {"Layers", layers}};
  j["Metadata"] = {{"LastTagTime", formatTime(rec.addedAt)}};
  return j;
}

Result<std::vector<HistoryItem>> ImageService::history(std::string_view nameOrId) const {
  auto& db = *parts().db;
  auto id = TRY(resolve(nameOrId));
  auto layers = TRY(imageLayers(parts(), id));
  auto cfg = TRY(config(id));
  std::vector<HistoryItem> out;
  auto history = cfg.history;
  if (history.empty()) {
    // An image without history (some imports): one line per layer, as docker shows it.
    for (size_t i = 0; i < layers.size(); ++i) history.push_back({cfg.created, "", "", "", false});
  }
  size_t layer = layers.size();
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    HistoryItem h;
    h.id = "<missing>";
    h.created = parseTime(it->created);
    h.createdBy = it->createdBy;
    h.comment = it->comment;
    if (!it->emptyLayer && layer > 0) h.size = layers[--layer].size;
    out.push_back(std::move(h));
  }
  // As dockerd: the newest line is the image, each older one its next parent while the local
  // parent chain (commit, build) lasts.
  Digest cur = id;
  for (auto& h : out) {
    h.id = cur.str();
    for (auto& t : TRY(db.tagsOf(cur))) h.tags.push_back(familiar(t));
    auto rec = db.image(cur);
    if (!rec || rec->parent.empty() || !db.image(rec->parent)) break;
    cur = rec->parent;
  }
  return out;
}

}  // namespace berth::engine
