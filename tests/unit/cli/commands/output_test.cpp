#include "cli/output.h"

#include <gtest/gtest.h>

#include "cli/terminal.h"

namespace berth::cli {
namespace {

TEST(ShortId, DropsTheAlgorithmAndTruncates) {
  EXPECT_EQ(shortId("sha256:6046740a354e1234567890"), "6046740a354e");
  EXPECT_EQ(shortId("3f2a1b0c9d8e7f"), "3f2a1b0c9d8e");
  EXPECT_EQ(shortId("abc"), "abc");
}

TEST(Ellipsis, CountsColumnsNotBytes) {
  EXPECT_EQ(ellipsis("sleep 100", 20), "sleep 100");
  EXPECT_EQ(ellipsis("nginx -g 'daemon off;'", 20), "nginx -g 'daemon of\xe2\x80\xa6");
  EXPECT_EQ(ellipsis("\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xbd\xa0\xe5\xa5\xbd", 5),
            "\xe4\xbd\xa0\xe5\xa5\xbd\xe2\x80\xa6");
}

TEST(IndentJson, KeepsOrderAndEscapes) {
  EXPECT_EQ(indentJson(R"([{"Id":"x","A":[],"B":{},"C":[1,2],"D":"a,b:\"c\""}])"),
            "[\n    {\n        \"Id\": \"x\",\n        \"A\": [],\n        \"B\": {},\n"
            "        \"C\": [\n            1,\n            2\n        ],\n"
            "        \"D\": \"a,b:\\\"c\\\"\"\n    }\n]");
  EXPECT_EQ(indentJson("[]"), "[]");
}

TEST(ParseRfc3339, WithFractionAndZone) {
  EXPECT_EQ(parseRfc3339("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(parseRfc3339("2023-11-14T22:13:20.123456789Z"), 1700000000);
  EXPECT_EQ(parseRfc3339("2023-11-14T23:13:20+01:00"), 1700000000);
  EXPECT_EQ(parseRfc3339("garbage"), -1);
}

}  // namespace
}  // namespace berth::cli
