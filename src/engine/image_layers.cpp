// The steps every way of adding an image shares: unpack a layer blob into the layer store
// (verifying its diff ID), build the image record, and the OCI manifest berth writes for it.

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <set>

#include "base/log.h"
#include "base/strings.h"
#include "engine/image_internal.h"
#include "image/diff_id.h"
#include "image/layer.h"
#include "image/reference.h"

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

Result<image::LayerRecord> ensureLayer(ImageService::Parts& p, const Digest& parentChain,
                                       const LayerInput& in) {
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

  if (auto known = p.db->layer(chain)) {
    if (p.layers->has(chain)) return *known;
  }
  int64_t tarSize = -1;
  TRY_CTX(p.layers->create(chain,
                           [&](const std::string& dir) -> Status {
                             if (::lseek(fd.get(), 0, SEEK_SET) < 0)
                               return Error::sys(errno, "lseek");
                             auto st = TRY(image::unpackLayer(fd.get(), dir));
                             if (st.diffId != diffId)
                               return Error::invalid(
                                   "layer diff ID mismatch: the image says {}, the blob gives {}",
                                   diffId.str(), st.diffId.str());
                             tarSize = st.tarSize;
                             return ok();
                           }),
          "unpack layer {}", in.blobDigest.str());
  if (tarSize < 0) {
    // The layer dir existed already (an earlier run that crashed before its record): size it.
    tarSize = comp == oci::Compression::None ? rec.blobSize : 0;
    if (auto known = p.db->layer(chain)) tarSize = known->size;
    if (tarSize == 0) tarSize = TRY(p.layers->diskUsage(chain));
  }
  rec.size = tarSize;
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

Result<oci::Manifest> manifestFor(ImageService::Parts& p, const Digest& id) {
  auto rec = TRY(p.db->image(id));
  oci::Manifest m;
  m.mediaType = std::string(oci::kMediaTypeOciManifest);
  m.config.mediaType = std::string(oci::kMediaTypeOciConfig);
  m.config.digest = id;
  m.config.size = TRY(p.content->size(id));
  for (auto& chain : rec.chainIds) {
    auto l = TRY(p.db->layer(chain));
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
  // 2006-01-02T15:04:05[.frac](Z|+hh:mm)
  int Y, M, D, h, m, sec;
  if (s.size() < 19 || std::sscanf(std::string(s.substr(0, 19)).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d",
                                   &Y, &M, &D, &h, &m, &sec) != 6)
    return 0;
  struct tm tm = {};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  int64_t t = timegm(&tm);
  auto rest = s.substr(19);
  while (!rest.empty() && (rest.front() == '.' || (rest.front() >= '0' && rest.front() <= '9')))
    rest.remove_prefix(1);
  if (rest.size() >= 6 && (rest[0] == '+' || rest[0] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1, 5)).c_str(), "%2d:%2d", &oh, &om) == 2)
      t -= (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  }
  return t;
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
