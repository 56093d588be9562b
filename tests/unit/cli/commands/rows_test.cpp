#include "cli/rows.h"

#include <gtest/gtest.h>

#include <ctime>

#include "cli/format/format_spec.h"

namespace berth::cli {
namespace {

Json container() {
  return Json::parse(R"({
    "Id": "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a",
    "Names": ["/web", "/other/alias"],
    "Image": "busybox",
    "ImageID": "sha256:6046740a354e",
    "Command": "nginx -g 'daemon off;'",
    "Created": 0,
    "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
              {"PrivatePort": 443, "Type": "tcp"}],
    "SizeRw": 2130000,
    "SizeRootFs": 4260000,
    "Labels": {"b": "2", "a": "1"},
    "State": "running",
    "Status": "Up 2 minutes",
    "NetworkSettings": {"Networks": {"none": {}}},
    "Mounts": [{"Name": "averyveryverylongvolumename", "Driver": "local"}, {"Source": "/src"}]
  })");
}

TEST(ContainerRow, DockersPsFields) {
  Json r = containerRow(container(), true);
  EXPECT_EQ(r["ID"], "3f2a1b0c9d8e");
  EXPECT_EQ(r["Image"], "busybox");
  EXPECT_EQ(r["Command"], "\"nginx -g 'daemon of\xe2\x80\xa6\"");
  EXPECT_EQ(r["Ports"], "0.0.0.0:8080->80/tcp, 443/tcp");
  EXPECT_EQ(r["Names"], "web");
  EXPECT_EQ(r["Labels"], "a=1,b=2");
  EXPECT_EQ(r["Size"], "2.13MB (virtual 4.26MB)");
  EXPECT_EQ(r["Networks"], "none");
  EXPECT_EQ(r["Mounts"], "averyveryveryl\xe2\x80\xa6,/src");
  EXPECT_EQ(r["LocalVolumes"], "1");
  EXPECT_EQ(r["Label"]["a"], "1");
  EXPECT_TRUE(r["RunningFor"].get<std::string>().ends_with(" ago"));
}

TEST(ContainerRow, NoTruncKeepsEverything) {
  Json r = containerRow(container(), false);
  EXPECT_EQ(r["ID"].get<std::string>().size(), 64u);
  EXPECT_EQ(r["Command"], "\"nginx -g 'daemon off;'\"");
  EXPECT_EQ(r["Names"], "web,other/alias");
}

TEST(ContainerRow, RendersDockersDefaultTable) {
  auto spec = FormatSpec::parse("", "table {{.ID}}\t{{.Image}}\t{{.Status}}\t{{.Names}}");
  ASSERT_TRUE(spec);
  auto out = spec->render({containerRow(container(), true)}, containerHeaders());
  ASSERT_TRUE(out);
  EXPECT_EQ(*out,
            "CONTAINER ID   IMAGE     STATUS         NAMES\n"
            "3f2a1b0c9d8e   busybox   Up 2 minutes   web\n");
}

TEST(ImageRows, OneRowPerRepositoryAndTag) {
  Json img = Json::parse(R"({"Id": "sha256:6046740a354e0000", "Created": 0, "Size": 2134000,
    "RepoTags": ["busybox:latest", "busybox:1.36", "docker.io/library/alpine:3"],
    "RepoDigests": ["busybox@sha256:abc"]})");
  std::vector<Json> rows;
  addImageRows(rows, img, false, true);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["Repository"], "alpine");
  EXPECT_EQ(rows[1]["Repository"], "busybox");
  EXPECT_EQ(rows[1]["Tag"], "1.36");
  EXPECT_EQ(rows[2]["Tag"], "latest");
  EXPECT_EQ(rows[2]["ID"], "6046740a354e");
  EXPECT_EQ(rows[2]["Size"], "2.13MB");
  EXPECT_EQ(rows[2]["Digest"], "<none>");
  rows.clear();
  addImageRows(rows, img, true, true);
  EXPECT_EQ(rows[1]["Digest"], "sha256:abc");
}

TEST(ImageRows, DanglingImagesShowNone) {
  Json img = Json::parse(R"({"Id": "sha256:1111", "Created": 0, "Size": 0, "RepoTags": null,
    "RepoDigests": ["<none>@<none>"]})");
  std::vector<Json> rows;
  addImageRows(rows, img, false, true);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["Repository"], "<none>");
  EXPECT_EQ(rows[0]["Tag"], "<none>");
}

}  // namespace
}  // namespace berth::cli
