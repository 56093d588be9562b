#include "shim/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace berth::shim {
namespace {

Result<ShimOptions> parse(std::vector<const char*> extra, bool base = true) {
  std::vector<const char*> argv = {"berth-shim"};
  if (base) {
    argv.insert(argv.end(), {"--id", "c1", "--bundle", "/b", "--state-dir", "/s", "--runtime",
                             "/usr/sbin/runc", "--log", "/l/c1-json.log"});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return parseOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(ShimOptions, ParsesTheRequiredOptionsWithDefaults) {
  auto o = parse({});
  ASSERT_TRUE(o) << o.error().what();
  EXPECT_EQ(o->id, "c1");
  EXPECT_EQ(o->bundle, "/b");
  EXPECT_EQ(o->stateDir, "/s");
  EXPECT_EQ(o->runtime, "/usr/sbin/runc");
  EXPECT_EQ(o->log, "/l/c1-json.log");
  EXPECT_EQ(o->runtimeRoot, "");
  EXPECT_EQ(o->logMaxSize, 0);
  EXPECT_EQ(o->logMaxFile, 1);
  EXPECT_FALSE(o->tty || o->stdin || o->stdinOnce || o->runtimeLinked);
  EXPECT_EQ(o->readyFd, -1);
}

TEST(ShimOptions, ParsesEveryOptionalOptionInBothSpellings) {
  auto o = parse({"--runtime-root=/run/r", "--log-max-size", "10485760", "--log-max-file=3",
                  "--tty", "--stdin", "--stdin-once", "--runtime-linked", "--ready-fd", "3"});
  ASSERT_TRUE(o) << o.error().what();
  EXPECT_EQ(o->runtimeRoot, "/run/r");
  EXPECT_EQ(o->logMaxSize, 10485760);
  EXPECT_EQ(o->logMaxFile, 3);
  EXPECT_TRUE(o->tty && o->stdin && o->stdinOnce && o->runtimeLinked);
  EXPECT_EQ(o->readyFd, 3);
}

TEST(ShimOptions, RefusesAMissingRequiredOption) {
  auto o = parse({"--id", "c1", "--bundle", "/b", "--state-dir", "/s", "--runtime", "/r"}, false);
  ASSERT_FALSE(o);
  EXPECT_NE(o.error().what().find("--log is required"), std::string::npos);
  EXPECT_FALSE(parse({"--bundle", "/b"}, false));
}

TEST(ShimOptions, RefusesRelativePathsBadNumbersAndUnknownOptions) {
  EXPECT_FALSE(parse({"--bundle", "b"}));
  EXPECT_FALSE(parse({"--log-max-size", "0"}));
  EXPECT_FALSE(parse({"--log-max-size", "10m"}));
  EXPECT_FALSE(parse({"--log-max-file", "0"}));
  EXPECT_FALSE(parse({"--ready-fd", "-1"}));
  EXPECT_FALSE(parse({"--detach"}));
  EXPECT_FALSE(parse({"--tty=yes"}));
  EXPECT_FALSE(parse({"--ready-fd"}));
  EXPECT_FALSE(parse({"positional"}));
}

}  // namespace
}  // namespace berth::shim
