#include "apitypes/detach_keys.h"

#include <gtest/gtest.h>

namespace berth::apitypes {
namespace {

TEST(DetachKeys, DockerNotation) {
  EXPECT_EQ(*parseDetachKeys("ctrl-p,ctrl-q"), "\x10\x11");
  EXPECT_EQ(*parseDetachKeys(kDefaultDetachKeys), "\x10\x11");
  EXPECT_EQ(*parseDetachKeys("a,ctrl-@,ctrl-["), std::string("a\0\x1b", 3));
  EXPECT_EQ(parseDetachKeys("ctrl-1").error().message(), "Invalid detach keys (ctrl-1) provided");
  EXPECT_FALSE(parseDetachKeys("abc"));
  EXPECT_FALSE(parseDetachKeys(""));
}

// Feeds the chunks one after another; the input passed on, and whether it detached.
std::pair<std::string, bool> scan(const std::string& keys, std::initializer_list<std::string> in) {
  DetachScanner s(keys);
  std::string out;
  for (const auto& chunk : in) {
    if (s.feed(chunk, out)) return {out, true};
  }
  return {out, false};
}

TEST(DetachScanner, PassesInputOnAndStopsAtTheSequence) {
  EXPECT_EQ(scan("\x10\x11", {"ls\n"}), std::make_pair(std::string("ls\n"), false));
  EXPECT_EQ(scan("\x10\x11", {"ab\x10\x11" "cd"}), std::make_pair(std::string("ab"), true));
  // Split across reads, as keys typed one by one come.
  EXPECT_EQ(scan("\x10\x11", {"a\x10", "\x11", "b"}), std::make_pair(std::string("a"), true));
}

TEST(DetachScanner, ABrokenSequenceIsInputAndMayStartAgain) {
  EXPECT_EQ(scan("\x10\x11", {"\x10x"}), std::make_pair(std::string("\x10x"), false));
  // ctrl-p twice, then ctrl-q: the first ctrl-p is input, the second begins the sequence.
  EXPECT_EQ(scan("\x10\x11", {"\x10", "\x10", "\x11"}), std::make_pair(std::string("\x10"), true));
  // A held byte stays held across reads until the sequence breaks.
  EXPECT_EQ(scan("abc", {"ab", "x"}), std::make_pair(std::string("abx"), false));
  EXPECT_EQ(scan("aab", {"aaab"}), std::make_pair(std::string("a"), true));
}

TEST(DetachScanner, NoKeysNeverDetach) {
  EXPECT_EQ(scan("", {"\x10\x11"}), std::make_pair(std::string("\x10\x11"), false));
}

}  // namespace
}  // namespace berth::apitypes
