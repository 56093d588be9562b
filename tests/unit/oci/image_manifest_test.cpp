#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "oci/image.h"

namespace berth::oci {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// A Docker v2 schema 2 manifest as Docker Hub serves it for one platform of busybox.
constexpr const char* kDockerManifest = R"json({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1457,
      "digest": "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2591575,
         "digest": "sha256:3f4d90098f5b5a6f6a76e9d217da85aa39b2081e30fa1f7d287138d6e7bf0ad7"
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
         "size": 1069,
         "digest": "sha256:5b1cd8e3e9d9e5a0d19ee0b0b5fbbdcbd6b3ba1e5c1a0d7e1f2cf2c53c0c1e2a",
         "urls": ["https://mcr.microsoft.com/v2/windows/blobs/sha256:5b1cd8e3"]
      }
   ]
})json";

// An OCI index with platforms, as buildx pushes it: four images and an attestation manifest.
constexpr const char* kOciIndex = R"json({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:023917ec6a886d0e8e15f28fb543515a5fcd8d938edb091e8147db4efed388ee",
      "size": 610,
      "platform": {"architecture": "amd64", "os": "linux"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:1b1e3a49a4e4e2dd25ea17d5f2f1a2b4c4e7b8fa20e6d2a3cbd1e0a7e3fc4d11",
      "size": 610,
      "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:7c0ffe5751238c8479f952f3fbc3b719d47bccac0e9bf0a21c77a27cba9ef12d",
      "size": 610,
      "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:9e8a3e2b3c6d1f0a5b7c9d2e4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f01",
      "size": 1120,
      "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.5329",
                   "os.features": ["win32k"]}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:ad4c7a2b5e2b4b3c1e7f8d9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
      "size": 566,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:023917ec6a886d0e8e15f28fb543515a5fcd8d938edb091e8147db4efed388ee",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {"architecture": "unknown", "os": "unknown"}
    }
  ],
  "annotations": {"org.opencontainers.image.ref.name": "1.36"}
})json";

// An OCI 1.1 artifact manifest: artifactType, an empty config, a subject (not modelled, kept).
constexpr const char* kOciArtifact = R"json({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "artifactType": "application/vnd.example.sbom.v1",
  "config": {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
    "data": "e30="
  },
  "layers": [
    {
      "mediaType": "application/spdx+json",
      "digest": "sha256:5a3b1c2d4e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b",
      "size": 4812,
      "annotations": {"org.opencontainers.image.title": "sbom.spdx.json"}
    }
  ],
  "subject": {
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:023917ec6a886d0e8e15f28fb543515a5fcd8d938edb091e8147db4efed388ee",
    "size": 610
  },
  "annotations": {"org.opencontainers.image.created": "2024-02-01T10:00:00Z"}
})json";

Json parsed(std::string_view text) {
  return Json::parse(text);
}

std::string manifestError(const std::string& text) {
  auto m = parseManifest(text);
  if (m) return "<parsed>";
  EXPECT_EQ(m.error().kind(), ErrorKind::InvalidArgument);
  return m.error().what();
}

std::string indexError(const std::string& text) {
  auto m = parseIndex(text);
  if (m) return "<parsed>";
  EXPECT_EQ(m.error().kind(), ErrorKind::InvalidArgument);
  return m.error().what();
}

TEST(Manifest, ParsesADockerSchema2Manifest) {
  auto m = parseManifest(kDockerManifest);
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_EQ(m->schemaVersion, 2);
  EXPECT_EQ(m->mediaType, kMediaTypeDockerManifest);
  EXPECT_FALSE(m->artifactType);
  EXPECT_EQ(m->config.mediaType, kMediaTypeDockerConfig);
  EXPECT_EQ(m->config.size, 1457);
  EXPECT_EQ(m->config.digest.hex(),
            "a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824");
  ASSERT_EQ(m->layers.size(), 2u);
  EXPECT_EQ(m->layers[0].mediaType, kMediaTypeDockerLayerGzip);
  EXPECT_EQ(m->layers[0].size, 2591575);
  EXPECT_TRUE(m->layers[0].urls.empty());
  EXPECT_EQ(m->layers[1].mediaType, kMediaTypeDockerLayerForeignGzip);
  EXPECT_THAT(m->layers[1].urls,
              ElementsAre("https://mcr.microsoft.com/v2/windows/blobs/sha256:5b1cd8e3"));
  EXPECT_TRUE(m->annotations.empty());
}

TEST(Manifest, RoundTripsADockerSchema2Manifest) {
  auto m = parseManifest(kDockerManifest);
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_EQ(parsed(renderManifest(*m)), parsed(kDockerManifest));
}

TEST(Manifest, RoundTripsAnOciArtifactKeepingFieldsItDoesNotModel) {
  auto m = parseManifest(kOciArtifact);
  ASSERT_TRUE(m) << m.error().what();
  ASSERT_TRUE(m->artifactType);
  EXPECT_EQ(*m->artifactType, "application/vnd.example.sbom.v1");
  EXPECT_THAT(m->layers[0].annotations,
              ElementsAre(Pair("org.opencontainers.image.title", "sbom.spdx.json")));
  EXPECT_THAT(m->annotations,
              ElementsAre(Pair("org.opencontainers.image.created", "2024-02-01T10:00:00Z")));
  EXPECT_TRUE(m->extra.contains("subject"));
  EXPECT_EQ(m->config.extra["data"], "e30=");
  EXPECT_EQ(parsed(renderManifest(*m)), parsed(kOciArtifact));
}

TEST(Manifest, RendersCompactlyWithSortedKeysAndNoEmptyOptionalFields) {
  Manifest m;
  m.mediaType = std::string(kMediaTypeOciManifest);
  m.config.mediaType = std::string(kMediaTypeOciConfig);
  m.config.digest = *Digest::fromHex(std::string(64, 'c'));
  m.config.size = 123;
  Descriptor layer;
  layer.mediaType = std::string(kMediaTypeOciLayerGzip);
  layer.digest = *Digest::fromHex(std::string(64, 'd'));
  layer.size = 456;
  m.layers.push_back(layer);
  std::string c64(64, 'c'), d64(64, 'd');
  EXPECT_EQ(renderManifest(m),
            R"({"config":{"digest":"sha256:)" + c64 +
                R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":123},)"
                R"("layers":[{"digest":"sha256:)" +
                d64 +
                R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":456}],)"
                R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})");
  // Equal values give equal bytes.
  Manifest copy = m;
  EXPECT_EQ(renderManifest(copy), renderManifest(m));
  EXPECT_EQ(renderManifest(*parseManifest(renderManifest(m))), renderManifest(m));
}

TEST(Manifest, AcceptsAnOciManifestWithoutMediaTypeAndNoLayers) {
  auto m = parseManifest(
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json",
      "digest":"sha256:)" +
      std::string(64, 'e') + R"(","size":2},"layers":[]})");
  ASSERT_TRUE(m) << m.error().what();
  EXPECT_EQ(m->mediaType, "");
  EXPECT_TRUE(m->layers.empty());
  EXPECT_EQ(parsed(renderManifest(*m)).count("mediaType"), 0u);
}

// A valid manifest with `layer` as its third layer.
std::string manifestWithThirdLayer(const std::string& layer) {
  std::string d = R"("digest":"sha256:)" + std::string(64, 'a') + R"(")";
  std::string ok = R"({"mediaType":"application/vnd.oci.image.layer.v1.tar","size":1,)" + d + "}";
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":1,)" +
         d + "},\"layers\":[" + ok + "," + ok + "," + layer + "]}";
}

TEST(Manifest, NamesTheJsonPathOfABadField) {
  const std::string mt = R"("mediaType":"application/vnd.oci.image.layer.v1.tar")";
  const std::string dg = R"("digest":"sha256:)" + std::string(64, 'a') + R"(")";
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + R"(,"size":1,"digest":"sha256:xyz"})")),
            "manifest: layers[2].digest: invalid sha256 digest \"xyz\": want 64 lowercase hex "
            "digits");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + R"(,"size":1,"digest":"md5:abc"})")),
            "manifest: layers[2].digest: unsupported digest algorithm \"md5\" in \"md5:abc\"");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + ",\"size\":1}")),
            "manifest: layers[2].digest: missing");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + "," + dg + "}")),
            "manifest: layers[2].size: missing");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + "," + dg + ",\"size\":-1}")),
            "manifest: layers[2].size: negative size -1");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + "," + dg + ",\"size\":\"12\"}")),
            "manifest: layers[2].size: expected integer, got string");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + dg + ",\"size\":1}")),
            "manifest: layers[2].mediaType: missing");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + "," + dg +
                                                 R"(,"size":1,"annotations":{"a":1}})")),
            "manifest: layers[2].annotations.a: expected string, got 1");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("{" + mt + "," + dg + R"(,"size":1,"urls":"x"})")),
            "manifest: layers[2].urls: expected array, got string");
  EXPECT_EQ(manifestError(manifestWithThirdLayer("7")),
            "manifest: layers[2]: expected object, got 7");
}

TEST(Manifest, RefusesWrongDocuments) {
  EXPECT_EQ(manifestError(R"({"schemaVersion":1,"name":"library/busybox","fsLayers":[]})"),
            "manifest: schemaVersion: unsupported version 1, want 2");
  EXPECT_EQ(manifestError(R"({"config":{},"layers":[]})"), "manifest: schemaVersion: missing");
  EXPECT_EQ(manifestError(R"({"schemaVersion":2,"layers":[]})"), "manifest: config: missing");
  EXPECT_EQ(
      manifestError(
          R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})"),
      "manifest: mediaType: \"application/vnd.oci.image.index.v1+json\" is not an image "
      "manifest");
  EXPECT_EQ(manifestError(R"({"schemaVersion":2,"manifests":[]})"),
            "manifest: manifests: the document is an image index, not a manifest");
  EXPECT_EQ(manifestError("[]"), "manifest: expected a JSON object, got array");
  EXPECT_THAT(manifestError("{\"schemaVersion\":2,"), ::testing::StartsWith("parse manifest: "));
  std::string noLayers =
      R"({"schemaVersion":2,"config":{"mediaType":"a/b","size":1,"digest":"sha256:)" +
      std::string(64, 'a') + R"("}})";
  EXPECT_EQ(manifestError(noLayers), "manifest: layers: missing");
}

TEST(Index, ParsesPlatformsAndAnnotations) {
  auto idx = parseIndex(kOciIndex);
  ASSERT_TRUE(idx) << idx.error().what();
  EXPECT_EQ(idx->mediaType, kMediaTypeOciIndex);
  ASSERT_EQ(idx->manifests.size(), 5u);
  ASSERT_TRUE(idx->manifests[0].platform);
  EXPECT_EQ(idx->manifests[0].platform->architecture, "amd64");
  EXPECT_EQ(idx->manifests[0].platform->os, "linux");
  EXPECT_EQ(idx->manifests[0].platform->variant, "");
  EXPECT_EQ(idx->manifests[1].platform->variant, "v7");
  EXPECT_EQ(idx->manifests[2].platform->architecture, "arm64");
  const Platform& win = *idx->manifests[3].platform;
  EXPECT_EQ(win.os, "windows");
  EXPECT_EQ(win.osVersion, "10.0.17763.5329");
  EXPECT_THAT(win.osFeatures, ElementsAre("win32k"));
  EXPECT_EQ(idx->manifests[3].size, 1120);
  EXPECT_EQ(idx->manifests[4].annotations.at("vnd.docker.reference.type"), "attestation-manifest");
  EXPECT_THAT(idx->annotations, ElementsAre(Pair("org.opencontainers.image.ref.name", "1.36")));
}

TEST(Index, RoundTrips) {
  auto idx = parseIndex(kOciIndex);
  ASSERT_TRUE(idx) << idx.error().what();
  std::string rendered = renderIndex(*idx);
  EXPECT_EQ(parsed(rendered), parsed(kOciIndex));
  EXPECT_EQ(renderIndex(*parseIndex(rendered)), rendered);
}

TEST(Index, ParsesADockerManifestList) {
  std::string list =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
    "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":528,
    "digest":"sha256:)" +
      std::string(64, '1') + R"(","platform":{"architecture":"ppc64le","os":"linux"}}]})";
  auto idx = parseIndex(list);
  ASSERT_TRUE(idx) << idx.error().what();
  EXPECT_EQ(idx->mediaType, kMediaTypeDockerManifestList);
  EXPECT_EQ(idx->manifests[0].mediaType, kMediaTypeDockerManifest);
  EXPECT_EQ(idx->manifests[0].platform->architecture, "ppc64le");
  EXPECT_EQ(parsed(renderIndex(*idx)), parsed(list));
}

TEST(Index, NamesTheJsonPathOfABadField) {
  std::string d = R"("digest":"sha256:)" + std::string(64, 'a') + R"(")";
  std::string head =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,)" +
      d + "},";
  EXPECT_EQ(indexError(head + R"({"mediaType":"m/t","size":1,)" + d +
                       R"(,"platform":{"architecture":"amd64"}}]})"),
            "index: manifests[1].platform.os: missing");
  EXPECT_EQ(indexError(head + R"({"mediaType":"m/t","size":1,)" + d +
                       R"(,"platform":{"architecture":"amd64","os":"linux","os.features":"x"}}]})"),
            "index: manifests[1].platform.os.features: expected array, got string");
  EXPECT_EQ(indexError(R"({"schemaVersion":2})"), "index: manifests: missing");
  EXPECT_EQ(indexError(R"({"schemaVersion":2,"manifests":{}})"),
            "index: manifests: expected array, got object");
  EXPECT_EQ(indexError(kDockerManifest),
            "index: mediaType: \"application/vnd.docker.distribution.manifest.v2+json\" is not an "
            "image index");
  EXPECT_EQ(indexError(R"({"schemaVersion":2,"config":{},"layers":[]})"),
            "index: config: the document is an image manifest, not an index");
}

TEST(Index, RendersAnEmptyIndexWithItsRequiredFields) {
  Index idx;
  EXPECT_EQ(renderIndex(idx), R"({"manifests":[],"schemaVersion":2})");
  idx.mediaType = std::string(kMediaTypeOciIndex);
  idx.annotations["org.opencontainers.image.ref.name"] = "latest";
  EXPECT_EQ(renderIndex(idx),
            R"({"annotations":{"org.opencontainers.image.ref.name":"latest"},"manifests":[],)"
            R"("mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})");
}

TEST(Descriptor, ConvertsToAndFromJson) {
  Descriptor d;
  d.mediaType = std::string(kMediaTypeOciManifest);
  d.digest = *Digest::fromHex(std::string(64, 'f'));
  d.size = 610;
  d.platform = Platform{"arm64", "linux", "v8", "", {}};
  d.artifactType = "application/vnd.example+type";
  Json j = descriptorToJson(d);
  EXPECT_EQ(j, Json::parse(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json",
      "digest":"sha256:)" + std::string(64, 'f') +
                           R"(","size":610,
      "platform":{"architecture":"arm64","os":"linux","variant":"v8"},
      "artifactType":"application/vnd.example+type"})"));
  auto back = descriptorFromJson(j);
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(back->digest, d.digest);
  EXPECT_EQ(back->platform->variant, "v8");
  EXPECT_EQ(descriptorToJson(*back), j);
  auto bad = descriptorFromJson(Json::parse(R"({"mediaType":"a/b","size":1})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().what(), "descriptor.digest: missing");
}

}  // namespace
}  // namespace berth::oci
