// /images/*: list, inspect, history, tag, delete, prune, load, get (save), create (import),
// and /commit.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "api/api.h"
#include "api/pipes.h"
#include "apitypes/filters.h"
#include "base/file.h"
#include "base/strings.h"
#include "engine/image_reference_filter.h"
#include "image/reference.h"

namespace berth::api {

namespace {

using engine::ImageSummary;

Json summaryJson(const ImageSummary& i, bool oldApi) {
  Json j = {
      {"Id", i.id.str()},           {"ParentId", i.parent.str()},
      {"RepoTags", i.repoTags},     {"RepoDigests", i.repoDigests},
      {"Created", i.created},       {"Size", i.size},
      {"SharedSize", i.sharedSize}, {"Labels", i.labels.empty() ? Json(nullptr) : Json(i.labels)},
      {"Containers", i.containers}};
  if (oldApi) j["VirtualSize"] = i.size;
  return j;
}

void imageEvent(Services& s, const std::string& action, const std::string& id,
                const std::string& name = "") {
  engine::Event e{.type = "image", .action = action, .id = id};
  e.attributes["name"] = name.empty() ? id : name;
  s.events.publish(std::move(e));
}

// The IDs of the running (or paused) containers, which no image removal may take from under them.
std::set<std::string> runningContainers(Services& s) {
  std::set<std::string> ids;
  if (auto list = s.containers.list(engine::ListOptions{}))
    for (const Json& c : *list) ids.insert(c.value("Id", ""));
  return ids;
}

}  // namespace

void registerImageRoutes(Router& r, Services& s) {
  r.add("GET", "/images/json", [&s](Exchange& ex) -> Status {
    const Request& q = ex.request();
    auto f = TRY(apitypes::Filters::parse(q.queryValue("filters"),
                                          {"dangling", "label", "reference", "before", "since"}));
    bool all = q.queryBool("all");
    std::vector<ImageSummary> list;
    // before= / since=: only images created strictly before / after the named one.
    std::optional<int64_t> before, since;
    {
      std::lock_guard g(s.imageMu);
      list = TRY(s.images.list(all || f.has("dangling")));
      if (f.has("before") || f.has("since")) {
        auto every = TRY(s.images.list(true));
        auto createdOf = [&](const std::string& ref) -> Result<int64_t> {
          auto id = TRY(s.images.resolve(ref));
          for (const auto& i : every)
            if (i.id == id) return i.created;
          return Error::notFound("No such image: {}", ref);
        };
        for (const auto& v : f.values("before")) {
          int64_t t = TRY(createdOf(v));
          before = before ? std::min(*before, t) : t;
        }
        for (const auto& v : f.values("since")) {
          int64_t t = TRY(createdOf(v));
          since = since ? std::max(*since, t) : t;
        }
      }
      if (f.has("dangling") || q.queryBool("shared-size")) {
        auto du = TRY(s.images.diskUsage());
        std::map<std::string, ImageSummary> byId;
        for (auto& i : du.images) byId[i.id.str()] = i;
        for (auto& i : list) {
          if (auto it = byId.find(i.id.str()); it != byId.end()) {
            i.sharedSize = it->second.sharedSize;
            i.containers = it->second.containers;
          }
        }
      }
    }
    bool dangling = TRY(f.boolValue("dangling"));
    Json out = Json::array();
    auto patterns = f.values("reference");
    for (auto& i : list) {
      if (f.has("dangling") && (i.repoTags.empty()) != dangling) continue;
      if ((before && i.created >= *before) || (since && i.created <= *since)) continue;
      // Docker lists only the tags and digests that match, and leaves out images without one.
      if (f.has("reference") && !TRY(engine::keepMatchingReferences(i, patterns))) continue;
      if (!f.matchLabels("label", i.labels)) continue;
      out.push_back(summaryJson(i, q.versionBelow("1.44")));
    }
    return ex.reply(200, out);
  });

  r.add("GET", "/images/{name*}/json", [&s](Exchange& ex) -> Status {
    std::lock_guard g(s.imageMu);
    return ex.reply(200, TRY(s.images.inspect(ex.request().params[0])));
  });

  r.add("GET", "/images/{name*}/history", [&s](Exchange& ex) -> Status {
    std::vector<engine::HistoryItem> h;
    {
      std::lock_guard g(s.imageMu);
      h = TRY(s.images.history(ex.request().params[0]));
    }
    Json out = Json::array();
    for (const auto& i : h) {
      out.push_back({{"Id", i.id},
                     {"Created", i.created},
                     {"CreatedBy", i.createdBy},
                     {"Tags", i.tags.empty() ? Json(nullptr) : Json(i.tags)},
                     {"Size", i.size},
                     {"Comment", i.comment}});
    }
    return ex.reply(200, out);
  });

  r.add("POST", "/images/{name*}/tag", [&s](Exchange& ex) -> Status {
    const Request& q = ex.request();
    std::string repo = q.queryValue("repo"), tag = q.queryValue("tag");
    if (repo.empty()) return Error::invalid("repository name must have at least one component");
    std::string target = tag.empty() ? repo : repo + ":" + tag;
    Digest id;
    {
      std::lock_guard g(s.imageMu);
      TRY(s.images.tag(q.params[0], target));
      id = TRY(s.images.resolve(target));
    }
    // The familiar name, as dockerd's event shows it (the CLI sends docker.io/library/x).
    auto ref = image::parseReference(target);
    imageEvent(s, "tag", id.str(), ref ? ref->familiarString() : target);
    return ex.replyEmpty(201);
  });

  r.add("DELETE", "/images/{name*}", [&s](Exchange& ex) -> Status {
    const Request& q = ex.request();
    std::vector<engine::RemoveItem> items;
    // Asked before the image lock: a starting container holds its own lock, then the image's.
    std::set<std::string> running = runningContainers(s);
    std::string untaggedId;  // dockerd names an untag event by the image's ID
    {
      std::lock_guard g(s.imageMu);
      untaggedId = TRY(s.images.resolve(q.params[0])).str();
      items = TRY(s.images.remove(q.params[0], q.queryBool("force"), running));
    }
    Json out = Json::array();
    for (const auto& i : items) {
      out.push_back(i.untagged.empty() ? Json{{"Deleted", i.deleted}}
                                       : Json{{"Untagged", i.untagged}});
      if (i.untagged.empty()) {
        imageEvent(s, "delete", i.deleted);
      } else {
        imageEvent(s, "untag", untaggedId, untaggedId);
      }
    }
    return ex.reply(200, out);
  });

  r.add("POST", "/images/prune", [&s](Exchange& ex) -> Status {
    auto f = TRY(apitypes::Filters::parse(ex.request().queryValue("filters"),
                                          {"dangling", "label", "label!", "until"}));
    bool all = f.has("dangling") && !TRY(f.boolValue("dangling"));
    int64_t untilNs = TRY(f.untilNanos());
    engine::PruneReport rep;
    {
      std::lock_guard g(s.imageMu);
      std::map<Digest, engine::ImageSummary> byId;
      for (auto& i : TRY(s.images.list(true))) byId.emplace(i.id, std::move(i));
      rep = TRY(s.images.prune(all, [&](const Digest& id) {
        auto it = byId.find(id);
        if (it == byId.end() || !f.matchLabelFilters(it->second.labels)) return false;
        return !untilNs || it->second.created * int64_t{1000000000} < untilNs;
      }));
    }
    Json items = Json::array();
    for (const auto& i : rep.items) {
      items.push_back(i.untagged.empty() ? Json{{"Deleted", i.deleted}}
                                         : Json{{"Untagged", i.untagged}});
    }
    return ex.reply(200, Json{{"ImagesDeleted", items.empty() ? Json(nullptr) : items},
                              {"SpaceReclaimed", rep.spaceReclaimed}});
  });

  r.add("POST", "/images/load", [&s](Exchange& ex) -> Status {
    bool quiet = ex.request().queryBool("quiet");
    auto pipe = TRY(pipeBody(ex));
    std::vector<std::string> lines;
    Result<std::vector<std::string>> loaded = std::vector<std::string>();
    {
      std::lock_guard g(s.imageMu);
      loaded = s.images.load(pipe->readEnd.get(),
                             [&](const std::string& line) { lines.push_back(line); });
    }
    pipe.reset();
    // Not TRY: it would move the value out of loaded, which is used below.
    if (!loaded) return loaded.error();
    for (const auto& ref : *loaded) imageEvent(s, "load", ref, ref);
    std::string body;
    for (const auto& l : lines) body += dumpJson(Json{{"stream", l + "\n"}}) + "\n";
    (void)quiet;
    return ex.replyBytes(200, "application/json", body);
  });

  auto save = [&s](Exchange& ex, std::vector<std::string> names) -> Status {
    if (names.empty()) return Error::invalid("no image names given");
    {
      std::lock_guard g(s.imageMu);
      for (const auto& n : names) TRY(s.images.resolve(n));
    }
    return streamOutput(ex, "application/x-tar", [&](int fd) {
      std::lock_guard g(s.imageMu);
      return s.images.save(names, fd);
    });
  };
  r.add("GET", "/images/get", [save](Exchange& ex) -> Status {
    std::vector<std::string> names;
    auto [b, e] = ex.request().query.equal_range("names");
    for (auto it = b; it != e; ++it) names.push_back(it->second);
    return save(ex, names);
  });
  r.add("GET", "/images/{name*}/get",
        [save](Exchange& ex) -> Status { return save(ex, {ex.request().params[0]}); });

  r.add("POST", "/images/create", [&s](Exchange& ex) -> Status {
    const Request& q = ex.request();
    if (q.hasQuery("fromImage")) {
      std::string ref = q.queryValue("fromImage");
      if (!q.queryValue("tag").empty())
        ref += (startsWith(q.queryValue("tag"), "sha256:") ? "@" : ":") + q.queryValue("tag");
      return Error(
          ErrorKind::NotFound,
          fmt::format("pull access to {} is not available: berth cannot pull from registries yet; "
                      "bring the image with `docker load` or `berth-image bootstrap`",
                      ref));
    }
    if (q.queryValue("fromSrc") != "-") {
      return Error::invalid("only fromSrc=- (the request body) is supported for import");
    }
    engine::ImportOptions opts;
    auto [b, e] = q.query.equal_range("changes");
    for (auto it = b; it != e; ++it) opts.changes.push_back(it->second);
    opts.message = q.queryValue("message");
    if (!q.queryValue("repo").empty()) {
      opts.reference =
          q.queryValue("repo") + (q.queryValue("tag").empty() ? "" : ":" + q.queryValue("tag"));
    }
    auto pipe = TRY(pipeBody(ex));
    Result<Digest> id = Digest();
    {
      std::lock_guard g(s.imageMu);
      id = s.images.import(pipe->readEnd.get(), opts);
    }
    pipe.reset();
    if (!id) return id.error();  // not TRY, which would move the ID out
    imageEvent(s, "import", id->str(), opts.reference);
    return ex.replyBytes(200, "application/json", dumpJson(Json{{"status", id->str()}}) + "\n");
  });

  r.add("POST", "/commit", [&s](Exchange& ex) -> Status {
    const Request& q = ex.request();
    engine::CommitOptions opts;
    std::string repo = q.queryValue("repo"), tag = q.queryValue("tag");
    if (!repo.empty()) opts.reference = tag.empty() ? repo : repo + ":" + tag;
    opts.author = q.queryValue("author");
    opts.message = q.queryValue("comment");
    auto [b, e] = q.query.equal_range("changes");
    for (auto it = b; it != e; ++it) {
      for (const auto& line : split(it->second, '\n', true)) opts.changes.push_back(line);
    }
    Digest id =
        TRY(s.containers.commit(q.queryValue("container"), opts, q.queryBool("pause", true)));
    return ex.reply(201, Json{{"Id", id.str()}});
  });
}

}  // namespace berth::api
