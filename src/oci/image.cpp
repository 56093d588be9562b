#include "oci/image.h"

#include <initializer_list>

#include "oci/json_read.h"

// Media types, descriptors, manifests, indexes and chain IDs. Image configs are in
// image_config.cpp. Field names and which fields are required follow the OCI image-spec (1.1)
// and Docker's manifest v2 schema 2 / manifest list; empty optional fields are omitted when
// rendering, as Go's `omitempty` does in both reference implementations.

namespace berth::oci {
namespace {

using detail::fieldPath;
using detail::indexPath;
using detail::member;

// containerd's names for the Docker-family layers Docker itself never wrote but reads.
constexpr std::string_view kMediaTypeDockerLayerZstd =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
constexpr std::string_view kMediaTypeDockerLayerForeign =
    "application/vnd.docker.image.rootfs.foreign.diff.tar";

struct LayerType {
  std::string_view mediaType;
  Compression compression;
};

constexpr LayerType kLayerTypes[] = {
    {kMediaTypeOciLayer, Compression::None},
    {kMediaTypeOciLayerGzip, Compression::Gzip},
    {kMediaTypeOciLayerZstd, Compression::Zstd},
    {kMediaTypeOciLayerNondistributable, Compression::None},
    {kMediaTypeOciLayerNondistributableGzip, Compression::Gzip},
    {kMediaTypeOciLayerNondistributableZstd, Compression::Zstd},
    {kMediaTypeDockerLayer, Compression::None},
    {kMediaTypeDockerLayerGzip, Compression::Gzip},
    {kMediaTypeDockerLayerZstd, Compression::Zstd},
    {kMediaTypeDockerLayerForeign, Compression::None},
    {kMediaTypeDockerLayerForeignGzip, Compression::Gzip},
};

// The source object less the keys a struct models: what goes to `extra`.
Json unknownKeys(const Json& obj, std::initializer_list<std::string_view> known) {
  Json out = Json::object();
  for (const auto& [k, v] : obj.items()) {
    bool isKnown = false;
    for (std::string_view key : known) isKnown = isKnown || key == k;
    if (!isKnown) out[k] = v;
  }
  return out;
}

// Starts a rendered object from `extra`, onto which the modelled fields are then written.
Json fromExtra(const Json& extra) {
  return extra.is_object() ? extra : Json::object();
}

// obj[key], which must be present and not null.
Result<const Json*> required(const Json& obj, std::string_view key, std::string_view parent) {
  const Json* v = member(obj, key);
  if (v == nullptr) return Error::invalid("{}: missing", fieldPath(parent, key));
  return v;
}

Status readDigest(const Json& obj, std::string_view key, std::string_view parent, Digest& out) {
  const Json* v = TRY(required(obj, key, parent));
  std::string path = fieldPath(parent, key);
  std::string text;
  TRY(detail::convert(*v, path, text));
  auto d = Digest::parse(text);
  if (!d) return Error::invalid("{}: {}", path, d.error().message());
  out = *d;
  return ok();
}

Result<Platform> parsePlatform(const Json& j, const std::string& path) {
  TRY(detail::expectObject(j, path));
  Platform p;
  TRY(required(j, "architecture", path));
  TRY(required(j, "os", path));
  TRY(detail::read(j, "architecture", path, p.architecture));
  TRY(detail::read(j, "os", path, p.os));
  TRY(detail::read(j, "os.version", path, p.osVersion));
  TRY(detail::read(j, "os.features", path, p.osFeatures));
  TRY(detail::read(j, "variant", path, p.variant));
  return p;
}

Json platformToJson(const Platform& p) {
  Json out = Json::object();
  out["architecture"] = p.architecture;
  out["os"] = p.os;
  if (!p.osVersion.empty()) out["os.version"] = p.osVersion;
  if (!p.osFeatures.empty()) out["os.features"] = p.osFeatures;
  if (!p.variant.empty()) out["variant"] = p.variant;
  return out;
}

Result<Descriptor> parseDescriptor(const Json& j, const std::string& path) {
  TRY(detail::expectObject(j, path));
  Descriptor d;
  TRY(required(j, "mediaType", path));
  TRY(detail::read(j, "mediaType", path, d.mediaType));
  if (d.mediaType.empty()) return Error::invalid("{}: empty", fieldPath(path, "mediaType"));
  TRY(readDigest(j, "digest", path, d.digest));
  TRY(required(j, "size", path));
  TRY(detail::read(j, "size", path, d.size));
  if (d.size < 0) return Error::invalid("{}: negative size {}", fieldPath(path, "size"), d.size);
  TRY(detail::read(j, "urls", path, d.urls));
  TRY(detail::read(j, "annotations", path, d.annotations));
  if (const Json* p = member(j, "platform"))
    d.platform = TRY(parsePlatform(*p, fieldPath(path, "platform")));
  TRY(detail::read(j, "artifactType", path, d.artifactType));
  d.extra = unknownKeys(
      j, {"mediaType", "digest", "size", "urls", "annotations", "platform", "artifactType"});
  return d;
}

Status readSchemaVersion(const Json& j) {
  const Json* v = TRY(required(j, "schemaVersion", ""));
  int version = 0;
  TRY(detail::convert(*v, "schemaVersion", version));
  if (version != 2) return Error::invalid("schemaVersion: unsupported version {}, want 2", version);
  return ok();
}

Status expectDocument(const Json& j) {
  if (!j.is_object()) return Error::invalid("expected a JSON object, got {}", detail::describe(j));
  return ok();
}

// The required array of descriptors j[key] ("layers", "manifests").
Status readDescriptors(const Json& j, std::string_view key, std::vector<Descriptor>& out) {
  const Json* v = TRY(required(j, key, ""));
  std::string path(key);
  TRY(detail::expectArray(*v, path));
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i)
    out.push_back(TRY(parseDescriptor((*v)[i], indexPath(path, i))));
  return ok();
}

Result<Manifest> manifestFromJson(const Json& j) {
  TRY(expectDocument(j));
  TRY(readSchemaVersion(j));
  Manifest m;
  TRY(detail::read(j, "mediaType", "", m.mediaType));
  if (!m.mediaType.empty() && !isManifestMediaType(m.mediaType))
    return Error::invalid("mediaType: {:?} is not an image manifest", m.mediaType);
  // An OCI index need not name its media type either; without this check it would read as a
  // manifest with a missing config.
  if (m.mediaType.empty() && member(j, "manifests"))
    return Error::invalid("manifests: the document is an image index, not a manifest");
  TRY(detail::read(j, "artifactType", "", m.artifactType));
  const Json* config = TRY(required(j, "config", ""));
  m.config = TRY(parseDescriptor(*config, "config"));
  TRY(readDescriptors(j, "layers", m.layers));
  TRY(detail::read(j, "annotations", "", m.annotations));
  m.extra = unknownKeys(
      j, {"schemaVersion", "mediaType", "artifactType", "config", "layers", "annotations"});
  return m;
}

Result<Index> indexFromJson(const Json& j) {
  TRY(expectDocument(j));
  TRY(readSchemaVersion(j));
  Index idx;
  TRY(detail::read(j, "mediaType", "", idx.mediaType));
  if (!idx.mediaType.empty() && !isIndexMediaType(idx.mediaType))
    return Error::invalid("mediaType: {:?} is not an image index", idx.mediaType);
  if (idx.mediaType.empty() && (member(j, "config") || member(j, "layers")))
    return Error::invalid("config: the document is an image manifest, not an index");
  TRY(readDescriptors(j, "manifests", idx.manifests));
  TRY(detail::read(j, "annotations", "", idx.annotations));
  idx.extra = unknownKeys(j, {"schemaVersion", "mediaType", "manifests", "annotations"});
  return idx;
}

}  // namespace

Result<Compression> layerCompression(std::string_view mediaType) {
  for (const LayerType& t : kLayerTypes)
    if (t.mediaType == mediaType) return t.compression;
  return Error::invalid("media type {:?} is not a layer", mediaType);
}

bool isLayerMediaType(std::string_view mediaType) {
  for (const LayerType& t : kLayerTypes)
    if (t.mediaType == mediaType) return true;
  return false;
}

bool isManifestMediaType(std::string_view mediaType) {
  return mediaType == kMediaTypeDockerManifest || mediaType == kMediaTypeOciManifest;
}

bool isIndexMediaType(std::string_view mediaType) {
  return mediaType == kMediaTypeOciIndex || mediaType == kMediaTypeDockerManifestList;
}

std::string_view layerMediaType(Compression c, bool docker) {
  switch (c) {
    case Compression::None:
      return docker ? kMediaTypeDockerLayer : kMediaTypeOciLayer;
    case Compression::Gzip:
      return docker ? kMediaTypeDockerLayerGzip : kMediaTypeOciLayerGzip;
    case Compression::Zstd:
      return docker ? kMediaTypeDockerLayerZstd : kMediaTypeOciLayerZstd;
  }
  return kMediaTypeOciLayer;
}

Result<Descriptor> descriptorFromJson(const Json& j) {
  return parseDescriptor(j, "descriptor");
}

Json descriptorToJson(const Descriptor& d) {
  Json out = fromExtra(d.extra);
  out["mediaType"] = d.mediaType;
  out["digest"] = d.digest.str();
  out["size"] = d.size;
  if (!d.urls.empty()) out["urls"] = d.urls;
  if (!d.annotations.empty()) out["annotations"] = d.annotations;
  if (d.platform) out["platform"] = platformToJson(*d.platform);
  if (d.artifactType) out["artifactType"] = *d.artifactType;
  return out;
}

Result<Manifest> parseManifest(std::string_view json) {
  Json j = TRY(parseJson(json, "manifest"));
  return TRY_CTX(manifestFromJson(j), "manifest");
}

std::string renderManifest(const Manifest& m) {
  Json out = fromExtra(m.extra);
  out["schemaVersion"] = m.schemaVersion;
  if (!m.mediaType.empty()) out["mediaType"] = m.mediaType;
  if (m.artifactType) out["artifactType"] = *m.artifactType;
  out["config"] = descriptorToJson(m.config);
  Json layers = Json::array();
  for (const Descriptor& d : m.layers) layers.push_back(descriptorToJson(d));
  out["layers"] = std::move(layers);
  if (!m.annotations.empty()) out["annotations"] = m.annotations;
  return dumpJson(out);
}

Result<Index> parseIndex(std::string_view json) {
  Json j = TRY(parseJson(json, "index"));
  return TRY_CTX(indexFromJson(j), "index");
}

std::string renderIndex(const Index& idx) {
  Json out = fromExtra(idx.extra);
  out["schemaVersion"] = idx.schemaVersion;
  if (!idx.mediaType.empty()) out["mediaType"] = idx.mediaType;
  Json manifests = Json::array();
  for (const Descriptor& d : idx.manifests) manifests.push_back(descriptorToJson(d));
  out["manifests"] = std::move(manifests);
  if (!idx.annotations.empty()) out["annotations"] = idx.annotations;
  return dumpJson(out);
}

std::string peekMediaType(std::string_view json) {
  auto j = parseJson(json, "document");
  if (!j || !j->is_object()) return "";
  const Json* v = member(*j, "mediaType");
  if (!v || !v->is_string()) return "";
  return v->get<std::string>();
}

Digest chainId(const std::vector<Digest>& diffIds) {
  std::vector<Digest> ids = chainIds(diffIds);
  return ids.empty() ? Digest() : ids.back();
}

std::vector<Digest> chainIds(const std::vector<Digest>& diffIds) {
  std::vector<Digest> out;
  out.reserve(diffIds.size());
  for (const Digest& d : diffIds) {
    if (out.empty()) {
      out.push_back(d);
    } else {
      out.push_back(sha256Of(out.back().str() + " " + d.str()));
    }
  }
  return out;
}

}  // namespace berth::oci
