#include "client/host.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace berth::client {
namespace {

std::string url(std::string_view v, bool tls = false) {
  auto h = parseHost(v, tls);
  return h ? h->url() : "error: " + h.error().message();
}

TEST(ParseHost, UnixPathsKeepTheirPath) {
  EXPECT_EQ(url("unix:///tmp/x.sock"), "unix:///tmp/x.sock");
  EXPECT_EQ(url("unix://"), "unix:///run/berth/berth.sock");
  EXPECT_EQ(url(""), "unix:///run/berth/berth.sock");
  EXPECT_TRUE(parseHost("unix:///run/berth/berth.sock", false)->isDefault());
}

TEST(ParseHost, TcpFillsInDockersDefaults) {
  EXPECT_EQ(url("tcp://1.2.3.4:2375"), "tcp://1.2.3.4:2375");
  EXPECT_EQ(url("tcp://1.2.3.4"), "tcp://1.2.3.4:2375");
  EXPECT_EQ(url("tcp://1.2.3.4", true), "tcp://1.2.3.4:2376");
  EXPECT_EQ(url("tcp://:7777"), "tcp://localhost:7777");
  EXPECT_EQ(url("tcp://"), "tcp://localhost:2375");
  EXPECT_EQ(url("example.com:99"), "tcp://example.com:99");
  EXPECT_EQ(url("tcp://[::1]:5000"), "tcp://[::1]:5000");
  EXPECT_EQ(url("tcp://h:1/base/"), "tcp://h:1/base");
}

TEST(ParseHost, RejectsWhatDockerRejects) {
  EXPECT_EQ(url("ssh2://x"), "error: unsupported proto 'ssh2'");
  EXPECT_EQ(url("tcp://h:notaport"), "error: Invalid bind address format: tcp://h:notaport");
  EXPECT_EQ(url("tcp://h:99999"), "error: Invalid bind address format: tcp://h:99999");
  EXPECT_EQ(url("unix://relative"), "error: Invalid bind address format: unix://relative");
  EXPECT_EQ(url("tcp://::1:80"), "error: Invalid bind address format: tcp://::1:80");
}

TEST(SelectHost, FlagBeatsBerthHostBeatsDockerHost) {
  ::setenv("DOCKER_HOST", "unix:///d.sock", 1);
  ::unsetenv("BERTH_HOST");
  EXPECT_EQ(*selectHost({}), "unix:///d.sock");
  ::setenv("BERTH_HOST", "unix:///b.sock", 1);
  EXPECT_EQ(*selectHost({}), "unix:///b.sock");
  EXPECT_EQ(*selectHost({"tcp://x:1"}), "tcp://x:1");
  EXPECT_FALSE(selectHost({"a", "b"}).has_value());
  ::unsetenv("BERTH_HOST");
  ::unsetenv("DOCKER_HOST");
  EXPECT_EQ(*selectHost({}), "unix:///run/berth/berth.sock");
}

}  // namespace
}  // namespace berth::client
