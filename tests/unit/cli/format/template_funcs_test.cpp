#include <gtest/gtest.h>

#include "cli/format/template.h"

namespace berth::cli {
namespace {

Json data() {
  return Json::parse(R"({
    "Name": "web",
    "Image": "nginx:latest",
    "Html": "<x>&",
    "State": {"Running": true, "Pid": 4242},
    "Names": ["web", "frontend"],
    "Labels": {"b": "2", "a": "1"},
    "Items": [{"Name": "x"}, {"Name": "y"}],
    "L": [1, 2, 3],
    "Zero": 0,
    "Float": 1.5,
    "Big": 1e6,
    "Null": null
  })");
}

std::string run(std::string_view text, const Json& d = data()) {
  auto t = Template::parse(text);
  if (!t) return "parse error: " + t.error().what();
  auto r = t->execute(d);
  if (!r) return "exec error: " + r.error().what();
  return *r;
}

TEST(TemplateFuncs, JsonEncodesLikeDockersEncoderWithoutHtmlEscaping) {
  // docker/cli templates: json.NewEncoder with SetEscapeHTML(false), trailing newline trimmed.
  EXPECT_EQ(run("{{json .}}", Json::parse(R"({"a":"<x>","b":[1,2.5,null,true]})")),
            R"({"a":"<x>","b":[1,2.5,null,true]})");
  EXPECT_EQ(run("{{json .Names}}"), R"(["web","frontend"])");
  EXPECT_EQ(run("{{json .Labels}}"), R"({"a":"1","b":"2"})");
  EXPECT_EQ(run("{{json .Missing}} {{json .Null}} {{json .Big}} {{json .Name}}"),
            R"(null null 1000000 "web")");
  EXPECT_EQ(run("{{.Names | json}}"), R"(["web","frontend"])");
}

TEST(TemplateFuncs, JoinAndSplitWorkOnStrings) {
  EXPECT_EQ(run("{{join .Names \",\"}}"), "web,frontend");
  EXPECT_EQ(run("{{join .Null \",\"}}|{{join .Missing \",\"}}"), "|");
  EXPECT_EQ(run("{{split .Image \":\"}}"), "[nginx latest]");
  EXPECT_EQ(run("{{index (split .Image \":\") 1}}"), "latest");
  EXPECT_EQ(run("{{split \"abc\" \"\"}}|{{len (split \"\" \",\")}}"), "[a b c]|1");
  EXPECT_EQ(run("{{join (split \"a.b.c\" \".\") \"/\"}}"), "a/b/c");
  EXPECT_EQ(run("{{join .L \",\"}}"),
            "exec error: template: :1:7: executing \"\" at <.L>: wrong type for value; expected "
            "[]string; got []interface {}");
}

TEST(TemplateFuncs, CaseFunctionsFollowGoStrings) {
  EXPECT_EQ(run("{{upper .Name}} {{lower \"MiXeD\"}}"), "WEB mixed");
  EXPECT_EQ(run("{{title \"hello wORLD-foo_bar 9lives\"}}"), "Hello WORLD-Foo_bar 9lives");
}

TEST(TemplateFuncs, PadAndTruncateAreDockers) {
  EXPECT_EQ(run("[{{pad .Name 2 1}}][{{pad \"\" 2 2}}]"), "[  web ][]");
  EXPECT_EQ(run("{{truncate \"abcdef\" 3}} {{truncate \"ab\" 5}} {{truncate \"abc\" 3}}"),
            "abc ab abc");
  EXPECT_EQ(run("{{truncate .Name 2.0}}"), "we");
}

TEST(TemplateFuncs, LenCountsBytesElementsAndKeys) {
  EXPECT_EQ(run("{{len .Names}} {{len .Labels}} {{len \"h\xc3\xa9llo\"}}"), "2 2 6");
  EXPECT_EQ(run("{{len .Null}}"),
            "exec error: template: :1:2: executing \"\" at <len .Null>: error calling len: len of "
            "nil pointer");
}

TEST(TemplateFuncs, IndexReadsArraysObjectsAndStrings) {
  EXPECT_EQ(run("{{index .Names 1}}"), "frontend");
  EXPECT_EQ(run("{{index .Labels \"a\"}}"), "1");
  EXPECT_EQ(run("{{index .Items 1 \"Name\"}}"), "y");
  EXPECT_EQ(run("{{index \"abc\" 1}}"), "98");
  EXPECT_EQ(run("{{index .Names}}"), "[web frontend]");
  // Labels are map[string]string in docker: a missing label is the zero string.
  EXPECT_EQ(run("[{{index .Labels \"zz\"}}][{{index .Null \"k\"}}]"), "[][]");
  EXPECT_EQ(run("{{index .State \"Nope\"}}"), "<no value>");
  EXPECT_EQ(run("{{index .Names \"a\"}}"),
            "exec error: template: :1:2: executing \"\" at <index .Names \"a\">: error calling "
            "index: cannot index slice/array with type string");
  EXPECT_EQ(run("{{index .Zero 1}}"),
            "exec error: template: :1:2: executing \"\" at <index .Zero 1>: error calling index: "
            "can't index item of type int");
}

TEST(TemplateFuncs, SliceCutsStringsAndArrays) {
  EXPECT_EQ(run("{{slice .Names 1}}"), "[frontend]");
  EXPECT_EQ(run("{{slice \"abcdef\" 1 3}}"), "bc");
  EXPECT_EQ(run("{{slice .L 1 3}} {{slice .L}}"), "[2 3] [1 2 3]");
  EXPECT_EQ(run("{{slice .L 2 1}}"),
            "exec error: template: :1:2: executing \"\" at <slice .L 2 1>: error calling slice: "
            "invalid slice index: 2 > 1");
}

TEST(TemplateFuncs, PrintFunctionsFollowGoFmt) {
  EXPECT_EQ(run("{{print \"a\" 1 2 \"b\"}}"), "a1 2b");
  EXPECT_EQ(run("{{println \"a\" 1}}"), "a 1\n");
  EXPECT_EQ(run("{{printf \"%q\" .Name}}"), "\"web\"");
  EXPECT_EQ(run("{{printf \"%-10s|%5s|\" .Name .Name}}"), "web       |  web|");
  EXPECT_EQ(run("{{printf \"%5.2f\" .Float}}"), " 1.50");
  EXPECT_EQ(run("{{printf \"%v %d\" .Names .State.Pid}}"), "[web frontend] 4242");
  EXPECT_EQ(run("{{printf \"%s\" .Labels}}"), "map[a:1 b:2]");
  EXPECT_EQ(run("{{printf \"%d-%s\"}}"), "%!d(MISSING)-%!s(MISSING)");
  EXPECT_EQ(run("{{printf \"%v\" .Missing}}"), "<nil>");
  EXPECT_EQ(run("{{printf \"%d\" .Name}}"), "%!d(string=web)");
}

TEST(TemplateFuncs, ComparisonsFollowGoRules) {
  EXPECT_EQ(run("{{eq .Name \"web\"}} {{eq .State.Pid 4242}} {{eq .Name \"a\" \"b\" \"web\"}}"),
            "true true true");
  EXPECT_EQ(run("{{ne .Zero 0}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}"),
            "false true true true false");
  EXPECT_EQ(run("{{eq .Missing nil}} {{eq .Null nil}} {{eq .Name nil}}"), "true true false");
  EXPECT_EQ(run("{{if eq .State.Running true}}up{{end}}"), "up");
  // JSON numbers compare by value whatever their spelling (Go would reject int vs float64).
  EXPECT_EQ(run("{{eq .Float 1.5}} {{lt .Zero 0.5}}"), "true true");
  EXPECT_EQ(run("{{eq .Name 1}}"),
            "exec error: template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: "
            "incompatible types for comparison");
  EXPECT_EQ(run("{{lt true false}}"),
            "exec error: template: :1:2: executing \"\" at <lt true false>: error calling lt: "
            "invalid type for comparison");
}

TEST(TemplateFuncs, AndOrShortCircuitAndReturnTheDecidingValue) {
  EXPECT_EQ(run("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}} [{{or 0 \"\"}}] {{not .Zero}}"),
            "0 2 x [] true");
  EXPECT_EQ(run("{{and .Zero (index .L 99)}} {{or .Name (index .L 99)}}"), "0 web");
  EXPECT_EQ(run("{{if and .Name .State.Running}}both{{end}}"), "both");
}

TEST(TemplateFuncs, EscapersMatchGo) {
  EXPECT_EQ(run("{{html \"<a href='x'>&</a>\"}}"), "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(run("{{urlquery \"a b&c=d/\xc3\xa9\"}}"), "a+b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(run("{{js \"a'b\\\"<>&=\"}}"), "a\\'b\\\"\\u003C\\u003E\\u0026\\u003D");
  EXPECT_EQ(run("{{html .Missing}}"), "&lt;no value&gt;");
}

}  // namespace
}  // namespace berth::cli
