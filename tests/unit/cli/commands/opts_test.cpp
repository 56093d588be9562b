#include "cli/opts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace berth::cli {
namespace {

template <typename T>
std::string err(const Result<T>& r) {
  return r ? "ok" : r.error().message();
}

TEST(SplitRepoTag, TheTagFollowsTheLastColonAfterTheLastSlash) {
  EXPECT_EQ(splitRepoTag("busybox").repo, "busybox");
  EXPECT_FALSE(splitRepoTag("busybox").tag);
  EXPECT_EQ(splitRepoTag("a/b:1.2").repo, "a/b");
  EXPECT_EQ(splitRepoTag("a/b:1.2").tag, "1.2");
  EXPECT_EQ(splitRepoTag("localhost:5000/app").repo, "localhost:5000/app");
  EXPECT_FALSE(splitRepoTag("localhost:5000/app").tag);
  EXPECT_EQ(splitRepoTag("localhost:5000/app:v1").repo, "localhost:5000/app");
  EXPECT_EQ(splitRepoTag("localhost:5000/app:v1").tag, "v1");
  EXPECT_EQ(splitRepoTag("x:").tag, "");
}

TEST(ParseRamBytes, BinaryUnitsAsGoUnits) {
  EXPECT_EQ(*parseRamBytes("1024"), 1024);
  EXPECT_EQ(*parseRamBytes("512m"), 512LL << 20);
  EXPECT_EQ(*parseRamBytes("1.5g"), 3LL << 29);
  EXPECT_EQ(*parseRamBytes("2GiB"), 2LL << 30);
  EXPECT_EQ(*parseRamBytes("64kb"), 64LL << 10);
  EXPECT_EQ(*parseRamBytes("10b"), 10);
  EXPECT_EQ(err(parseRamBytes("abc")), "invalid size: 'abc'");
  EXPECT_EQ(err(parseRamBytes("1x")), "invalid size: '1x'");
  EXPECT_EQ(err(parseRamBytes("")), "invalid size: ''");
}

TEST(ParseNanoCpus, Decimal) {
  EXPECT_EQ(*parseNanoCpus("1.5"), 1500000000);
  EXPECT_EQ(*parseNanoCpus("2"), 2000000000);
  EXPECT_EQ(*parseNanoCpus(".25"), 250000000);
  EXPECT_EQ(err(parseNanoCpus("1.5x")), "failed to parse 1.5x as a rational number");
}

TEST(ParseUlimit, SoftAndHard) {
  EXPECT_EQ(dumpJson(*parseUlimit("nofile=1024:2048")),
            R"({"Hard":2048,"Name":"nofile","Soft":1024})");
  EXPECT_EQ(dumpJson(*parseUlimit("nproc=10")), R"({"Hard":10,"Name":"nproc","Soft":10})");
  EXPECT_EQ(err(parseUlimit("foo")), "invalid ulimit argument: foo");
  EXPECT_EQ(err(parseUlimit("bogus=1")), "invalid ulimit type: bogus");
  EXPECT_EQ(err(parseUlimit("nofile=3:2")),
            "ulimit soft limit must be less than or equal to hard limit: 3 > 2");
}

TEST(ParsePort, ExposedAndBound) {
  Json exposed = Json::object(), bindings = Json::object();
  ASSERT_TRUE(parsePort("8080:80", exposed, bindings));
  ASSERT_TRUE(parsePort("127.0.0.1:53:53/udp", exposed, bindings));
  ASSERT_TRUE(parsePort("9000", exposed, bindings));
  EXPECT_EQ(dumpJson(exposed), R"({"53/udp":{},"80/tcp":{},"9000/tcp":{}})");
  EXPECT_EQ(dumpJson(bindings["80/tcp"]), R"([{"HostIp":"","HostPort":"8080"}])");
  EXPECT_EQ(dumpJson(bindings["53/udp"]), R"([{"HostIp":"127.0.0.1","HostPort":"53"}])");
  EXPECT_EQ(dumpJson(bindings["9000/tcp"]), R"([{"HostIp":"","HostPort":""}])");
  Json e2 = Json::object(), b2 = Json::object();
  ASSERT_TRUE(parsePort("8000-8001:80-81", e2, b2));
  EXPECT_EQ(dumpJson(b2["81/tcp"]), R"([{"HostIp":"","HostPort":"8001"}])");
  EXPECT_FALSE(parsePort("1:2:3:4", e2, b2));
  EXPECT_FALSE(parsePort("80/xtp", e2, b2));
}

TEST(ParseMount, KeyValueFields) {
  EXPECT_EQ(dumpJson(*parseMount("type=bind,source=/a,target=/b,readonly")),
            R"({"ReadOnly":true,"Source":"/a","Target":"/b","Type":"bind"})");
  EXPECT_EQ(dumpJson(*parseMount("type=tmpfs,dst=/t,tmpfs-size=1m")),
            R"({"Target":"/t","TmpfsOptions":{"SizeBytes":1048576},"Type":"tmpfs"})");
  EXPECT_EQ(dumpJson(*parseMount("src=vol,dst=/v,volume-nocopy")),
            R"({"Source":"vol","Target":"/v","Type":"volume","VolumeOptions":{"NoCopy":true}})");
  EXPECT_EQ(err(parseMount("type=bind,src=/a")), "target is required");
  EXPECT_EQ(err(parseMount("type=bind,bogus=1,target=/x")), "unexpected key 'bogus' in 'bogus=1'");
  EXPECT_EQ(err(parseMount("type=volume,dst=/v,bind-propagation=shared")),
            "cannot mix 'bind-*' options with mount type 'volume'");
}

TEST(ParseDevice, DefaultsPathAndPermissions) {
  EXPECT_EQ(
      dumpJson(*parseDevice("/dev/fuse")),
      R"({"CgroupPermissions":"rwm","PathInContainer":"/dev/fuse","PathOnHost":"/dev/fuse"})");
  EXPECT_EQ(dumpJson(*parseDevice("/dev/a:/dev/b:r")),
            R"({"CgroupPermissions":"r","PathInContainer":"/dev/b","PathOnHost":"/dev/a"})");
  EXPECT_EQ(dumpJson(*parseDevice("/dev/a:rw")),
            R"({"CgroupPermissions":"rw","PathInContainer":"/dev/a","PathOnHost":"/dev/a"})");
}

TEST(ParseRestart, PoliciesAndCounts) {
  EXPECT_EQ(dumpJson(*parseRestart("on-failure:3")),
            R"({"MaximumRetryCount":3,"Name":"on-failure"})");
  EXPECT_EQ(dumpJson(*parseRestart("always")), R"({"MaximumRetryCount":0,"Name":"always"})");
  EXPECT_FALSE(parseRestart("sometimes"));
  EXPECT_FALSE(parseRestart("always:3"));
}

TEST(FiltersJson, DockersMapForm) {
  EXPECT_EQ(*filtersJson({"status=exited", "label=a=b", "status=created"}),
            R"({"label":{"a=b":true},"status":{"created":true,"exited":true}})");
  EXPECT_EQ(*filtersJson({}), "");
  EXPECT_EQ(err(filtersJson({"nonsense"})), "bad format of filter (expected name=value)");
}

TEST(ParseGoDuration, Units) {
  EXPECT_EQ(*parseGoDuration("1h30m"), 5400LL * 1000000000);
  EXPECT_EQ(*parseGoDuration("300ms"), 300LL * 1000000);
  EXPECT_EQ(*parseGoDuration("-2s"), -2LL * 1000000000);
  EXPECT_EQ(*parseGoDuration("1.5s"), 1500LL * 1000000);
  EXPECT_EQ(err(parseGoDuration("10")), "time: missing unit in duration \"10\"");
  EXPECT_EQ(err(parseGoDuration("3d")), "time: unknown unit \"d\" in duration \"3d\"");
}

TEST(ParseTimestamp, UnixRfc3339AndDurations) {
  EXPECT_EQ(*parseTimestamp("1700000000"), "1700000000");
  EXPECT_EQ(*parseTimestamp("1700000000.5"), "1700000000.5");
  EXPECT_EQ(*parseTimestamp("2023-11-14T22:13:20Z"), "1700000000.000000000");
  EXPECT_EQ(*parseTimestamp("2023-11-14T23:13:20+01:00"), "1700000000.000000000");
  EXPECT_EQ(*parseTimestamp("2023-11-14T22:13:20.25Z"), "1700000000.250000000");
  auto rel = parseTimestamp("10m");
  ASSERT_TRUE(rel);
  long long t = std::stoll(rel->substr(0, rel->find('.')));
  EXPECT_NEAR(static_cast<double>(t), static_cast<double>(std::time(nullptr) - 600), 5);
  EXPECT_FALSE(parseTimestamp("yesterday"));
}

TEST(ReadKvFile, EnvFileRules) {
  std::string path = ::testing::TempDir() + "/env-file";
  std::ofstream(path) << "# comment\n\nA=1\n  B=two words\nFROM_ENV\nUNSET_ONE\n";
  ::setenv("FROM_ENV", "x", 1);
  ::unsetenv("UNSET_ONE");
  EXPECT_EQ(*readKvFile(path, true),
            (std::vector<std::string>{"A=1", "B=two words", "FROM_ENV=x"}));
  EXPECT_EQ(*readKvFile(path, false),
            (std::vector<std::string>{"A=1", "B=two words", "FROM_ENV", "UNSET_ONE"}));
  std::ofstream(path) << "BAD KEY=1\n";
  EXPECT_EQ(err(readKvFile(path, true)), "variable 'BAD KEY' contains whitespaces");
}

TEST(ResolveEnv, TakesUnsetValuesFromTheEnvironment) {
  ::setenv("BERTH_TEST_VAR", "v", 1);
  EXPECT_EQ(resolveEnv("BERTH_TEST_VAR"), "BERTH_TEST_VAR=v");
  EXPECT_EQ(resolveEnv("X=1"), "X=1");
  ::unsetenv("BERTH_TEST_VAR");
  EXPECT_EQ(resolveEnv("BERTH_TEST_VAR"), "BERTH_TEST_VAR");
}

}  // namespace
}  // namespace berth::cli
