// OCI image layout directories (read and written by skopeo, umoci, buildkit) and the index
// logic docker load/save share with them.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/oci_index.h"
#include "image/reference.h"

namespace berth::engine {

using namespace detail;

namespace detail {

constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr const char* kImageNameAnnotation = "io.containerd.image.name";

Result<std::vector<ExportImage>> selectForExport(const ImageService& s,
                                                 const std::vector<std::string>& names) {
  auto& db = *s.parts().db;
  std::vector<ExportImage> out;
  auto add = [&](const Digest& id, const std::string& ref) {
    for (auto& e : out)
      if (e.id == id) {
        if (!ref.empty() && std::find(e.refs.begin(), e.refs.end(), ref) == e.refs.end())
          e.refs.push_back(ref);
        return;
      }
    out.push_back({id, ref.empty() ? std::vector<std::string>{} : std::vector<std::string>{ref}});
  };
  if (names.empty()) return Error::invalid("no images named");
  for (auto& n : names) {
    auto id = TRY(s.resolve(n));
    auto named = image::parseNormalizedNamed(n);
    if (!named ||
        (named->tag.empty() && !named->digest && !db.resolve(named->name() + ":latest"))) {
      add(id, "");  // an ID
      continue;
    }
    if (named->digest) {
      add(id, "");
      continue;
    }
    if (!named->tag.empty()) {
      add(id, named->nameTag());
      continue;
    }
    // A bare repository: every tag in it, as docker save does.
    for (auto& img : TRY(db.images()))
      for (auto& t : TRY(db.tagsOf(img.id))) {
        auto r = image::parseNormalizedNamed(t);
        if (r && r->name() == named->name()) add(img.id, t);
      }
  }
  return out;
}

std::vector<oci::Descriptor> indexDescriptors(const Digest& manifest, int64_t size,
                                              const std::vector<std::string>& refs) {
  oci::Descriptor base;
  base.mediaType = std::string(oci::kMediaTypeOciManifest);
  base.digest = manifest;
  base.size = size;
  std::vector<oci::Descriptor> out;
  for (auto& r : refs) {
    auto d = base;
    auto ref = image::parseNormalizedNamed(r);
    d.annotations[kImageNameAnnotation] = r;
    if (ref && !ref->tag.empty()) d.annotations[kRefNameAnnotation] = ref->tag;
    out.push_back(std::move(d));
  }
  if (out.empty()) out.push_back(base);
  return out;
}

Status registerLoaded(ImageService::Parts& p, const Digest& cfgDigest, const oci::ImageConfig& cfg,
                      const std::vector<image::LayerRecord>& layers,
                      const std::vector<std::string>& refs, const oci::Descriptor& manifest,
                      const ProgressFn& say, std::vector<std::string>& loaded) {
  auto rec = makeRecord(cfgDigest, cfg, layers);
  rec.manifestDigest = manifest.digest;
  rec.manifestMediaType = manifest.mediaType;
  if (auto old = p.db->image(cfgDigest)) rec.addedAt = old->addedAt;
  for (auto& r : refs) {
    auto prev = p.db->resolve(r);
    if (prev && *prev != cfgDigest && say)
      say(fmt::format(
          "The image {} already exists, renaming the old one with ID {} to empty string",
          familiar(r), prev->str()));
  }
  TRY(p.db->addImage(rec, layers, refs));
  if (refs.empty()) {
    loaded.push_back(cfgDigest.str());
    if (say) say("Loaded image ID: " + cfgDigest.str());
  }
  for (auto& r : refs) {
    loaded.push_back(familiar(r));
    if (say) say("Loaded image: " + familiar(r));
  }
  return ok();
}

namespace {

bool platformMatches(const std::optional<oci::Platform>& pl) {
  if (!pl) return true;
  return (pl->os.empty() || pl->os == "linux") &&
         (pl->architecture.empty() || pl->architecture == hostArchitecture());
}

struct IndexLoader {
  ImageService& s;
  const BlobFetcher& fetch;
  const ProgressFn& say;
  std::vector<std::string> loaded;

  Status manifest(const oci::Descriptor& desc, const std::vector<std::string>& refs) {
    auto& p = s.parts();
    auto md = TRY(fetch(desc.digest));
    auto bytes = TRY(p.content->read(md));
    auto m = TRY_CTX(oci::parseManifest(bytes), "manifest {}", desc.digest.str());
    TRY(fetch(m.config.digest));
    auto cfg = TRY(s.config(m.config.digest));
    if (cfg.diffIds.size() != m.layers.size())
      return Error::invalid("manifest {}: {} layers but the config lists {} diff IDs",
                            desc.digest.str(), m.layers.size(), cfg.diffIds.size());
    std::vector<LayerInput> inputs;
    for (size_t i = 0; i < m.layers.size(); ++i) {
      auto& l = m.layers[i];
      if (!oci::isLayerMediaType(l.mediaType))
        return Error::invalid("manifest {}: layer {} has media type {:?}, not a layer",
                              desc.digest.str(), i, l.mediaType);
      TRY(fetch(l.digest));
      inputs.push_back({l.digest, l.size, l.mediaType, cfg.diffIds[i]});
    }
    auto layers = TRY(ensureLayers(p, inputs));
    oci::Descriptor kept = desc;
    if (kept.mediaType.empty())
      kept.mediaType = m.mediaType.empty() ? std::string(oci::kMediaTypeOciManifest) : m.mediaType;
    return registerLoaded(p, m.config.digest, cfg, layers, refs, kept, say, loaded);
  }

  Status descriptor(const oci::Descriptor& desc, const std::vector<std::string>& refs, int depth) {
    if (depth > 4) return Error::invalid("index nesting is too deep");
    if (oci::isIndexMediaType(desc.mediaType)) {
      auto d = TRY(fetch(desc.digest));
      auto idx =
          TRY_CTX(oci::parseIndex(TRY(s.parts().content->read(d))), "index {}", desc.digest.str());
      for (auto& m : idx.manifests)
        if (platformMatches(m.platform)) return descriptor(m, refs, depth + 1);
      return Error::notFound("index {} has no manifest for linux/{}", desc.digest.str(),
                             hostArchitecture());
    }
    if (!desc.mediaType.empty() && !oci::isManifestMediaType(desc.mediaType))
      return Error::invalid("index entry {} has media type {:?}, not an image", desc.digest.str(),
                            desc.mediaType);
    return manifest(desc, refs);
  }
};

}  // namespace

Result<std::vector<std::string>> loadFromIndex(ImageService& s, const std::string& indexJson,
                                               const BlobFetcher& fetch, const std::string& refName,
                                               const std::string& tag, const ProgressFn& say) {
  auto idx = TRY_CTX(oci::parseIndex(indexJson), "index.json");
  std::vector<const oci::Descriptor*> chosen;
  for (auto& d : idx.manifests) {
    auto refIt = d.annotations.find(kRefNameAnnotation);
    auto nameIt = d.annotations.find(kImageNameAnnotation);
    if (!refName.empty() && !(refIt != d.annotations.end() && refIt->second == refName) &&
        !(nameIt != d.annotations.end() && nameIt->second == refName))
      continue;
    chosen.push_back(&d);
  }
  if (chosen.empty())
    return Error::notFound("index.json has no image{}", refName.empty() ? "" : " named " + refName);
  if (!tag.empty() && chosen.size() > 1)
    return Error::invalid("index.json names {} images; choose one to tag it {}", chosen.size(),
                          tag);
  IndexLoader loader{s, fetch, say, {}};
  for (auto* d : chosen) {
    std::vector<std::string> refs;
    if (!tag.empty()) {
      refs.push_back(TRY(normaliseTagged(tag)));
    } else if (auto it = d->annotations.find(kImageNameAnnotation); it != d->annotations.end()) {
      if (auto r = normaliseTagged(it->second)) refs.push_back(*r);
    }
    TRY(loader.descriptor(*d, refs, 0));
  }
  return loader.loaded;
}

}  // namespace detail

namespace {

// Copies src (an open blob) to path through a temp file and rename, so a reader of the layout
// never sees half a blob.
Status copyBlobTo(int src, int64_t size, const std::string& path) {
  std::string tmp = path + ".tmp";
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out) return Error::sys(errno, "open {}", tmp);
  loff_t off = 0;
  while (off < size) {
    ssize_t n =
        ::copy_file_range(src, &off, out.get(), nullptr, static_cast<size_t>(size - off), 0);
    if (n < 0) return Error::sys(errno, "copy_file_range {}", tmp);
    if (n == 0) return Error::internal("blob shorter than {} bytes", size);
  }
  if (::fsync(out.get()) != 0) return Error::sys(errno, "fsync {}", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Error::sys(errno, "rename {}", path);
  return ok();
}

// Writes a streamed blob to path through a temp file and rename.
Status writeBlobTo(
    const std::string& path,
    const std::function<Status(const std::function<Status(const void*, size_t)>&)>& produce) {
  std::string tmp = path + ".tmp";
  UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out) return Error::sys(errno, "open {}", tmp);
  auto st = produce([&](const void* b, size_t n) {
    return writeAll(out.get(), std::string_view(static_cast<const char*>(b), n), tmp);
  });
  if (st && ::fsync(out.get()) != 0) st = Error::sys(errno, "fsync {}", tmp);
  if (st && ::rename(tmp.c_str(), path.c_str()) != 0) st = Error::sys(errno, "rename {}", path);
  if (!st) ::unlink(tmp.c_str());
  return st;
}

}  // namespace

Status ImageService::saveOciLayout(const std::vector<std::string>& namesOrIds,
                                   const std::string& dir) {
  auto& p = parts();
  auto images = TRY(selectForExport(*this, namesOrIds));
  std::string blobs = dir + "/blobs/sha256";
  TRY(ensureDir(blobs, 0755));
  auto putBlob = [&](const Digest& d) -> Status {
    std::string path = blobs + "/" + d.hex();
    if (::access(path.c_str(), F_OK) == 0) return ok();
    auto fd = TRY(p.content->open(d));
    return copyBlobTo(fd.get(), TRY(p.content->size(d)), path);
  };
  oci::Index idx;
  idx.mediaType = std::string(oci::kMediaTypeOciIndex);
  std::string indexPath = dir + "/index.json";
  if (::access(indexPath.c_str(), F_OK) == 0) {
    idx = TRY_CTX(oci::parseIndex(TRY(readFile(indexPath))), "{}", indexPath);
  }
  for (auto& img : images) {
    auto layers = TRY(imageLayers(p, img.id));
    auto m = TRY(manifestFor(p, img.id, layers));
    auto rendered = oci::renderManifest(m);
    auto md = sha256Of(rendered);
    TRY(putBlob(img.id));
    for (auto& l : layers) {
      std::string path = blobs + "/" + l.blobDigest.hex();
      if (::access(path.c_str(), F_OK) == 0) continue;
      TRY(writeBlobTo(path, [&](const std::function<Status(const void*, size_t)>& sink) {
        return streamLayerBlob(p, l, sink);
      }));
    }
    std::string mpath = blobs + "/" + md.hex();
    if (::access(mpath.c_str(), F_OK) != 0) TRY(writeFileAtomic(mpath, rendered, 0644));
    for (auto& d : indexDescriptors(md, static_cast<int64_t>(rendered.size()), img.refs)) {
      // A new entry replaces one with the same name (as skopeo does when it writes a tag).
      auto ref = d.annotations.find(kRefNameAnnotation);
      std::erase_if(idx.manifests, [&](const oci::Descriptor& e) {
        if (ref == d.annotations.end()) return e.digest == d.digest && e.annotations.empty();
        auto it = e.annotations.find(kRefNameAnnotation);
        return it != e.annotations.end() && it->second == ref->second;
      });
      idx.manifests.push_back(d);
    }
  }
  TRY(writeFileAtomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})", 0644));
  return writeFileAtomic(indexPath, oci::renderIndex(idx), 0644);
}

Result<std::vector<std::string>> ImageService::loadOciLayout(const std::string& dir,
                                                             const std::string& refName,
                                                             const std::string& tag) {
  auto& p = parts();
  auto layout = TRY_CTX(readFile(dir + "/oci-layout"), "{} is not an OCI image layout", dir);
  auto lj = TRY_CTX(parseJson(layout, "oci-layout"), "{}", dir);
  if (!lj.is_object() || !lj.contains("imageLayoutVersion"))
    return Error::invalid("{}/oci-layout: no imageLayoutVersion", dir);
  auto index = TRY(readFile(dir + "/index.json"));
  BlobFetcher fetch = [&](const Digest& d) -> Result<Digest> {
    if (p.content->has(d)) return d;
    std::string path = dir + "/blobs/sha256/" + d.hex();
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::sys(errno, "open {}", path);
    auto w = TRY(p.content->writer());
    TRY(w->writeFrom(fd.get()));
    return TRY_CTX(w->commit(d), "{}", path);
  };
  ProgressFn none;
  auto loaded = TRY_CTX(loadFromIndex(*this, index, fetch, refName, tag, none), "{}", dir);
  return loaded;
}

}  // namespace berth::engine
