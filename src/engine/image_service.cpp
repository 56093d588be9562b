// ImageService: opening a data root, finding images, tagging, removing and pruning them.

#include "engine/image_service.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "base/log.h"
#include "base/strings.h"
#include "engine/image_internal.h"
#include "image/reference.h"
#include "storage/fs_tree.h"

namespace berth::engine {

using namespace detail;

ImageService::ImageService(std::string dataRoot, std::unique_ptr<Parts> parts)
    : dataRoot_(std::move(dataRoot)), parts_(std::move(parts)) {}
ImageService::~ImageService() = default;

Result<std::unique_ptr<ImageService>> ImageService::open(const std::string& dataRoot) {
  if (::mkdir(dataRoot.c_str(), 0711) != 0 && errno != EEXIST)
    return Error::sys(errno, "mkdir {}", dataRoot);
  auto parts = std::make_unique<Parts>();
  parts->dataRoot = dataRoot;
  parts->content = TRY_CTX(image::openContentStore(dataRoot), "open content store");
  parts->db = TRY_CTX(image::openImageDb(dataRoot + "/berth.db"), "open image database");
  parts->layers = TRY_CTX(storage::openLayerStore(dataRoot), "open layer store");
  return std::make_unique<ImageService>(dataRoot, std::move(parts));
}

namespace {

bool isHexPrefix(std::string_view s) {
  if (startsWith(s, "sha256:")) s.remove_prefix(7);
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Error noSuchImage(std::string_view s) {
  return Error(ErrorKind::NotFound, fmt::format("No such image: {}", s));
}

// The repository of a stored reference ("docker.io/library/busybox:latest" -> its name).
std::string repoOf(const std::string& ref) {
  auto r = image::parseNormalizedNamed(ref);
  return r ? r->name() : ref;
}

// docker's isSingleReference: the references are at most one tag, and digests of that tag's
// repository only.
bool singleReference(const std::vector<std::string>& tags,
                     const std::vector<std::string>& digests) {
  size_t n = tags.size() + digests.size();
  if (n <= 1) return n == 1;
  if (tags.size() > 1) return false;
  std::set<std::string> digestRepos;
  for (auto& d : digests) digestRepos.insert(repoOf(d));
  std::string repo = repoOf(tags.empty() ? digests.front() : tags.front());
  return digestRepos.size() == 1 && digestRepos.count(repo) > 0;
}

}  // namespace

Result<Digest> ImageService::resolve(std::string_view s) const {
  auto& db = *parts_->db;
  if (image::isFullImageId(s)) {
    auto d =
        TRY(Digest::parse(startsWith(s, "sha256:") ? std::string(s) : "sha256:" + std::string(s)));
    if (db.image(d)) return d;
    return noSuchImage(s);
  }
  if (auto ref = image::parseReference(s)) {
    std::string key = ref->digest ? ref->name() + "@" + ref->digest->str() : ref->nameTag();
    if (auto id = db.resolve(key)) return *id;
    if (ref->digest && db.image(*ref->digest)) return *ref->digest;  // name@<image id>
    if (!isHexPrefix(s)) return noSuchImage(ref->familiarString());
  }
  if (isHexPrefix(s)) {
    auto hex = startsWith(s, "sha256:") ? s.substr(7) : s;
    auto id = db.resolveIdPrefix(hex);
    if (id) return *id;
    if (id.error().kind() != ErrorKind::NotFound) return std::move(id).error();
    return noSuchImage(s);
  }
  // Not a reference nor an ID: say what is wrong with it as a reference.
  return std::move(image::parseReference(s)).error();
}

Result<image::ImageRecord> ImageService::record(const Digest& id) const {
  return parts_->db->image(id);
}

Result<std::string> ImageService::configBytes(const Digest& id) const {
  return TRY_CTX(parts_->content->read(id), "image {} config", id.shortHex());
}

Result<oci::ImageConfig> ImageService::config(const Digest& id) const {
  auto bytes = TRY(configBytes(id));
  return TRY_CTX(oci::parseImageConfig(bytes), "image {} config", id.shortHex());
}

Result<std::vector<ImageSummary>> ImageService::list(bool all) const {
  auto& db = *parts_->db;
  std::vector<ImageSummary> out;
  for (auto& rec : TRY(db.images())) {
    ImageSummary s;
    s.id = rec.id;
    for (auto& t : TRY(db.tagsOf(rec.id))) s.repoTags.push_back(familiar(t));
    for (auto& t : TRY(db.repoDigestsOf(rec.id))) s.repoDigests.push_back(familiar(t));
    // docker images hides untagged images that are parents of others (intermediate images).
    if (!all && s.repoTags.empty() && !TRY(db.childrenOf(rec.id)).empty()) continue;
    s.parent = rec.parent;
    s.created = parseTime(rec.created);
    s.size = rec.size;
    if (auto cfg = config(rec.id)) s.labels = cfg->config.labels;
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.created > b.created; });
  return out;
}

Status ImageService::tag(std::string_view source, std::string_view target) {
  auto id = TRY(resolve(source));
  auto ref = TRY(normaliseTagged(target));
  return parts_->db->tag(ref, id);
}

Result<std::vector<RemoveItem>> ImageService::remove(std::string_view s, bool force,
                                                     const std::set<std::string>& running) {
  auto& db = *parts_->db;
  auto id = TRY(resolve(s));
  std::vector<RemoveItem> items;
  auto tags = TRY(db.tagsOf(id));
  auto digests = TRY(db.repoDigestsOf(id));
  auto users = TRY(db.usersOf(id));
  bool hasChildren = !TRY(db.childrenOf(id)).empty();
  std::string shortId = id.shortHex();
  auto runningUser = std::find_if(users.begin(), users.end(),
                                  [&](const std::string& c) { return running.count(c) > 0; });
  auto conflict = [&](bool hard, const std::string& why) {
    return Error(ErrorKind::Conflict,
                 fmt::format("conflict: unable to delete {} ({}) - {}", shortId,
                             hard ? "cannot be forced" : "must be forced", why));
  };
  bool byId = false;
  if (isHexPrefix(s) && startsWith(id.hex(), startsWith(s, "sha256:") ? s.substr(7) : s)) {
    auto asName = normaliseTagged(s);
    byId = !asName || !db.resolve(*asName);
  }
  if (!byId) {
    auto ref = TRY(image::parseReference(s));
    std::string key = ref.digest ? ref.name() + "@" + ref.digest->str() : ref.nameTag();
    if (!users.empty() && singleReference(tags, digests) && !force)
      return Error(
          ErrorKind::Conflict,
          fmt::format(
              "conflict: unable to remove repository reference {:?} (must force) - container {} is "
              "using its referenced image {}",
              std::string(s), users.front().substr(0, 12), shortId));
    TRY(db.untag(key));
    items.push_back({familiar(key), ""});
    // As docker: the last tag of a repository takes that repository's digests with it.
    if (!ref.digest) {
      std::string repo = ref.name();
      bool tagLeft = false;
      for (auto& t : TRY(db.tagsOf(id))) tagLeft |= repoOf(t) == repo;
      for (auto& d : tagLeft ? std::vector<std::string>{} : TRY(db.repoDigestsOf(id))) {
        if (repoOf(d) != repo) continue;
        TRY(db.untag(d));
        items.push_back({familiar(d), ""});
      }
    }
    // Other names remain, or the image is still needed (a child image, a running container):
    // untagging was all, as docker's quiet delete after an untag.
    if (!TRY(db.tagsOf(id)).empty() || !TRY(db.repoDigestsOf(id)).empty() || hasChildren ||
        runningUser != users.end())
      return items;
  } else {
    // Docker's order: hard conflicts (a child image, a running container) even when forced,
    // then the soft ones (names in several repositories, a stopped container).
    if (hasChildren) return conflict(true, "image has dependent child images");
    if (runningUser != users.end())
      return conflict(true,
                      "image is being used by running container " + runningUser->substr(0, 12));
    if (!force && !(tags.empty() && digests.empty()) && !singleReference(tags, digests))
      return conflict(false, "image is referenced in multiple repositories");
    if (!force && !users.empty())
      return conflict(false,
                      "image is being used by stopped container " + users.front().substr(0, 12));
  }
  Digest parent = TRY(db.image(id)).parent;
  auto removal = TRY(db.removeImage(id, force));
  bool deleted = !removal.deleted.empty();
  for (auto& u : removal.untagged) items.push_back({familiar(u), ""});
  for (auto& d : removal.deleted) items.push_back({"", d.str()});
  for (auto& l : removal.layers) {
    items.push_back({"", l.str()});
    if (auto st = parts_->layers->remove(l); !st)
      spdlog::warn("remove layer {}: {}", l.str(), st.error().what());
  }
  for (auto& b : removal.blobs)
    if (auto st = parts_->content->remove(b); !st)
      spdlog::warn("remove blob {}: {}", b.str(), st.error().what());
  // As docker rmi (without --no-prune): an untagged parent that nothing else needs goes too.
  if (deleted && !parent.empty() && db.image(parent) && TRY(db.tagsOf(parent)).empty() &&
      TRY(db.repoDigestsOf(parent)).empty() && TRY(db.childrenOf(parent)).empty() &&
      TRY(db.usersOf(parent)).empty()) {
    auto more = TRY(remove(parent.str(), false));
    items.insert(items.end(), more.begin(), more.end());
  }
  return items;
}

Result<PruneReport> ImageService::prune(bool all, const std::function<bool(const Digest&)>& match) {
  auto& db = *parts_->db;
  PruneReport rep;
  int64_t before = 0;
  for (auto& l : TRY(db.layers())) before += l.size;
  // Children first: an image is prunable only once no other image names it as parent.
  for (bool again = true; again;) {
    again = false;
    for (auto& rec : TRY(db.images())) {
      if (!TRY(db.usersOf(rec.id)).empty() || !TRY(db.childrenOf(rec.id)).empty()) continue;
      if (!all && !TRY(db.tagsOf(rec.id)).empty()) continue;
      if (match && !match(rec.id)) continue;
      auto items = TRY(remove(rec.id.str(), true));
      rep.items.insert(rep.items.end(), items.begin(), items.end());
      again = true;
    }
  }
  TRY(collectGarbage());
  int64_t after = 0;
  for (auto& l : TRY(db.layers())) after += l.size;
  rep.spaceReclaimed = before - after;
  return rep;
}

Result<DiskUsage> ImageService::diskUsage() const {
  auto& db = *parts_->db;
  DiskUsage du;
  std::map<Digest, int64_t> layerSize;
  for (auto& l : TRY(db.layers())) {
    layerSize[l.chainId] = l.size;
    du.layersSize += l.size;
  }
  std::set<Digest> inUse;
  for (auto& s : TRY(list(true))) {
    auto rec = TRY(db.image(s.id));
    s.sharedSize = 0;
    for (auto& c : rec.chainIds)
      if (TRY(db.layerUsers(c)) > 1) s.sharedSize += layerSize[c];
    s.containers = static_cast<int64_t>(TRY(db.usersOf(s.id)).size());
    if (s.containers > 0) inUse.insert(rec.chainIds.begin(), rec.chainIds.end());
    du.images.push_back(std::move(s));
  }
  du.reclaimable = du.layersSize;
  for (auto& c : inUse) du.reclaimable -= layerSize[c];
  return du;
}

Status ImageService::collectGarbage() {
  auto& db = *parts_->db;
  // Stage and scratch dirs of loads and bootstraps a crash interrupted. (The caller holds the
  // data root's lock: no load of this process or another is running.)
  TRY(storage::removeTree(dataRoot_ + "/tmp"));
  std::set<Digest> keepLayers;
  for (auto& l : TRY(db.layers())) keepLayers.insert(l.chainId);
  TRY(parts_->layers->collectGarbage(keepLayers));
  auto wanted = TRY(db.referencedBlobs());
  std::set<Digest> keep(wanted.begin(), wanted.end());
  for (auto& b : TRY(parts_->content->list()))
    if (!keep.count(b)) TRY(parts_->content->remove(b));
  return ok();
}

Result<std::vector<std::string>> ImageService::layerDirs(const Digest& id) const {
  auto rec = TRY(parts_->db->image(id));
  std::vector<std::string> dirs;
  for (auto& c : rec.chainIds) {
    if (!parts_->layers->has(c))
      return Error::notFound("layer {} of image {} is missing", c.str(), id.shortHex());
    dirs.push_back(parts_->layers->diffDir(c));
  }
  return dirs;
}

Status ImageService::addUser(const Digest& id, const std::string& containerId) {
  return parts_->db->addUser(id, containerId);
}

Status ImageService::removeUser(const Digest& id, const std::string& containerId) {
  return parts_->db->removeUser(id, containerId);
}

}  // namespace berth::engine
