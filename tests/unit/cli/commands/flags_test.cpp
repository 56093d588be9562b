#include "cli/flags.h"

#include "base/strings.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

struct RunFlags {
  bool detach = false, interactive = false, tty = false, rm = false;
  std::string name;
  std::vector<std::string> env;
  int last = -1;
  FlagSet fs;
  RunFlags(bool interspersed = false) {
    fs.boolVar(&detach, "detach", 'd', "Run in background");
    fs.boolVar(&interactive, "interactive", 'i', "Keep STDIN open");
    fs.boolVar(&tty, "tty", 't', "Allocate a pseudo-TTY");
    fs.boolVar(&rm, "rm", 0, "Remove on exit");
    fs.stringVar(&name, "name", 0, "Assign a name");
    fs.listVar(&env, "env", 'e', "Set environment variables");
    fs.intVar(&last, "last", 'n', "Show n last");
    fs.setInterspersed(interspersed);
  }
  std::string parse(std::vector<std::string> args) {
    auto r = fs.parse(args);
    if (!r) return "error: " + r.error().message();
    std::string out;
    for (const auto& a : *r) out += "[" + a + "]";
    return out;
  }
};

TEST(FlagSet, CombinedShortBooleans) {
  RunFlags f;
  EXPECT_EQ(f.parse({"-it", "--rm", "busybox", "sh"}), "[busybox][sh]");
  EXPECT_TRUE(f.interactive);
  EXPECT_TRUE(f.tty);
  EXPECT_TRUE(f.rm);
  EXPECT_FALSE(f.detach);
}

TEST(FlagSet, ValuesInEveryForm) {
  RunFlags f;
  EXPECT_EQ(f.parse({"--name=a", "-e", "A=1", "-eB=2", "-e=C=3", "--env", "D=4", "-n5", "img"}),
            "[img]");
  EXPECT_EQ(f.name, "a");
  EXPECT_EQ(f.env, (std::vector<std::string>{"A=1", "B=2", "C=3", "D=4"}));
  EXPECT_EQ(f.last, 5);
  EXPECT_TRUE(f.fs.changed("name"));
  EXPECT_FALSE(f.fs.changed("detach"));
}

TEST(FlagSet, ShortBooleanThenValue) {
  RunFlags f;
  EXPECT_EQ(f.parse({"-de", "X=1", "img"}), "[img]");
  EXPECT_TRUE(f.detach);
  EXPECT_EQ(f.env, std::vector<std::string>{"X=1"});
}

TEST(FlagSet, FlagsStopAtTheFirstPositionalWhenNotInterspersed) {
  RunFlags f;
  EXPECT_EQ(f.parse({"-d", "busybox", "ls", "-la", "--rm"}), "[busybox][ls][-la][--rm]");
  EXPECT_FALSE(f.rm);
}

TEST(FlagSet, InterspersedFlagsAfterPositionals) {
  RunFlags f(true);
  EXPECT_EQ(f.parse({"a", "-d", "b", "--", "-t"}), "[a][b][-t]");
  EXPECT_TRUE(f.detach);
  EXPECT_FALSE(f.tty);
}

TEST(FlagSet, BooleanWithExplicitValue) {
  RunFlags f;
  f.rm = true;
  EXPECT_EQ(f.parse({"--rm=false", "--detach=true", "x"}), "[x]");
  EXPECT_FALSE(f.rm);
  EXPECT_TRUE(f.detach);
}

TEST(FlagSet, ErrorsWordedAsPflag) {
  EXPECT_EQ(RunFlags().parse({"--foo"}), "error: unknown flag: --foo");
  EXPECT_EQ(RunFlags().parse({"-x"}), "error: unknown shorthand flag: 'x' in -x");
  EXPECT_EQ(RunFlags().parse({"-ix"}), "error: unknown shorthand flag: 'x' in -x");
  EXPECT_EQ(RunFlags().parse({"-e"}), "error: flag needs an argument: 'e' in -e");
  EXPECT_EQ(RunFlags().parse({"--name"}), "error: flag needs an argument: --name");
  EXPECT_EQ(RunFlags().parse({"-n", "abc"}),
            "error: invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing "
            "\"abc\": invalid syntax");
  EXPECT_EQ(RunFlags().parse({"--rm=maybe"}),
            "error: invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing "
            "\"maybe\": invalid syntax");
  EXPECT_EQ(RunFlags().parse({"---x"}), "error: bad flag syntax: ---x");
}

TEST(FlagSet, FuncVarReportsItsParsersMessage) {
  FlagSet fs;
  std::string v;
  fs.funcVar("memory", 'm', "bytes", "Memory limit", [&v](std::string_view s) -> Status {
    if (s == "bad") return Error::invalid("invalid size: '{}'", std::string(s));
    v = std::string(s);
    return {};
  });
  auto r = fs.parse({"-m", "bad"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "invalid argument \"bad\" for \"-m, --memory\" flag: invalid size: 'bad'");
  ASSERT_TRUE(fs.parse({"--memory=1g"}));
  EXPECT_EQ(v, "1g");
}

TEST(FlagSet, UsagesAlignAndWrapAsPflag) {
  FlagSet fs;
  bool all = false;
  std::string format;
  int last = -1;
  std::vector<std::string> filters;
  fs.boolVar(&all, "all", 'a', "Show all containers (default shows just running)");
  fs.listVar(&filters, "filter", 'f', "Filter output based on conditions provided", "filter");
  fs.intVar(&last, "last", 'n', "Show n last created containers (includes all states)");
  fs.stringVar(&format, "format", 0, "Format output using a custom template");
  bool hidden = false;
  fs.boolVar(&hidden, "hidden", 0, "never shown");
  fs.hide("hidden");
  EXPECT_EQ(fs.usages(79),
            "  -a, --all             Show all containers (default shows just running)\n"
            "  -f, --filter filter   Filter output based on conditions provided\n"
            "      --format string   Format output using a custom template\n"
            "  -n, --last int        Show n last created containers (includes all\n"
            "                        states) (default -1)\n");
}

TEST(GoQuoteArg, EscapesLikeStrconvQuote) {
  EXPECT_EQ(berth::goQuoteArg("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(berth::goQuoteArg("\x01"), "\"\\x01\"");
}

}  // namespace
}  // namespace berth::cli
