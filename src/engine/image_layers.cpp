// The steps every way of adding an image shares: unpack a layer blob into the layer store
// (verifying its diff ID), build the image record, and the OCI manifest berth writes for it.

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <set>
#include <vector>

#include "apitypes/timestamp.h"
#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/image_internal.h"
#include "image/diff_id.h"
#include "image/layer.h"
#include "image/reference.h"
#include "image/tar_split.h"

namespace berth::engine::detail {

Result<oci::Compression> sniffCompression(int fd) {
  unsigned char magic[4] = {};
  ssize_t n = ::pread(fd, magic, sizeof magic, 0);
  if (n < 0) return Error::sys(errno, "read layer header");
  if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return oci::Compression::Gzip;
  if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return oci::Compression::Zstd;
  return oci::Compression::None;
}

namespace {

// A layer the load already unpacked: checked against the config's diff ID and moved into place.
Result<image::LayerRecord> claimStaged(ImageService::Parts& p, const Digest& parentChain,
                                       const LayerInput& in, StagedLayer& st) {
  if (st.error) return *st.error;
  if (!in.diffId.empty() && in.diffId != st.diffId)
    return Error::invalid("layer diff ID mismatch: the image says {}, the blob gives {}",
                          in.diffId.str(), st.diffId.str());
  image::LayerRecord rec;
  rec.diffId = st.diffId;
  rec.chainId = parentChain.empty() ? st.diffId : oci::chainId({parentChain, st.diffId});
  rec.parent = parentChain;
  rec.blobDigest = in.blobDigest;
  rec.blobSize = st.size;
  rec.blobMediaType = std::string(oci::kMediaTypeDockerLayer);
  if (p.layers->has(rec.chainId)) {  // an earlier image brought it
    rec.size = TRY(p.layers->diskUsage(rec.chainId));
    return rec;
  }
  TRY(p.layers->create(rec.chainId, [&](const std::string& diffDir) -> Status {
    if (::rename((st.dir + "/diff").c_str(), diffDir.c_str()) != 0)
      return Error::sys(errno, "rename {}/diff to {}", st.dir, diffDir);
    if (st.hasSplit) {
      auto to = diffDir.substr(0, diffDir.rfind('/')) + "/tar-split";
      if (::rename((st.dir + "/tar-split").c_str(), to.c_str()) != 0)
        return Error::sys(errno, "rename {}/tar-split to {}", st.dir, to);
    }
    return ok();
  }));
  rec.size = TRY(p.layers->diskUsage(rec.chainId));
  st.claimedBy = rec.chainId;
  return rec;
}

}  // namespace

std::string tarSplitPath(ImageService::Parts& p, const Digest& chainId) {
  auto d = p.layers->diffDir(chainId);
  return d.substr(0, d.rfind('/')) + "/tar-split";
}

bool layerBlobAvailable(ImageService::Parts& p, const image::LayerRecord& l) {
  return p.content->has(l.blobDigest) || ::access(tarSplitPath(p, l.chainId).c_str(), F_OK) == 0;
}

Status streamLayerBlob(ImageService::Parts& p, const image::LayerRecord& l,
                       const std::function<Status(const void*, size_t)>& sink) {
  if (p.content->has(l.blobDigest)) {
    auto fd = TRY(p.content->open(l.blobDigest));
    std::vector<char> buf(1 << 20);
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::sys(errno, "read blob {}", l.blobDigest.str());
      if (n == 0) return ok();
      TRY(sink(buf.data(), static_cast<size_t>(n)));
    }
  }
  auto split = TRY_CTX(readFile(tarSplitPath(p, l.chainId)),
                       "layer {}: neither its blob nor its tar-split is kept", l.chainId.str());
  return image::rebuildTar(split, p.layers->diffDir(l.chainId), l.blobDigest, l.blobSize, sink);
}

Result<image::LayerRecord> ensureLayer(ImageService::Parts& p, const Digest& parentChain,
                                       const LayerInput& in) {
  if (p.staged) {
    auto it = p.staged->find(in.blobDigest);
    if (it != p.staged->end()) {
      auto& st = it->second;
      Digest chain = parentChain.empty() ? st.diffId : oci::chainId({parentChain, st.diffId});
      if (st.error || st.claimedBy.empty() || st.claimedBy == chain)
        return claimStaged(p, parentChain, in, st);
      // The same layer blob on another parent: its tree went to the first chain already, so the
      // blob is rebuilt from there into the store and unpacked again below.
      if (!p.content->has(in.blobDigest)) {
        image::LayerRecord first;  // (maybe not in the database yet: same image, two places)
        first.chainId = st.claimedBy;
        first.blobDigest = in.blobDigest;
        first.blobSize = st.size;
        auto w = TRY(p.content->writer());
        TRY(streamLayerBlob(p, first, [&](const void* b, size_t n) { return w->write(b, n); }));
        TRY(w->commit(in.blobDigest));
      }
      p.staged->erase(it);
    }
  }
  auto fd = TRY_CTX(p.content->open(in.blobDigest), "layer {}", in.blobDigest.str());
  auto comp = TRY(sniffCompression(fd.get()));
  Digest diffId = in.diffId;
  if (diffId.empty()) {
    // Without the config's word for it, the chain ID needs the diff ID before unpacking.
    diffId = comp == oci::Compression::None
                 ? in.blobDigest
                 : TRY_CTX(image::computeDiffId(fd.get()), "layer {}", in.blobDigest.str());
  }
  // chainId() treats its first entry as a chain already (chain(L0) == diff(L0)).
  Digest chain = parentChain.empty() ? diffId : oci::chainId({parentChain, diffId});
  image::LayerRecord rec;
  rec.chainId = chain;
  rec.diffId = diffId;
  rec.parent = parentChain;
  rec.blobDigest = in.blobDigest;
  rec.blobSize = in.blobSize ? in.blobSize : TRY(p.content->size(in.blobDigest));
  rec.blobMediaType =
      in.mediaType.empty() ? std::string(oci::layerMediaType(comp, true)) : in.mediaType;

  auto known = p.db->layer(chain);
  if (known && p.layers->has(chain)) return *known;
  TRY_CTX(p.layers->create(chain,
                           [&](const std::string& dir) -> Status {
                             if (::lseek(fd.get(), 0, SEEK_SET) < 0)
                               return Error::sys(errno, "lseek");
                             auto st = TRY(image::unpackLayer(fd.get(), dir));
                             if (st.diffId != diffId)
                               return Error::invalid(
                                   "layer diff ID mismatch: the image says {}, the blob gives {}",
                                   diffId.str(), st.diffId.str());
                             return ok();
                           }),
          "unpack layer {}", in.blobDigest.str());
  // docker's layer size: the bytes of the unpacked files (its graph driver's DiffSize).
  rec.size = TRY(p.layers->diskUsage(chain));
  return rec;
}

void dropUnreferenced(ImageService::Parts& p, const std::vector<Digest>& blobs) {
  if (blobs.empty()) return;
  auto wanted = p.db->referencedBlobs();
  if (!wanted) {
    spdlog::warn("list referenced blobs: {}", wanted.error().what());
    return;
  }
  std::set<Digest> keep(wanted->begin(), wanted->end());
  for (auto& d : blobs)
    if (!keep.count(d))
      if (auto st = p.content->remove(d); !st)
        spdlog::warn("remove blob {}: {}", d.str(), st.error().what());
}

Result<std::vector<image::LayerRecord>> ensureLayers(ImageService::Parts& p,
                                                     const std::vector<LayerInput>& inputs) {
  std::vector<image::LayerRecord> out;
  Digest parent;
  for (auto& in : inputs) {
    out.push_back(TRY(ensureLayer(p, parent, in)));
    parent = out.back().chainId;
  }
  return out;
}

image::ImageRecord makeRecord(const Digest& id, const oci::ImageConfig& cfg,
                              const std::vector<image::LayerRecord>& layers) {
  image::ImageRecord r;
  r.id = id;
  r.created = cfg.created;
  r.addedAt = ::time(nullptr);
  for (auto& l : layers) {
    r.chainIds.push_back(l.chainId);
    r.size += l.size;
  }
  return r;
}

Result<std::string> normaliseTagged(std::string_view ref) {
  auto r = TRY(image::parseReference(ref));
  if (r.digest && r.tag.empty())
    return Error::invalid("{}: a tag is needed here, not a digest", ref);
  r.digest.reset();
  return r.nameTag();
}

std::string familiar(const std::string& storedRef) {
  auto r = image::parseNormalizedNamed(storedRef);
  return r ? r->familiarString() : storedRef;
}

Result<std::vector<image::LayerRecord>> imageLayers(ImageService::Parts& p, const Digest& id) {
  std::vector<image::LayerRecord> out;
  for (auto& chain : TRY(p.db->image(id)).chainIds) out.push_back(TRY(p.db->layer(chain)));
  return out;
}

Result<oci::Manifest> manifestFor(ImageService::Parts& p, const Digest& id,
                                  const std::vector<image::LayerRecord>& layers) {
  oci::Manifest m;
  m.mediaType = std::string(oci::kMediaTypeOciManifest);
  m.config.mediaType = std::string(oci::kMediaTypeOciConfig);
  m.config.digest = id;
  m.config.size = TRY(p.content->size(id));
  for (auto& l : layers) {
    oci::Descriptor d;
    auto comp = oci::layerCompression(l.blobMediaType);
    d.mediaType = std::string(oci::layerMediaType(comp ? *comp : oci::Compression::None, false));
    d.digest = l.blobDigest;
    d.size = l.blobSize;
    m.layers.push_back(std::move(d));
  }
  return m;
}

int64_t parseTime(std::string_view s) {
  return apitypes::parseRfc3339Ns(s) / 1000000000;
}

std::string formatTime(int64_t unixSeconds, long nanos) {
  time_t t = unixSeconds;
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (nanos > 0) {
    auto frac = fmt::format("{:09d}", nanos);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + "Z";
}

std::string nowRfc3339() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return formatTime(ts.tv_sec, ts.tv_nsec);
}

std::string hostArchitecture() {
  utsname u;
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  if (startsWith(m, "armv7")) return "arm";
  return m;
}

}  // namespace berth::engine::detail
