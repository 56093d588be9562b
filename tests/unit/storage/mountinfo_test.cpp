#include "storage/mountinfo.h"

#include <gtest/gtest.h>

namespace berth::storage {
namespace {

constexpr const char* kSample =
    "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"
    "45 26 0:38 / /var/tmp/x/with\\040space rw,relatime shared:5 - overlay overlay "
    "rw,lowerdir+=/l/2,lowerdir+=/l/1,upperdir=/c/upper,workdir=/c/work\n"
    "46 45 0:39 / /var/tmp/x/with\\040space/proc rw - proc proc rw\n"
    "47 26 0:40 / /var/tmp/xy rw - tmpfs tmpfs rw\n"
    "garbage line\n";

TEST(MountInfo, ParsesFieldsAndDecodesEscapes) {
  auto mounts = parseMountInfo(kSample);
  ASSERT_EQ(mounts.size(), 4u);
  EXPECT_EQ(mounts[1].mountPoint, "/var/tmp/x/with space");
  EXPECT_EQ(mounts[1].fsType, "overlay");
  EXPECT_EQ(mounts[1].source, "overlay");
  EXPECT_EQ(mounts[1].superOptions,
            "rw,lowerdir+=/l/2,lowerdir+=/l/1,upperdir=/c/upper,workdir=/c/work");
}

TEST(MountInfo, MountsUnderListsChildrenFirstAndNotSiblingPrefixes) {
  auto mounts = parseMountInfo(kSample);
  EXPECT_EQ(mountsUnder(mounts, "/var/tmp/x/"),
            (std::vector<std::string>{"/var/tmp/x/with space/proc", "/var/tmp/x/with space"}));
  EXPECT_TRUE(mountsUnder(mounts, "/var/tmp/none").empty());
}

TEST(MountInfo, ReadsThisProcessesMounts) {
  auto mounts = readMountInfo();
  ASSERT_TRUE(mounts) << mounts.error().what();
  bool root = false;
  for (const auto& m : *mounts) root = root || m.mountPoint == "/";
  EXPECT_TRUE(root);
}

}  // namespace
}  // namespace berth::storage
