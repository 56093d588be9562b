#include "cli/commands/prune.h"

#include "base/strings.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

Result<Json> prune(Cli& cli, const std::string& path, std::vector<std::string> filters) {
  client::Client* c = TRY(cli.client());
  client::Query q;
  q.opt("filters", TRY(filtersJson(filters)));
  return c->postJson(path, q);
}

std::string section(const std::string& title, const Json& items, bool images) {
  if (!items.is_array() || items.empty()) return "";
  std::string out = title + ":\n";
  for (const auto& i : items) {
    if (!images) {
      out += i.get<std::string>() + "\n";
    } else if (i.contains("Untagged") && !i["Untagged"].get<std::string>().empty()) {
      out += "untagged: " + i["Untagged"].get<std::string>() + "\n";
    } else if (i.contains("Deleted")) {
      out += "deleted: " + i["Deleted"].get<std::string>() + "\n";
    }
  }
  return out;
}

}  // namespace

Result<PruneReport> pruneContainers(Cli& cli, const std::vector<std::string>& filters) {
  Json r = TRY(prune(cli, "/containers/prune", filters));
  std::string out = section("Deleted Containers", r.value("ContainersDeleted", Json()), false);
  return PruneReport{out.empty() ? 0 : r.value("SpaceReclaimed", int64_t{0}), out};
}

Result<PruneReport> pruneImages(Cli& cli, const std::vector<std::string>& filters, bool all) {
  std::vector<std::string> f = filters;
  f.push_back(all ? "dangling=false" : "dangling=true");
  Json r = TRY(prune(cli, "/images/prune", f));
  std::string out = section("Deleted Images", r.value("ImagesDeleted", Json()), true);
  return PruneReport{out.empty() ? 0 : r.value("SpaceReclaimed", int64_t{0}), out};
}

Result<PruneReport> pruneVolumes(Cli& cli, const std::vector<std::string>& filters, bool all) {
  std::vector<std::string> f = filters;
  if (all) f.push_back("all=true");
  client::Client* c = TRY(cli.client());
  // "all" exists from API 1.42; older daemons prune every unused volume anyway.
  if (all && client::versionLess(TRY(c->apiVersion()), "1.42")) f.pop_back();
  Json r = TRY(prune(cli, "/volumes/prune", f));
  std::string out = section("Deleted Volumes", r.value("VolumesDeleted", Json()), false);
  return PruneReport{out.empty() ? 0 : r.value("SpaceReclaimed", int64_t{0}), out};
}

}  // namespace berth::cli
