#include "cli/format/go_fmt.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

// Sprintf over JSON arguments.
template <typename... A>
std::string fmtf(std::string_view format, const A&... args) {
  std::vector<Json> values{Json(args)...};
  std::vector<const Json*> ptrs;
  for (const auto& v : values) ptrs.push_back(&v);
  return goSprintf(format, ptrs);
}

TEST(GoFmt, FormatsFloatsAsStrconvShortest) {
  EXPECT_EQ(goFormatFloat(1.5, 'g', -1), "1.5");
  EXPECT_EQ(goFormatFloat(1e6, 'g', -1), "1e+06");
  EXPECT_EQ(goFormatFloat(123456, 'g', -1), "123456");
  EXPECT_EQ(goFormatFloat(1234567, 'g', -1), "1.234567e+06");
  EXPECT_EQ(goFormatFloat(123456789, 'g', -1), "1.23456789e+08");
  EXPECT_EQ(goFormatFloat(0.0001, 'g', -1), "0.0001");
  EXPECT_EQ(goFormatFloat(0.00001, 'g', -1), "1e-05");
  EXPECT_EQ(goFormatFloat(0, 'g', -1), "0");
  EXPECT_EQ(goFormatFloat(-2.5, 'g', -1), "-2.5");
  EXPECT_EQ(goFormatFloat(1e21, 'g', -1), "1e+21");
  EXPECT_EQ(goFormatFloat(1e100, 'g', -1), "1e+100");
  EXPECT_EQ(goFormatFloat(0.1 + 0.2, 'g', -1), "0.30000000000000004");
}

TEST(GoFmt, FormatsFloatsWithPrecision) {
  EXPECT_EQ(goFormatFloat(2.13, 'g', 3), "2.13");
  EXPECT_EQ(goFormatFloat(999.999, 'g', 3), "1e+03");
  EXPECT_EQ(goFormatFloat(100, 'g', 3), "100");
  EXPECT_EQ(goFormatFloat(2.5, 'g', 4), "2.5");
  EXPECT_EQ(goFormatFloat(1.0486, 'g', 4), "1.049");
  EXPECT_EQ(goFormatFloat(1234.5678, 'e', 3), "1.235e+03");
  EXPECT_EQ(goFormatFloat(3.14159, 'f', 2), "3.14");
  EXPECT_EQ(goFormatFloat(0.5, 'f', 0), "0");
  EXPECT_EQ(goFormatFloat(1.5, 'f', 0), "2");
  EXPECT_EQ(goFormatFloat(1e6, 'G', -1), "1E+06");
}

TEST(GoFmt, PrintsValuesLikeFmtSprint) {
  EXPECT_EQ(goPrint(Json("raw \"text\"")), "raw \"text\"");
  EXPECT_EQ(goPrint(Json(nullptr)), "<nil>");
  EXPECT_EQ(goPrint(Json(true)), "true");
  EXPECT_EQ(goPrint(Json(-12)), "-12");
  EXPECT_EQ(goPrint(Json(2.0)), "2");
  EXPECT_EQ(goPrint(Json::parse(R"([1, "a", [true, null]])")), "[1 a [true <nil>]]");
  EXPECT_EQ(goPrint(Json::parse(R"({"b": {"c": 1}, "a": []})")), "map[a:[] b:map[c:1]]");
}

TEST(GoFmt, QuotesLikeStrconvQuote) {
  EXPECT_EQ(goQuote("web"), "\"web\"");
  EXPECT_EQ(goQuote("a\"b\\c\n\t"), R"("a\"b\\c\n\t")");
  EXPECT_EQ(goQuote("\x01\x7f"), R"("\x01\x7f")");
  EXPECT_EQ(goQuote("h\xc3\xa9llo"), "\"h\xc3\xa9llo\"");
  EXPECT_EQ(goQuote("bad\xff"), R"("bad\xff")");
  EXPECT_EQ(goQuote("\xe2\x80\xa8"), R"("\u2028")");
}

TEST(GoFmt, EncodesJsonLikeEncodingJson) {
  Json v = Json::parse(R"({"b": [1, 2.5, null, true, false], "a": "<x>&", "c": {}})");
  EXPECT_EQ(goJson(v, false), R"({"a":"<x>&","b":[1,2.5,null,true,false],"c":{}})");
  EXPECT_EQ(goJson(v, true), R"({"a":"\u003cx\u003e\u0026","b":[1,2.5,null,true,false],"c":{}})");
  EXPECT_EQ(goJson(Json("\t\n\r\b\f\x01\x7f\"\\"), false), R"("\t\n\r\b\f\u0001)"
                                                           "\x7f"
                                                           R"(\"\\")");
  EXPECT_EQ(goJson(Json("\xe2\x80\xa8\xe2\x80\xa9 bad\xff \xc3\xa9"), false),
            "\"\\u2028\\u2029 bad\\ufffd \xc3\xa9\"");
  EXPECT_EQ(goJson(Json(1.0), false), "1");
  EXPECT_EQ(goJson(Json(1e21), false), "1e+21");
  EXPECT_EQ(goJson(Json(1e20), false), "100000000000000000000");
  EXPECT_EQ(goJson(Json(1e-7), false), "1e-7");
  EXPECT_EQ(goJson(Json(0.000001), false), "0.000001");
  EXPECT_EQ(goJson(Json(123456789.0), false), "123456789");
  EXPECT_EQ(goJson(Json(-0.5), false), "-0.5");
  EXPECT_EQ(goJson(Json(18446744073709551615ULL), false), "18446744073709551615");
}

TEST(GoFmt, SprintfFormatsIntegers) {
  EXPECT_EQ(fmtf("%d", 42), "42");
  EXPECT_EQ(fmtf("%5d|%-5d|%05d", 42, 42, -42), "   42|42   |-0042");
  EXPECT_EQ(fmtf("%+d % d", 5, 5), "+5  5");
  EXPECT_EQ(fmtf("%x %X %#x %o %#o %b", 255, 255, 255, 8, 8, 5), "ff FF 0xff 10 010 101");
  EXPECT_EQ(fmtf("%x", -255), "-ff");
  EXPECT_EQ(fmtf("%c%c %q %U", 72, 0x1F600, 65, 0x1F600), "H\xf0\x9f\x98\x80 'A' U+1F600");
  EXPECT_EQ(fmtf("%.3d|%.0d|", 7, 0), "007||");
  EXPECT_EQ(fmtf("%v", 7), "7");
}

TEST(GoFmt, SprintfFormatsFloats) {
  EXPECT_EQ(fmtf("%5.2f|%-8.3f|%08.3f", 3.14159, 2.5, -3.5), " 3.14|2.500   |-003.500");
  EXPECT_EQ(fmtf("%f %e %E", 1.5, 1234.5678, 0.00012), "1.500000 1.234568e+03 1.200000E-04");
  EXPECT_EQ(fmtf("%g %g %.2g %G", 1e6, 100000.0, 123.0, 1e-7), "1e+06 100000 1.2e+02 1E-07");
  EXPECT_EQ(fmtf("%v %+.1f", 0.1, 2.25), "0.1 +2.2");
  EXPECT_EQ(fmtf("%6.2f%%", 12.5), " 12.50%");
}

TEST(GoFmt, SprintfFormatsStrings) {
  EXPECT_EQ(fmtf("%s|%10s|%-10s|%.2s", "abc", "abc", "abc", "abc"), "abc|       abc|abc       |ab");
  EXPECT_EQ(fmtf("%q", "a\"b"), R"("a\"b")");
  EXPECT_EQ(fmtf("%#q", "a\"b"), "`a\"b`");
  EXPECT_EQ(fmtf("%x %X % x", "hi", "hi", "hi"), "6869 6869 68 69");
  EXPECT_EQ(fmtf("%5s|", "h\xc3\xa9"), "   h\xc3\xa9|");
  EXPECT_EQ(fmtf("%v %t", "x", true), "x true");
}

TEST(GoFmt, SprintfAppliesVerbsToElements) {
  EXPECT_EQ(fmtf("%v", Json::parse(R"([1, "a", true])")), "[1 a true]");
  EXPECT_EQ(fmtf("%d", Json::parse("[1, 2]")), "[1 2]");
  EXPECT_EQ(fmtf("%3d", Json::parse("[1, 2]")), "[  1   2]");
  EXPECT_EQ(fmtf("%s", Json::parse(R"(["a", "b"])")), "[a b]");
  EXPECT_EQ(fmtf("%q", Json::parse(R"(["a", "b"])")), R"(["a" "b"])");
  EXPECT_EQ(fmtf("%v", Json::parse(R"({"b": 1, "a": [1, 2]})")), "map[a:[1 2] b:1]");
  EXPECT_EQ(fmtf("%d", Json::parse(R"({"a": 1})")), "map[%!d(string=a):1]");
}

TEST(GoFmt, SprintfReportsBadVerbsAndArgumentCounts) {
  EXPECT_EQ(fmtf("%d", "abc"), "%!d(string=abc)");
  EXPECT_EQ(fmtf("%s", 5), "%!s(int=5)");
  EXPECT_EQ(fmtf("%s", 1.5), "%!s(float64=1.5)");
  EXPECT_EQ(fmtf("%d", true), "%!d(bool=true)");
  EXPECT_EQ(fmtf("%s", nullptr), "%!s(<nil>)");
  EXPECT_EQ(fmtf("%v", nullptr), "<nil>");
  EXPECT_EQ(fmtf("%d %d", 1), "1 %!d(MISSING)");
  EXPECT_EQ(fmtf("%d", 1, "x", 2), "1%!(EXTRA string=x, int=2)");
  EXPECT_EQ(fmtf("100%%"), "100%");
  EXPECT_EQ(fmtf("%"), "%!(NOVERB)");
  EXPECT_EQ(fmtf("%T %T %T %T", "a", 1, 1.5, Json::parse("[]")),
            "string int float64 []interface {}");
}

TEST(GoFmt, SprintfTakesWidthAndPrecisionFromArguments) {
  EXPECT_EQ(fmtf("%*d|%-*d|%.*f", 5, 42, 4, 7, 2, 3.14159), "   42|7   |3.14");
}

TEST(GoFmt, SprintfPrintsIntegralJsonFloatsUnderIntegerVerbs) {
  // A float64 field that JSON carried as 5.0, and an integer under %f: printed as Go prints the
  // typed docker field.
  EXPECT_EQ(fmtf("%d", 5.0), "5");
  EXPECT_EQ(fmtf("%.1f", 5), "5.0");
  EXPECT_EQ(fmtf("%d", 5.5), "%!d(float64=5.5)");
}

TEST(GoFmt, SprintAndSprintlnSpaceOperandsAsGo) {
  Json a("a"), one(1), two(2), b("b");
  EXPECT_EQ(goSprint({&a, &one, &two, &b}), "a1 2b");
  EXPECT_EQ(goSprint({&one, nullptr}), "1 <nil>");
  EXPECT_EQ(goSprintln({&a, &one}), "a 1\n");
  EXPECT_EQ(goSprintln({}), "\n");
}

}  // namespace
}  // namespace berth::cli
