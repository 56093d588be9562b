// Hostile layers: every one must be refused with InvalidArgument naming the offending entry,
// and nothing outside the layer directory may be created, changed or removed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "image/layer.h"
#include "layer_test_util.h"

namespace berth::image {
namespace {

using ::testing::HasSubstr;
using testing::LayerDirTest;
using testing::TarBuilder;

class HostileLayer : public LayerDirTest {
 protected:
  void expectRefused(const TarBuilder& b, const std::string& entry, UnpackOptions opts = {}) {
    for (const char* filter : {static_cast<const char*>(nullptr), "gzip"}) {
      auto fd = testing::memFd(b.build(filter));
      auto r = unpackLayer(fd.get(), root_, opts);
      ASSERT_FALSE(r) << "accepted a layer with " << entry;
      EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument) << r.error().what();
      EXPECT_THAT(r.error().what(), HasSubstr("\"" + entry + "\"")) << r.error().what();
      expectOutsideUntouched();
    }
  }
};

TEST_F(HostileLayer, RefusesADotDotName) {
  expectRefused(TarBuilder().file("../evil", "x"), "../evil");
}

TEST_F(HostileLayer, RefusesADotDotInTheMiddle) {
  expectRefused(TarBuilder().dir("a/").file("a/../../evil", "x"), "a/../../evil");
}

TEST_F(HostileLayer, RefusesADotDotThatWouldStayInside) {
  // Docker would clean "a/../b" to "b"; a layer tool never writes it, so it is refused as well.
  expectRefused(TarBuilder().file("a/../b", "x"), "a/../b");
}

TEST_F(HostileLayer, RefusesAnAbsoluteName) {
  expectRefused(TarBuilder().file("/abs/evil", "x"), "/abs/evil");
}

TEST_F(HostileLayer, RefusesAPathThroughASymlink) {
  expectRefused(TarBuilder().symlink("a", "/").file("a/evil", "x"), "a/evil");
  EXPECT_TRUE(std::filesystem::is_symlink(at("a")));
}

TEST_F(HostileLayer, RefusesAPathThroughASymlinkToTheParent) {
  // The absolute target is fine as a link; writing through it is not.
  expectRefused(TarBuilder().symlink("up", outer_).file("up/canary", "pwned"), "up/canary");
}

TEST_F(HostileLayer, RefusesAPathThroughANestedSymlink) {
  expectRefused(TarBuilder().dir("d/").symlink("d/link", "/var/tmp").dir("d/link/evil/"),
                "d/link/evil/");
}

TEST_F(HostileLayer, RefusesASymlinkClimbingOutOfTheLayer) {
  expectRefused(TarBuilder().symlink("a", "../../.."), "a");
}

TEST_F(HostileLayer, RefusesANestedSymlinkClimbingOut) {
  expectRefused(TarBuilder().dir("x/").symlink("x/y", "sub/../../../canary"), "x/y");
}

TEST_F(HostileLayer, RefusesAHardlinkToDotDot) {
  expectRefused(TarBuilder().hardlink("passwd", "../../etc/passwd"), "passwd");
}

TEST_F(HostileLayer, RefusesAHardlinkToAnAbsolutePath) {
  expectRefused(TarBuilder().hardlink("passwd", "/etc/passwd"), "passwd");
}

TEST_F(HostileLayer, RefusesAHardlinkToAMissingTarget) {
  expectRefused(TarBuilder().file("present", "p").hardlink("x", "absent"), "x");
  expectRefused(TarBuilder().hardlink("y", "nodir/absent"), "y");
}

TEST_F(HostileLayer, RefusesAHardlinkThroughAPlantedSymlink) {
  expectRefused(TarBuilder().symlink("etc", "/etc").hardlink("passwd", "etc/passwd"), "passwd");
}

TEST_F(HostileLayer, RefusesAHardlinkPlacedThroughASymlink) {
  expectRefused(TarBuilder().file("f", "f").symlink("s", outer_).hardlink("s/link", "f"), "s/link");
}

TEST_F(HostileLayer, RefusesAWhiteoutOfDotDot) {
  expectRefused(TarBuilder().dir("a/").file("a/.wh...", ""), "a/.wh...");
  expectRefused(TarBuilder().file(".wh...", ""), ".wh...", {.overlayWhiteouts = false});
}

TEST_F(HostileLayer, RefusesAWhiteoutThroughASymlink) {
  expectRefused(TarBuilder().symlink("s", outer_).file("s/.wh.canary", ""), "s/.wh.canary",
                {.overlayWhiteouts = false});
}

TEST_F(HostileLayer, RefusesAnOpaqueMarkerThroughASymlink) {
  // Flattening, this would empty the directory the link points at.
  expectRefused(TarBuilder().symlink("s", outer_).file("s/.wh..wh..opq", ""), "s/.wh..wh..opq",
                {.overlayWhiteouts = false});
  expectRefused(TarBuilder().symlink("s", outer_).file("s/.wh..wh..opq", ""), "s/.wh..wh..opq");
}

TEST_F(HostileLayer, ReplacesASymlinkInsteadOfWritingThroughIt) {
  // Not refused: the later entry replaces the link itself, as Docker does.
  auto tar = TarBuilder()
                 .symlink("c", outer_ + "/canary")
                 .file("c", "pwned", 0777)
                 .symlink("d", outer_)
                 .dir("d/", 0777)
                 .symlink("n", outer_ + "/canary")
                 .fifo("n")
                 .build();
  auto fd = testing::memFd(tar);
  auto r = unpackLayer(fd.get(), root_);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*readFile(at("c")), "pwned");
  EXPECT_TRUE(S_ISDIR(testing::lstatOf(at("d")).st_mode));
  EXPECT_TRUE(S_ISFIFO(testing::lstatOf(at("n")).st_mode));
  expectOutsideUntouched();
}

TEST_F(HostileLayer, AllowsSymlinksThatStayInsideOrAreAbsolute) {
  auto tar = TarBuilder()
                 .dir("a/")
                 .symlink("a/b", "../x")
                 .symlink("root", "/../../..")
                 .symlink("etc", "/etc")
                 .build();
  auto fd = testing::memFd(tar);
  auto r = unpackLayer(fd.get(), root_);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(std::filesystem::read_symlink(at("a/b")), "../x");
  expectOutsideUntouched();
}

}  // namespace
}  // namespace berth::image
