#include "oci/mount_options.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

namespace berth::oci {
namespace {

TEST(MountOptions, SplitsFlagsFromData) {
  MountOptions m = parseMountOptions({"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"});
  EXPECT_EQ(m.flags, static_cast<unsigned long>(MS_NOSUID | MS_NOEXEC | MS_NODEV));
  EXPECT_EQ(m.clearFlags, 0u);
  EXPECT_EQ(m.data, "mode=1777,size=65536k");
  EXPECT_FALSE(m.bind);
}

TEST(MountOptions, MapsEveryFlagOfRuncsTable) {
  struct Case {
    const char* option;
    unsigned long flag;
    bool clears;
  };
  const Case cases[] = {
      {"ro", MS_RDONLY, false},
      {"rw", MS_RDONLY, true},
      {"suid", MS_NOSUID, true},
      {"nosuid", MS_NOSUID, false},
      {"dev", MS_NODEV, true},
      {"nodev", MS_NODEV, false},
      {"exec", MS_NOEXEC, true},
      {"noexec", MS_NOEXEC, false},
      {"sync", MS_SYNCHRONOUS, false},
      {"async", MS_SYNCHRONOUS, true},
      {"dirsync", MS_DIRSYNC, false},
      {"remount", MS_REMOUNT, false},
      {"mand", MS_MANDLOCK, false},
      {"nomand", MS_MANDLOCK, true},
      {"atime", MS_NOATIME, true},
      {"noatime", MS_NOATIME, false},
      {"diratime", MS_NODIRATIME, true},
      {"nodiratime", MS_NODIRATIME, false},
      {"relatime", MS_RELATIME, false},
      {"norelatime", MS_RELATIME, true},
      {"strictatime", MS_STRICTATIME, false},
      {"nostrictatime", MS_STRICTATIME, true},
      {"nosymfollow", MS_NOSYMFOLLOW, false},
      {"bind", MS_BIND, false},
      {"rbind", MS_BIND | MS_REC, false},
  };
  for (const auto& c : cases) {
    MountOptions m = parseMountOptions({c.option});
    if (c.clears) {
      EXPECT_EQ(m.flags, 0u) << c.option;
      EXPECT_EQ(m.clearFlags, c.flag) << c.option;
    } else {
      EXPECT_EQ(m.flags, c.flag) << c.option;
      EXPECT_EQ(m.clearFlags, 0u) << c.option;
    }
    EXPECT_EQ(m.data, "") << c.option;
  }
}

TEST(MountOptions, LaterOptionOverridesEarlier) {
  MountOptions m = parseMountOptions({"ro", "rw"});
  EXPECT_EQ(m.flags, 0u);
  EXPECT_EQ(m.clearFlags, static_cast<unsigned long>(MS_RDONLY));
  m = parseMountOptions({"rw", "ro"});
  EXPECT_EQ(m.flags, static_cast<unsigned long>(MS_RDONLY));
  EXPECT_EQ(m.clearFlags, 0u);
}

TEST(MountOptions, DefaultsSetsNothing) {
  MountOptions m = parseMountOptions({"defaults"});
  EXPECT_EQ(m.flags, 0u);
  EXPECT_EQ(m.data, "");
}

TEST(MountOptions, RecognisesBindAndRbind) {
  MountOptions bind = parseMountOptions({"bind", "ro"});
  EXPECT_TRUE(bind.bind);
  EXPECT_FALSE(bind.recursive);
  MountOptions rbind = parseMountOptions({"rbind", "rprivate"});
  EXPECT_TRUE(rbind.bind);
  EXPECT_TRUE(rbind.recursive);
  EXPECT_EQ(rbind.flags, static_cast<unsigned long>(MS_BIND | MS_REC));
  EXPECT_EQ(rbind.propagation, static_cast<unsigned long>(MS_PRIVATE | MS_REC));
}

TEST(MountOptions, SeparatesPropagationFromFlags) {
  EXPECT_EQ(parseMountOptions({"shared"}).propagation, static_cast<unsigned long>(MS_SHARED));
  EXPECT_EQ(parseMountOptions({"rslave"}).propagation,
            static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(parseMountOptions({"runbindable"}).propagation,
            static_cast<unsigned long>(MS_UNBINDABLE | MS_REC));
  EXPECT_EQ(parseMountOptions({"rshared", "private"}).propagation,
            static_cast<unsigned long>(MS_PRIVATE));
  EXPECT_EQ(parseMountOptions({"rshared"}).flags, 0u);
}

TEST(MountOptions, RecognisesRecursiveReadonlyAndTmpcopyup) {
  MountOptions m = parseMountOptions({"rbind", "rro", "tmpcopyup"});
  EXPECT_TRUE(m.recursiveReadonly);
  EXPECT_TRUE(m.tmpcopyup);
  EXPECT_EQ(m.flags & MS_RDONLY, 0u);
  EXPECT_EQ(m.data, "");
}

TEST(MountOptions, PassesUnknownOptionsAsData) {
  MountOptions m =
      parseMountOptions({"lowerdir=/a:/b", "nosuid", "upperdir=/u", "workdir=/w", "index=off"});
  EXPECT_EQ(m.data, "lowerdir=/a:/b,upperdir=/u,workdir=/w,index=off");
  EXPECT_EQ(m.flags, static_cast<unsigned long>(MS_NOSUID));
}

TEST(PropagationFlags, MapsRootfsPropagationValues) {
  EXPECT_EQ(propagationFlags(""), 0);
  EXPECT_EQ(propagationFlags("private"), static_cast<long>(MS_PRIVATE));
  EXPECT_EQ(propagationFlags("rprivate"), static_cast<long>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(propagationFlags("slave"), static_cast<long>(MS_SLAVE));
  EXPECT_EQ(propagationFlags("rslave"), static_cast<long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(propagationFlags("shared"), static_cast<long>(MS_SHARED));
  EXPECT_EQ(propagationFlags("rshared"), static_cast<long>(MS_SHARED | MS_REC));
  EXPECT_EQ(propagationFlags("unbindable"), static_cast<long>(MS_UNBINDABLE));
  EXPECT_EQ(propagationFlags("runbindable"), static_cast<long>(MS_UNBINDABLE | MS_REC));
  EXPECT_EQ(propagationFlags("ro"), -1);
  EXPECT_EQ(propagationFlags("bogus"), -1);
}

}  // namespace
}  // namespace berth::oci
