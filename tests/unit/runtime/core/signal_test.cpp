#include <gtest/gtest.h>
#include <signal.h>

#include "runtime/container.h"

namespace berth::runtime {
namespace {

TEST(ParseSignal, AcceptsNamesWithAndWithoutThePrefix) {
  EXPECT_EQ(*parseSignal("KILL"), SIGKILL);
  EXPECT_EQ(*parseSignal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*parseSignal("sigusr1"), SIGUSR1);
}

TEST(ParseSignal, AcceptsNumbers) {
  EXPECT_EQ(*parseSignal("9"), 9);
  EXPECT_EQ(*parseSignal("15"), 15);
}

TEST(ParseSignal, AcceptsRealtimeSignals) {
  EXPECT_EQ(*parseSignal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(*parseSignal("SIGRTMIN+2"), SIGRTMIN + 2);
}

TEST(ParseSignal, RefusesUnknownNamesAndBadNumbers) {
  EXPECT_FALSE(parseSignal("SIGNOPE"));
  EXPECT_FALSE(parseSignal("0"));
  EXPECT_FALSE(parseSignal("65"));
  EXPECT_FALSE(parseSignal("9x"));
  EXPECT_FALSE(parseSignal(""));
}

}  // namespace
}  // namespace berth::runtime
