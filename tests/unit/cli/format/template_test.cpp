#include "cli/format/template.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

Json data() {
  return Json::parse(R"({
    "Name": "web",
    "Id": "3f2a1b0c9d8e",
    "State": {"Running": true, "Pid": 4242, "ExitCode": 0, "Health": null},
    "Names": ["web", "frontend"],
    "Labels": {"b": "2", "a": "1"},
    "Empty": [],
    "EmptyMap": {},
    "Zero": 0,
    "Float": 1.5,
    "Big": 1e6,
    "Null": null,
    "L": [1, 2, 3, 4, 5],
    "Items": [{"Name": "x", "Size": 1}, {"Name": "y", "Size": 2}]
  })");
}

std::string run(std::string_view text, const Json& d = data()) {
  auto t = Template::parse(text);
  if (!t) return "parse error: " + t.error().what();
  auto r = t->execute(d);
  if (!r) return "exec error: " + r.error().what();
  return *r;
}

std::string parseError(std::string_view text) {
  auto t = Template::parse(text);
  if (t) return "parsed";
  EXPECT_EQ(t.error().kind(), ErrorKind::InvalidArgument);
  return t.error().what();
}

std::string execError(std::string_view text, const Json& d = data()) {
  auto t = Template::parse(text);
  if (!t) return "parse error: " + t.error().what();
  auto r = t->execute(d);
  if (r) return "executed: " + *r;
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  return r.error().what();
}

TEST(Template, PrintsPlainTextUnchanged) {
  EXPECT_EQ(run("hello, world\n"), "hello, world\n");
  EXPECT_EQ(run(""), "");
}

TEST(Template, PrintsFieldsAndNestedFields) {
  EXPECT_EQ(run("{{.Name}}"), "web");
  EXPECT_EQ(run("{{.State.Pid}}"), "4242");
  EXPECT_EQ(run("{{ .State.Running }}"), "true");
  EXPECT_EQ(run("id={{.Id}} name={{.Name}}"), "id=3f2a1b0c9d8e name=web");
}

TEST(Template, PrintsNoValueForAMissingKeyAndNilForNull) {
  EXPECT_EQ(run("{{.Missing}}"), "<no value>");
  EXPECT_EQ(run("{{.State.Missing}}"), "<no value>");
  EXPECT_EQ(run("{{.Missing.Deeper}}"), "<no value>");
  EXPECT_EQ(run("{{.State.Health}}"), "<nil>");
}

TEST(Template, PrintsCompositeValuesAsGoDoes) {
  EXPECT_EQ(run("{{.Names}}"), "[web frontend]");
  EXPECT_EQ(run("{{.Labels}}"), "map[a:1 b:2]");
  EXPECT_EQ(run("{{.Empty}} {{.EmptyMap}}"), "[] map[]");
  EXPECT_EQ(run("{{.Items}}"), "[map[Name:x Size:1] map[Name:y Size:2]]");
  EXPECT_EQ(run("{{.}}", Json::parse(R"({"a":[1,null,"x"]})")), "map[a:[1 <nil> x]]");
}

TEST(Template, PrintsIntegersAsIntegersAndFloatsAsGoShortestG) {
  EXPECT_EQ(run("{{.Zero}} {{.Float}} {{.Big}}"), "0 1.5 1e+06");
  Json nums = Json::parse(
      R"({"a": 123456.0, "b": 1234567.0, "c": 0.0001, "d": 0.00001, "e": -2.5, "f": 100.0,
          "g": 0.30000000000000004, "h": -7, "i": 18446744073709551615})");
  EXPECT_EQ(run("{{.a}} {{.b}} {{.c}} {{.d}} {{.e}} {{.f}}", nums),
            "123456 1.234567e+06 0.0001 1e-05 -2.5 100");
  EXPECT_EQ(run("{{.g}} {{.h}} {{.i}}", nums), "0.30000000000000004 -7 18446744073709551615");
}

TEST(Template, PrintsConstants) {
  EXPECT_EQ(run(R"({{"a\tb"}}|{{`raw\n`}}|{{true}}|{{42}}|{{1.5}}|{{0x1F}}|{{1e3}}|{{'a'}})"),
            "a\tb|raw\\n|true|42|1.5|31|1000|97");
  EXPECT_EQ(run("{{-3}} {{0o17}} {{0b101}} {{1_000}}"), "-3 15 5 1000");
}

TEST(Template, TrimMarkersRemoveSurroundingSpace) {
  EXPECT_EQ(run("a  \n {{- .Name -}} \n  b"), "awebb");
  EXPECT_EQ(run("a {{- .Name}} b"), "aweb b");
  EXPECT_EQ(run("a {{.Name -}} b"), "a webb");
  EXPECT_EQ(run("x {{- /* comment */ -}} y"), "xy");
  EXPECT_EQ(run("x{{/* comment */}}y"), "xy");
  // "{{-3}}" is the number -3, not a trim marker.
  EXPECT_EQ(run("a {{-3}}"), "a -3");
}

TEST(Template, ActionsMaySpanLines) {
  EXPECT_EQ(run("{{if\n.Name}}yes{{\nend}}"), "yes");
}

TEST(Template, DotIsTheRootData) {
  EXPECT_EQ(run("{{.}}", Json("plain")), "plain");
  EXPECT_EQ(run("{{.}}", Json(7)), "7");
}

TEST(Template, PipelinesPassTheValueAsTheLastArgument) {
  EXPECT_EQ(run("{{.Name | printf \"%s!\"}}"), "web!");
  EXPECT_EQ(run("{{\"x\" | printf \"%s-%s\" \"a\"}}"), "a-x");
  EXPECT_EQ(run("{{.Name | upper | printf \"<%s>\"}}"), "<WEB>");
  EXPECT_EQ(run("{{(.Name)}}"), "web");
  EXPECT_EQ(run("{{(index .Items 1).Name}}"), "y");
  EXPECT_EQ(run("{{len (index .Items 0).Name}}"), "1");
}

TEST(Template, VariablesDeclareAssignAndReachTheRoot) {
  EXPECT_EQ(run("{{$x := .Name}}{{$x}}"), "web");
  EXPECT_EQ(run("{{$x := 1}}{{$x = 2}}{{$x}}"), "2");
  EXPECT_EQ(run("{{with .State}}{{$.Name}}:{{.Pid}}{{end}}"), "web:4242");
  EXPECT_EQ(run("{{$s := .State}}{{$s.Pid}}"), "4242");
  EXPECT_EQ(run("{{$}}", Json(3)), "3");
  // An assignment inside a block changes the outer variable.
  EXPECT_EQ(run("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
}

TEST(Template, VariablesGoOutOfScopeAtEnd) {
  EXPECT_EQ(parseError("{{if true}}{{$x := 1}}{{end}}{{$x}}"),
            "template: :1: undefined variable \"$x\"");
  EXPECT_EQ(parseError("{{$y}}"), "template: :1: undefined variable \"$y\"");
}

TEST(Template, IfElseIfElseUsesGoTruth) {
  const char* t = "{{if .A}}a{{else if .B}}b{{else}}c{{end}}";
  EXPECT_EQ(run(t, Json::parse(R"({"A":1,"B":1})")), "a");
  EXPECT_EQ(run(t, Json::parse(R"({"A":0,"B":"x"})")), "b");
  EXPECT_EQ(run(t, Json::parse(R"({"A":"","B":[]})")), "c");
  const char* truth = "{{if .}}T{{else}}F{{end}}";
  for (const char* falsy : {"false", "0", "0.0", "\"\"", "[]", "{}", "null"}) {
    EXPECT_EQ(run(truth, Json::parse(falsy)), "F") << falsy;
  }
  for (const char* truthy : {"true", "1", "-1", "0.5", "\"0\"", "[0]", "{\"a\":0}"}) {
    EXPECT_EQ(run(truth, Json::parse(truthy)), "T") << truthy;
  }
  EXPECT_EQ(run("{{if .Missing}}T{{else}}F{{end}}"), "F");
}

TEST(Template, WithSetsDotAndHasAnElse) {
  EXPECT_EQ(run("{{with .State}}{{.Pid}}{{end}}"), "4242");
  EXPECT_EQ(run("{{with .Missing}}x{{else}}none{{end}}"), "none");
  EXPECT_EQ(run("{{with .Zero}}x{{else with .Name}}{{.}}{{end}}"), "web");
  EXPECT_EQ(run("{{with $x := .Name}}{{$x}}{{end}}"), "web");
}

TEST(Template, RangeOverArraysWithIndexAndElement) {
  EXPECT_EQ(run("{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}"), "0=web 1=frontend ");
  EXPECT_EQ(run("{{range .Names}}[{{.}}]{{end}}"), "[web][frontend]");
  EXPECT_EQ(run("{{range $e := .Names}}{{$e}},{{end}}"), "web,frontend,");
  EXPECT_EQ(run("{{range .Items}}{{.Name}}={{.Size}};{{end}}"), "x=1;y=2;");
  EXPECT_EQ(run("{{range .Names}}{{$.Name}}{{end}}"), "webweb");
}

TEST(Template, RangeOverObjectsVisitsKeysInOrder) {
  EXPECT_EQ(run("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}"), "a:1;b:2;");
  EXPECT_EQ(run("{{range .Labels}}{{.}}{{end}}"), "12");
}

TEST(Template, RangeElseRunsForEmptyAndNil) {
  EXPECT_EQ(run("{{range .Empty}}x{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(run("{{range .EmptyMap}}x{{else}}empty{{end}}"), "empty");
  EXPECT_EQ(run("{{range .Null}}x{{else}}nil{{end}}"), "nil");
  EXPECT_EQ(run("{{range .Missing}}x{{else}}missing{{end}}"), "missing");
}

TEST(Template, RangeOverAnIntegerCountsFromZero) {
  EXPECT_EQ(run("{{range 3}}{{.}}{{end}}"), "012");
  EXPECT_EQ(run("{{range $i := 2}}{{$i}}{{end}}"), "01");
}

TEST(Template, BreakAndContinueControlTheInnermostRange) {
  EXPECT_EQ(run("{{range .L}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}"
                "{{.}}{{end}}"),
            "13");
  EXPECT_EQ(run("{{range .Names}}{{range $.L}}{{if gt . 1}}{{break}}{{end}}{{.}}{{end}}|{{end}}"),
            "1|1|");
  EXPECT_EQ(parseError("{{break}}"), "template: :1: {{break}} outside {{range}}");
}

TEST(Template, ReportsParseErrorsAsGoDoes) {
  EXPECT_EQ(parseError("{{.Name"), "template: :1: unclosed action");
  EXPECT_EQ(parseError("{{.Name}"), "template: :1: unexpected \"}\" in operand");
  EXPECT_EQ(parseError("{{foo .Name}}"), "template: :1: function \"foo\" not defined");
  EXPECT_EQ(parseError("{{if .A}}x"), "template: :1: unexpected EOF");
  EXPECT_EQ(parseError("{{end}}"), "template: :1: unexpected {{end}}");
  EXPECT_EQ(parseError("{{else}}"), "template: :1: unexpected {{else}}");
  EXPECT_EQ(parseError("{{}}"), "template: :1: missing value for command");
  EXPECT_EQ(parseError("{{range}}{{end}}"), "template: :1: missing value for range");
  EXPECT_EQ(parseError("{{.A | 3}}"), "template: :1: non executable command in pipeline stage 2");
  EXPECT_EQ(parseError("{{\"abc}}"), "template: :1: unterminated quoted string");
  EXPECT_EQ(parseError("{{/* x }}"), "template: :1: unclosed comment");
  EXPECT_EQ(parseError("{{(.A}}"), "template: :1: unclosed left paren");
  EXPECT_EQ(parseError("{{.A)}}"), "template: :1: unexpected \")\" in command");
  EXPECT_EQ(parseError("{{3x}}"), "template: :1: bad number syntax: \"3x\"");
  EXPECT_EQ(parseError("{{.A#}}"), "template: :1: bad character U+0023 '#'");
  EXPECT_EQ(parseError("{{if .A}}{{else}}{{else}}{{end}}"),
            "template: :1: expected end; found {{else}}");
  EXPECT_EQ(parseError("{{\"x\".Y}}"), "template: :1: unexpected . after term \"\\\"x\\\"\"");
  EXPECT_EQ(parseError("line1\n{{.A}}\n{{.B"), "template: :3: unclosed action");
  EXPECT_EQ(parseError("{{range $a, $b, $c := .L}}{{end}}"),
            "template: :1: too many declarations in range");
  EXPECT_EQ(parseError("{{define \"x\"}}{{end}}"), "template: :1: {{define}} is not supported");
}

TEST(Template, ReportsExecutionErrorsWithGoLocation) {
  EXPECT_EQ(execError("{{.State.Health.Status}}"),
            "template: :1:8: executing \"\" at <.State.Health.Status>: nil pointer evaluating "
            "interface {}.Status");
  EXPECT_EQ(execError("{{.Name.First}}"),
            "template: :1:7: executing \"\" at <.Name.First>: can't evaluate field First in type "
            "string");
  EXPECT_EQ(execError("{{index .L 9}}"),
            "template: :1:2: executing \"\" at <index .L 9>: error calling index: index out of "
            "range: 9");
  EXPECT_EQ(execError("x\n  {{len .Zero}}"),
            "template: :2:4: executing \"\" at <len .Zero>: error calling len: len of type int");
  EXPECT_EQ(execError("{{split \"a\"}}"),
            "template: :1:2: executing \"\" at <split>: wrong number of args for split: want 2 "
            "got 1");
  EXPECT_EQ(execError("{{upper .Zero}}"),
            "template: :1:8: executing \"\" at <.Zero>: wrong type for value; expected string; "
            "got int");
  EXPECT_EQ(execError("{{upper 3}}"),
            "template: :1:8: executing \"\" at <3>: expected string; found 3");
  EXPECT_EQ(execError("{{.Name 1}}"),
            "template: :1:2: executing \"\" at <.Name>: Name is not a method but has arguments");
  EXPECT_EQ(execError("{{range .Name}}{{end}}"),
            "template: :1:8: executing \"\" at <{{range .Name}}{{end}}>: range can't iterate over "
            "web");
  EXPECT_EQ(execError("{{nil}}"), "template: :1:2: executing \"\" at <nil>: nil is not a command");
  EXPECT_EQ(execError("{{.Name | .State}}"),
            "template: :1:10: executing \"\" at <.State>: State is not a method but has "
            "arguments");
}

TEST(Template, ExecuteToKeepsOutputWrittenBeforeAnError) {
  auto t = Template::parse("a{{.Name}}b{{index .L 9}}c");
  ASSERT_TRUE(t);
  std::string out;
  EXPECT_FALSE(t->executeTo(out, data()));
  EXPECT_EQ(out, "awebb");
}

TEST(Template, FieldWithAnArgumentIndexesTheObjectItHolds) {
  Json row = Json::parse(R"({"Label": {"com.example.team": "infra"}})");
  EXPECT_EQ(run("{{.Label \"com.example.team\"}}|{{.Label \"absent\"}}|", row), "infra||");
}

TEST(Template, HeaderFunctionsKeepColumnNames) {
  auto t = Template::parse(
      "{{upper .Name}}|{{json .Name}}|{{truncate .Name 2}}|{{pad .Name 1 1}}|"
      "{{.Label \"com.example.my-label_x\"}}");
  ASSERT_TRUE(t);
  auto r = t->execute(Json{{"Name", "NAME"}}, ExecOptions{.headerFunctions = true});
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*r, "NAME|NAME|NAME| NAME |my label x");
}

TEST(Template, DefaultTemplateIsEmpty) {
  Template t;
  auto r = t.execute(Json::object());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "");
}

}  // namespace
}  // namespace berth::cli
