#pragma once
// OCI image-spec and Docker image formats as types: descriptors, manifests (Docker v2 schema 2
// and OCI), indexes (OCI index and Docker manifest list), image configs (Docker and OCI share
// one shape), media types and chain IDs. Pure: parsing and rendering only, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/json.h"

namespace berth::oci {

inline constexpr std::string_view kMediaTypeDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kMediaTypeDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kMediaTypeDockerConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kMediaTypeDockerLayer =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kMediaTypeDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kMediaTypeDockerLayerForeignGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view kMediaTypeOciManifest =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaTypeOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kMediaTypeOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kMediaTypeOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kMediaTypeOciLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kMediaTypeOciLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kMediaTypeOciLayerNondistributable =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kMediaTypeOciLayerNondistributableGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kMediaTypeOciLayerNondistributableZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

enum class Compression { None, Gzip, Zstd };
/// The compression a layer media type declares; InvalidArgument for a type that is not a layer.
Result<Compression> layerCompression(std::string_view mediaType);
bool isLayerMediaType(std::string_view mediaType);
bool isManifestMediaType(std::string_view mediaType);  // Docker v2s2 or OCI manifest
bool isIndexMediaType(std::string_view mediaType);     // OCI index or Docker manifest list
/// The layer media type for a compression, in the OCI or the Docker family.
std::string_view layerMediaType(Compression c, bool docker);

struct Platform {
  std::string architecture;
  std::string os;
  std::string variant;
  std::string osVersion;
  std::vector<std::string> osFeatures;
};

struct Descriptor {
  std::string mediaType;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;
  std::optional<std::string> artifactType;
  // Fields this struct does not model ("data" of OCI 1.1), kept for the round trip.
  Json extra = Json::object();
};

struct Manifest {
  int schemaVersion = 2;
  std::string mediaType;  // may be empty in an OCI manifest
  std::optional<std::string> artifactType;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
  // Fields this struct does not model ("subject" of OCI 1.1), kept for the round trip.
  Json extra = Json::object();
};

struct Index {
  int schemaVersion = 2;
  std::string mediaType;  // may be empty in an OCI index
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;
  // Fields this struct does not model ("artifactType", "subject" of OCI 1.1), kept for the
  // round trip.
  Json extra = Json::object();
};

struct HealthConfig {
  std::vector<std::string> test;  // ["NONE"], ["CMD", ...], ["CMD-SHELL", "..."]
  int64_t intervalNs = 0, timeoutNs = 0, startPeriodNs = 0, startIntervalNs = 0;
  int retries = 0;
};

// The "config" object of an image config (Docker's container config subset that images carry).
struct ContainerConfig {
  std::string user;
  std::set<std::string> exposedPorts;  // "80/tcp"
  std::vector<std::string> env;        // "K=V"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::set<std::string> volumes;
  std::string workingDir;
  std::map<std::string, std::string> labels;
  std::string stopSignal;
  bool argsEscaped = false;
  std::optional<HealthConfig> healthcheck;
  std::vector<std::string> onBuild;
  std::vector<std::string> shell;
  // Keys this struct does not model (Docker's Hostname, Image, AttachStdin...), and the source
  // spelling of modelled keys whose value is empty ("Cmd": null, "User": "", "Labels": {}), so
  // that parse -> render keeps null, empty and absent apart. A member set to a non-empty value
  // wins over its entry here when rendering.
  Json extra = Json::object();
};

struct HistoryEntry {
  std::string created;  // RFC 3339
  std::string createdBy;
  std::string author;
  std::string comment;
  bool emptyLayer = false;
};

struct ImageConfig {
  std::string created;  // RFC 3339, may be empty
  std::string author;
  std::string architecture;
  std::string os;
  std::string variant;
  std::string osVersion;
  ContainerConfig config;
  std::string rootfsType = "layers";
  std::vector<Digest> diffIds;
  std::vector<HistoryEntry> history;
  // Docker-only top-level fields kept as they are (container, container_config, docker_version,
  // parent, comment...) and any unknown field, so a config read and written back loses nothing.
  // Like ContainerConfig::extra it also keeps the source spelling of empty modelled fields.
  Json extra = Json::object();
};

// Parse: InvalidArgument naming the JSON path of a bad field. Render: compact JSON whose bytes
// are stable for equal values (the digest of the result is what names a new image).
Result<Descriptor> descriptorFromJson(const Json& j);
Json descriptorToJson(const Descriptor& d);
Result<Manifest> parseManifest(std::string_view json);
std::string renderManifest(const Manifest& m);
Result<Index> parseIndex(std::string_view json);
std::string renderIndex(const Index& idx);
Result<ImageConfig> parseImageConfig(std::string_view json);
std::string renderImageConfig(const ImageConfig& c);
Json containerConfigToJson(const ContainerConfig& c);
Result<ContainerConfig> containerConfigFromJson(const Json& j);
/// The mediaType field of a manifest or index document, or "" when it has none.
std::string peekMediaType(std::string_view json);

/// chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)).
Digest chainId(const std::vector<Digest>& diffIds);
/// Every prefix's chain ID, bottom layer first.
std::vector<Digest> chainIds(const std::vector<Digest>& diffIds);

}  // namespace berth::oci
