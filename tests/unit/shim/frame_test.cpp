#include "shim/frame.h"

#include <gtest/gtest.h>

namespace berth::shim {
namespace {

TEST(Frame, HeaderIsStreamThreeZerosAndABigEndianLength) {
  char h[kFrameHeaderSize];
  encodeFrameHeader(kFrameStderr, 0x01020304, h);
  EXPECT_EQ(std::string(h, sizeof h), std::string("\x02\x00\x00\x00\x01\x02\x03\x04", 8));
}

TEST(Frame, AppendsHeaderAndPayload) {
  std::string out = "x";
  appendFrame(out, kFrameStdout, "hi\n");
  EXPECT_EQ(out, std::string("x\x01\x00\x00\x00\x00\x00\x00\x03hi\n", 12));
}

TEST(Frame, ExitFrameCarriesTheDecimalCode) {
  std::string out;
  appendFrame(out, kFrameExit, "137");
  auto h = decodeFrameHeader(out);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->stream, 0xff);
  EXPECT_EQ(h->length, 3u);
  EXPECT_EQ(out.substr(kFrameHeaderSize), "137");
}

TEST(Frame, DecodesWhatItEncodesUpToTheLargestLength) {
  for (uint32_t len : {0u, 1u, 255u, 256u, 65536u, 0xffffffffu}) {
    char h[kFrameHeaderSize];
    encodeFrameHeader(kFrameStdout, len, h);
    auto d = decodeFrameHeader(std::string_view(h, sizeof h));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->stream, kFrameStdout);
    EXPECT_EQ(d->length, len);
  }
}

TEST(Frame, RejectsAShortHeaderOrNonZeroPadding) {
  EXPECT_FALSE(decodeFrameHeader(std::string("\x01\x00\x00", 3)));
  EXPECT_FALSE(decodeFrameHeader(std::string("\x01\x00\x01\x00\x00\x00\x00\x01", 8)));
}

}  // namespace
}  // namespace berth::shim
