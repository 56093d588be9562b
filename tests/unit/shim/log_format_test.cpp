#include "shim/log_format.h"

#include <gtest/gtest.h>

namespace berth::shim {
namespace {

std::string json(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

std::string timeOf(time_t sec, long nsec) {
  return rfc3339Nano(timespec{sec, nsec});
}

TEST(JsonString, EscapesQuoteBackslashNewlineAndReturnShort) {
  EXPECT_EQ(json("a\"b\\c\nd\re"), R"("a\"b\\c\nd\re")");
}

TEST(JsonString, WritesOtherControlCharactersAsUnicodeEscapesTabIncluded) {
  // moby's jsonlog writer has no short form for \t, \b or \f (encoding/json does).
  EXPECT_EQ(json(std::string("\t\b\f\x01\x1f", 5)), R"("\u0009\u0008\u000c\u0001\u001f")");
  EXPECT_EQ(json(std::string("a\0b", 3)), R"("a\u0000b")");
}

TEST(JsonString, EscapesHtmlCharactersAsGoDoes) {
  EXPECT_EQ(json("<a href=\"x\">&</a>"), R"("\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e")");
}

TEST(JsonString, KeepsPrintableAsciiDelAndValidUtf8AsTheyAre) {
  EXPECT_EQ(json("hello world ~\x7f"), "\"hello world ~\x7f\"");
  EXPECT_EQ(json("h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e"),
            "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e\"");
  EXPECT_EQ(json("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"");  // a real U+FFFD stays raw
}

TEST(JsonString, ReplacesEachByteThatStartsNoValidSequence) {
  EXPECT_EQ(json("\xff"), R"("\ufffd")");
  EXPECT_EQ(json("a\x80z"), R"("a\ufffdz")");
  // A truncated sequence: the lead byte and then the lone continuation byte.
  EXPECT_EQ(json(std::string("\xe2\x82") + "A"), R"("\ufffd\ufffdA")");
  EXPECT_EQ(json("\xe2\x82"), R"("\ufffd\ufffd")");
  // Overlong forms, a surrogate and a code point past U+10FFFF are invalid too.
  EXPECT_EQ(json("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(json("\xe0\x80\xaf"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(json("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(json("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(json("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF itself is fine
}

TEST(JsonString, EscapesLineAndParagraphSeparators) {
  EXPECT_EQ(json(std::string("a\xe2\x80\xa8") + "b\xe2\x80\xa9"), R"("a\u2028b\u2029")");
  EXPECT_EQ(json("\xe2\x80\xaa"), "\"\xe2\x80\xaa\"");  // U+202A is not special
}

TEST(Rfc3339Nano, WritesNineDigitsWhenAllAreSignificant) {
  EXPECT_EQ(timeOf(1795855265, 123456789), "2026-11-28T08:41:05.123456789Z");
}

TEST(Rfc3339Nano, TrimsTrailingZerosOfTheFractionAsGoDoes) {
  EXPECT_EQ(timeOf(1795855265, 100000000), "2026-11-28T08:41:05.1Z");
  EXPECT_EQ(timeOf(1795855265, 120000000), "2026-11-28T08:41:05.12Z");
  EXPECT_EQ(timeOf(1795855265, 1), "2026-11-28T08:41:05.000000001Z");
  EXPECT_EQ(timeOf(1795855265, 10), "2026-11-28T08:41:05.00000001Z");
}

TEST(Rfc3339Nano, DropsTheDotWhenTheFractionIsZero) {
  EXPECT_EQ(timeOf(1795855265, 0), "2026-11-28T08:41:05Z");
  EXPECT_EQ(timeOf(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(timeOf(951868799, 0), "2000-02-29T23:59:59Z");
}

TEST(LogEntry, HasDockersFieldOrderAndEndsInANewline) {
  std::string out;
  appendLogEntry(out, "hello <world>\n", "stdout", timespec{1795855265, 5000});
  EXPECT_EQ(
      out,
      R"({"log":"hello \u003cworld\u003e\n","stream":"stdout","time":"2026-11-28T08:41:05.000005Z"})"
      "\n");
}

TEST(LogEntry, OmitsAnEmptyLogLikeMobysOmitempty) {
  std::string out;
  appendLogEntry(out, "", "stderr", timespec{0, 0});
  EXPECT_EQ(out, "{\"stream\":\"stderr\",\"time\":\"1970-01-01T00:00:00Z\"}\n");
}

}  // namespace
}  // namespace berth::shim
