#include "client/multiplex.h"

#include <gtest/gtest.h>

#include <string>

namespace berth::client {
namespace {

std::string frame(int stream, std::string_view payload) {
  std::string f(8, '\0');
  f[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  f[4] = static_cast<char>(n >> 24);
  f[5] = static_cast<char>(n >> 16);
  f[6] = static_cast<char>(n >> 8);
  f[7] = static_cast<char>(n);
  return f + std::string(payload);
}

struct Collected {
  std::string out, err;
  Demuxer demux{[this](int s, std::string_view p) -> Status {
    (s == 2 ? err : out).append(p);
    return {};
  }};
};

TEST(Demuxer, SplitsFramesByStream) {
  Collected c;
  ASSERT_TRUE(c.demux.feed(frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "bye\n")));
  EXPECT_EQ(c.out, "hello\nbye\n");
  EXPECT_EQ(c.err, "oops\n");
  EXPECT_TRUE(c.demux.atBoundary());
}

TEST(Demuxer, AcceptsBytesOneAtATime) {
  Collected c;
  std::string all = frame(1, "abc") + frame(2, "") + frame(2, std::string(70000, 'x'));
  for (char ch : all) ASSERT_TRUE(c.demux.feed(std::string_view(&ch, 1)));
  EXPECT_EQ(c.out, "abc");
  EXPECT_EQ(c.err.size(), 70000u);
  EXPECT_TRUE(c.demux.atBoundary());
}

TEST(Demuxer, ReportsACutFrame) {
  Collected c;
  ASSERT_TRUE(c.demux.feed(frame(1, "hello").substr(0, 10)));
  EXPECT_EQ(c.out, "he");
  EXPECT_FALSE(c.demux.atBoundary());
}

TEST(Demuxer, RejectsAnUnknownStream) {
  Collected c;
  auto st = c.demux.feed(frame(7, "x"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "Unrecognized input header: 7");
}

}  // namespace
}  // namespace berth::client
