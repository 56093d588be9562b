#include "cli/format/format_spec.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

constexpr std::string_view kPsTable =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t"
    "{{.Names}}";

Json psHeaders() {
  return Json{{"ID", "CONTAINER ID"},    {"Image", "IMAGE"},   {"Command", "COMMAND"},
              {"RunningFor", "CREATED"}, {"Status", "STATUS"}, {"Ports", "PORTS"},
              {"Names", "NAMES"},        {"Size", "SIZE"}};
}

std::vector<Json> psRows() {
  return {
      Json{{"ID", "3f2a1b0c9d8e"},
           {"Image", "busybox"},
           {"Command", "\"sh\""},
           {"RunningFor", "2 minutes ago"},
           {"Status", "Up 2 minutes"},
           {"Ports", ""},
           {"Names", "web"},
           {"Label", {{"com.example.team", "infra"}}}},
      Json{{"ID", "9b8c7d6e5f4a"},
           {"Image", "nginx:latest"},
           {"Command", "\"nginx -g 'daemon of\xe2\x80\xa6\""},
           {"RunningFor", "3 hours ago"},
           {"Status", "Exited (0) 2 hours ago"},
           {"Ports", "0.0.0.0:8080->80/tcp"},
           {"Names", "proxy"},
           {"Label", Json::object()}},
  };
}

std::string render(std::string_view format, const std::vector<Json>& rows,
                   std::string_view defaultTable = "") {
  auto spec = FormatSpec::parse(format, defaultTable);
  if (!spec) return "parse error: " + spec.error().what();
  auto out = spec->render(rows, psHeaders());
  if (!out) return "render error: " + out.error().what();
  return *out;
}

TEST(FormatSpec, TableFormatPrintsAHeaderAndAlignsColumns) {
  EXPECT_EQ(render(kPsTable, psRows()),
            "CONTAINER ID   IMAGE          COMMAND                  CREATED         STATUS      "
            "             PORTS                  NAMES\n"
            "3f2a1b0c9d8e   busybox        \"sh\"                     2 minutes ago   Up 2 "
            "minutes                                    web\n"
            "9b8c7d6e5f4a   nginx:latest   \"nginx -g 'daemon of\xe2\x80\xa6\"   3 hours ago     "
            "Exited (0) 2 hours ago   0.0.0.0:8080->80/tcp   proxy\n");
}

TEST(FormatSpec, TableWithoutRowsPrintsTheHeader) {
  EXPECT_EQ(render(kPsTable, {}),
            "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
}

TEST(FormatSpec, BareOrEmptyFormatUsesTheDefaultTable) {
  std::string expected = "CONTAINER ID   NAMES\n3f2a1b0c9d8e   web\n9b8c7d6e5f4a   proxy\n";
  EXPECT_EQ(render("", psRows(), "table {{.ID}}\t{{.Names}}"), expected);
  EXPECT_EQ(render("table", psRows(), "table {{.ID}}\t{{.Names}}"), expected);
}

TEST(FormatSpec, UnescapesBackslashTAndNAsTypedOnAShell) {
  auto spec = FormatSpec::parse(R"(table {{.ID}}\t{{.Names}})");
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->isTable());
  EXPECT_EQ(spec->text, "{{.ID}}\t{{.Names}}");
  EXPECT_EQ(render(R"({{.Names}}\n{{.ID}})", {psRows()[0]}), "web\n3f2a1b0c9d8e\n");
  EXPECT_EQ(render("  {{.Names}}  ", psRows()), "web\nproxy\n");
}

TEST(FormatSpec, PlainTemplatePrintsOneLinePerRowWithoutHeader) {
  EXPECT_EQ(render("{{.ID}}: {{.Names}}", psRows()), "3f2a1b0c9d8e: web\n9b8c7d6e5f4a: proxy\n");
  EXPECT_EQ(render("{{.Names}}", {}), "");
}

TEST(FormatSpec, JsonFormatPrintsOneObjectPerLine) {
  auto spec = FormatSpec::parse("json");
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->isJson());
  auto out = spec->render({Json{{"ID", "a"}, {"Names", "x<y"}}, Json{{"ID", "b"}, {"Size", 2}}});
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "{\"ID\":\"a\",\"Names\":\"x<y\"}\n{\"ID\":\"b\",\"Size\":2}\n");
  EXPECT_EQ(render("{{json .Names}}", {psRows()[0]}), "\"web\"\n");
}

TEST(FormatSpec, HeaderRowKeepsNamesThroughFunctionsAndLabelsColumns) {
  EXPECT_EQ(render("table {{upper .Names}}\t{{truncate .ID 4}}\t{{.Label \"com.example.team\"}}",
                   psRows()),
            "NAMES     CONTAINER ID   team\n"
            "WEB       3f2a           infra\n"
            "PROXY     9b8c           \n");
}

TEST(FormatSpec, HeaderOfAnUnknownFieldIsNoValue) {
  EXPECT_EQ(render("table {{.ID}}\t{{.Nope}}", {psRows()[0]}),
            "CONTAINER ID   <no value>\n3f2a1b0c9d8e   <no value>\n");
}

TEST(FormatSpec, ReportsParseErrorsAsDockerDoes) {
  auto spec = FormatSpec::parse("{{.ID");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(spec.error().what(), "template parsing error: template: :1: unclosed action");
  EXPECT_EQ(FormatSpec::parse("table {{nope}}").error().what(),
            "template parsing error: template: :1: function \"nope\" not defined");
}

TEST(FormatSpec, ReportsExecutionErrorsAsDockerDoes) {
  EXPECT_EQ(render("{{index .Names 5}}", {psRows()[0]}),
            "render error: template parsing error: template: :1:2: executing \"\" at <index "
            ".Names 5>: error calling index: index out of range: 5");
}

}  // namespace
}  // namespace berth::cli
