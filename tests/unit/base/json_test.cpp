// findMemberSpan: a value found in JSON text by scanning, or nothing when a parser might read
// the text otherwise.
#include "base/json.h"

#include <gtest/gtest.h>

#include <string>

namespace berth {
namespace {

std::string found(std::string_view text, const std::vector<std::string_view>& path) {
  auto span = findMemberSpan(text, path);
  if (!span) return "<none>";
  return std::string(text.substr(span->offset, span->length));
}

TEST(JsonSpan, FindsANestedValueAsWritten) {
  std::string text = R"({"ociVersion":"1.0.2","process":{"args":["sh","-c","x}\"{"]},)"
                     R"( "linux" : { "namespaces":[{"type":"pid"}], )"
                     R"("seccomp" : {"defaultAction":"SCMP_ACT_ERRNO",)"
                     R"("syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]} , "x":null } })";
  EXPECT_EQ(found(text, {"linux", "seccomp"}),
            R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],)"
            R"("action":"SCMP_ACT_ALLOW"}]})");
  EXPECT_EQ(found(text, {"ociVersion"}), R"("1.0.2")");
  EXPECT_EQ(found(text, {"linux", "x"}), "null");
  EXPECT_EQ(found(text, {"process", "args"}), R"(["sh","-c","x}\"{"])");
  // The span is the value itself: parsing it gives what parsing the whole gives there.
  auto span = findMemberSpan(text, {"linux", "seccomp"});
  ASSERT_TRUE(span);
  EXPECT_EQ(Json::parse(text.substr(span->offset, span->length)),
            Json::parse(text)["linux"]["seccomp"]);
}

TEST(JsonSpan, AbsentMembers) {
  EXPECT_EQ(found(R"({"linux":{}})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"other":{"seccomp":{}}})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"linux":[{"seccomp":{}}]})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"linux":"seccomp"})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({})", {"linux"}), "<none>");
}

TEST(JsonSpan, NothingWhereAParserCouldDisagree) {
  // Twice on the path: which one a parser keeps is its choice.
  EXPECT_EQ(found(R"({"linux":{"seccomp":{}},"linux":{}})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"linux":{"seccomp":{},"seccomp":[]}})", {"linux", "seccomp"}), "<none>");
  // A key with an escape may be the same key.
  EXPECT_EQ(found(R"({"linux":{"secc\u006fmp":{},"seccomp":{}}})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"\u006cinux":{},"linux":{"seccomp":{}}})", {"linux", "seccomp"}), "<none>");
  // Not one well-formed value.
  EXPECT_EQ(found(R"({"linux":{"seccomp":{}}} trailing)", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"linux":{"seccomp":{}})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"linux":{"seccomp":{"a":[1,2}}})", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found(R"({"linux":{"seccomp":"a
b"}})",
                  {"linux", "seccomp"}),
            "<none>");
  EXPECT_EQ(found(R"([{"linux":{"seccomp":{}}}])", {"linux", "seccomp"}), "<none>");
  EXPECT_EQ(found("", {"linux"}), "<none>");
  EXPECT_EQ(found(std::string(2000, '['), {"linux"}), "<none>");
}

TEST(JsonSpan, KeysElsewhereMayRepeat) {
  // Duplicates off the path are the parser's business, not the span's.
  EXPECT_EQ(found(R"({"a":1,"a":2,"linux":{"b":{"seccomp":1,"seccomp":2},"seccomp":{"x":[]}}})",
                  {"linux", "seccomp"}),
            R"({"x":[]})");
}

}  // namespace
}  // namespace berth
