#include <gtest/gtest.h>

#include "oci/image.h"

namespace berth::oci {
namespace {

Digest digestOf(char c) {
  return *Digest::fromHex(std::string(64, c));
}

TEST(LayerMediaTypes, MapEveryLayerTypeToItsCompression) {
  struct Case {
    std::string_view mediaType;
    Compression compression;
  };
  for (const Case& c : {
           Case{kMediaTypeOciLayer, Compression::None},
           Case{kMediaTypeOciLayerGzip, Compression::Gzip},
           Case{kMediaTypeOciLayerZstd, Compression::Zstd},
           Case{kMediaTypeOciLayerNondistributable, Compression::None},
           Case{kMediaTypeOciLayerNondistributableGzip, Compression::Gzip},
           Case{kMediaTypeOciLayerNondistributableZstd, Compression::Zstd},
           Case{kMediaTypeDockerLayer, Compression::None},
           Case{kMediaTypeDockerLayerGzip, Compression::Gzip},
           Case{kMediaTypeDockerLayerForeignGzip, Compression::Gzip},
           Case{"application/vnd.docker.image.rootfs.diff.tar.zstd", Compression::Zstd},
           Case{"application/vnd.docker.image.rootfs.foreign.diff.tar", Compression::None},
       }) {
    auto got = layerCompression(c.mediaType);
    ASSERT_TRUE(got) << c.mediaType;
    EXPECT_EQ(*got, c.compression) << c.mediaType;
    EXPECT_TRUE(isLayerMediaType(c.mediaType)) << c.mediaType;
  }
}

TEST(LayerMediaTypes, RefuseConfigsManifestsAndUnknownTypes) {
  for (std::string_view t :
       {kMediaTypeOciConfig, kMediaTypeDockerConfig, kMediaTypeOciManifest,
        kMediaTypeDockerManifest, std::string_view("application/json"), std::string_view("")}) {
    auto got = layerCompression(t);
    ASSERT_FALSE(got) << t;
    EXPECT_EQ(got.error().kind(), ErrorKind::InvalidArgument);
    EXPECT_FALSE(isLayerMediaType(t)) << t;
  }
}

TEST(LayerMediaTypes, PicksTheTypeOfEachFamily) {
  EXPECT_EQ(layerMediaType(Compression::None, false), kMediaTypeOciLayer);
  EXPECT_EQ(layerMediaType(Compression::Gzip, false), kMediaTypeOciLayerGzip);
  EXPECT_EQ(layerMediaType(Compression::Zstd, false), kMediaTypeOciLayerZstd);
  EXPECT_EQ(layerMediaType(Compression::None, true), kMediaTypeDockerLayer);
  EXPECT_EQ(layerMediaType(Compression::Gzip, true), kMediaTypeDockerLayerGzip);
  // Every type it returns reads back as the same compression.
  for (bool docker : {false, true})
    for (Compression c : {Compression::None, Compression::Gzip, Compression::Zstd})
      EXPECT_EQ(*layerCompression(layerMediaType(c, docker)), c);
}

TEST(ManifestMediaTypes, TellManifestsFromIndexes) {
  EXPECT_TRUE(isManifestMediaType(kMediaTypeDockerManifest));
  EXPECT_TRUE(isManifestMediaType(kMediaTypeOciManifest));
  EXPECT_FALSE(isManifestMediaType(kMediaTypeOciIndex));
  EXPECT_FALSE(isManifestMediaType(kMediaTypeDockerManifestList));
  EXPECT_FALSE(isManifestMediaType(""));
  EXPECT_TRUE(isIndexMediaType(kMediaTypeOciIndex));
  EXPECT_TRUE(isIndexMediaType(kMediaTypeDockerManifestList));
  EXPECT_FALSE(isIndexMediaType(kMediaTypeOciManifest));
  EXPECT_FALSE(isIndexMediaType("application/vnd.docker.distribution.manifest.v1+prettyjws"));
}

TEST(PeekMediaType, ReadsTheFieldOrNothing) {
  EXPECT_EQ(
      peekMediaType(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"})"),
      kMediaTypeOciIndex);
  EXPECT_EQ(peekMediaType(R"({"schemaVersion":2,"manifests":[]})"), "");
  EXPECT_EQ(peekMediaType(R"({"mediaType":5})"), "");
  EXPECT_EQ(peekMediaType("[1,2]"), "");
  EXPECT_EQ(peekMediaType("not json"), "");
  EXPECT_EQ(peekMediaType(""), "");
}

// Expected values computed with coreutils while writing the test:
//   printf 'sha256:aaaa...a sha256:bbbb...b' | sha256sum
//     -> ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c
//   printf 'sha256:ccd7...146c sha256:cccc...c' | sha256sum
//     -> c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588
constexpr std::string_view kChainAB =
    "ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c";
constexpr std::string_view kChainABC =
    "c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588";

TEST(ChainId, IsTheDiffIdForOneLayer) {
  EXPECT_EQ(chainId({digestOf('a')}), digestOf('a'));
}

TEST(ChainId, HashesTheParentChainAndTheDiffIdAsText) {
  EXPECT_EQ(chainId({digestOf('a'), digestOf('b')}).hex(), kChainAB);
  EXPECT_EQ(chainId({digestOf('a'), digestOf('b'), digestOf('c')}).hex(), kChainABC);
  // Order matters: the chain is not a set.
  EXPECT_NE(chainId({digestOf('b'), digestOf('a')}).hex(), kChainAB);
}

TEST(ChainId, IsEmptyForNoLayers) {
  EXPECT_TRUE(chainId({}).empty());
  EXPECT_TRUE(chainIds({}).empty());
}

TEST(ChainIds, GivesEveryPrefixBottomFirst) {
  std::vector<Digest> ids = chainIds({digestOf('a'), digestOf('b'), digestOf('c')});
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], digestOf('a'));
  EXPECT_EQ(ids[1].hex(), kChainAB);
  EXPECT_EQ(ids[2].hex(), kChainABC);
}

}  // namespace
}  // namespace berth::oci
