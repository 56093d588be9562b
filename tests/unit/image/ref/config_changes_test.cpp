#include "image/config_changes.h"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

oci::ContainerConfig apply(std::vector<std::string> changes, oci::ContainerConfig cfg = {}) {
  auto st = applyConfigChanges(cfg, changes);
  EXPECT_TRUE(st) << st.error().what();
  return cfg;
}

TEST(ConfigChanges, CmdExecAndShellForms) {
  EXPECT_EQ(apply({R"(CMD ["echo", "hi"])"}).cmd, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(apply({"CMD echo hi"}).cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  // A malformed JSON array is the shell form, as in a Dockerfile.
  EXPECT_EQ(apply({"CMD [echo"}).cmd, (std::vector<std::string>{"/bin/sh", "-c", "[echo"}));
}

TEST(ConfigChanges, EntrypointResetsInheritedCmd) {
  oci::ContainerConfig base;
  base.cmd = std::vector<std::string>{"sh"};
  auto cfg = apply({R"(ENTRYPOINT ["/app"])"}, base);
  EXPECT_EQ(cfg.entrypoint, (std::vector<std::string>{"/app"}));
  EXPECT_FALSE(cfg.cmd.has_value());
}

TEST(ConfigChanges, EnvPairsQuotesAndReplacement) {
  oci::ContainerConfig base;
  base.env = {"PATH=/bin", "A=old"};
  auto cfg = apply({R"(ENV A=1 B="two words" C=x\ y)", "ENV LEGACY value with spaces"}, base);
  EXPECT_EQ(cfg.env, (std::vector<std::string>{"PATH=/bin", "A=1", "B=two words", "C=x y",
                                               "LEGACY=value with spaces"}));
}

TEST(ConfigChanges, ExposeVolumeLabelUserWorkdirStopsignal) {
  auto cfg = apply({"EXPOSE 80 53/udp 8000-8010", R"(VOLUME ["/data", "/logs"])", "VOLUME /a /b",
                    R"(LABEL a=1 "b c"=2)", "USER app:app", "WORKDIR /srv", "WORKDIR sub",
                    "STOPSIGNAL SIGINT", "ONBUILD RUN make"});
  EXPECT_EQ(cfg.exposedPorts, (std::set<std::string>{"80/tcp", "53/udp", "8000-8010/tcp"}));
  EXPECT_EQ(cfg.volumes, (std::set<std::string>{"/data", "/logs", "/a", "/b"}));
  EXPECT_EQ(cfg.labels.at("a"), "1");
  EXPECT_EQ(cfg.labels.at("b c"), "2");
  EXPECT_EQ(cfg.user, "app:app");
  EXPECT_EQ(cfg.workingDir, "/srv/sub");
  EXPECT_EQ(cfg.stopSignal, "SIGINT");
  EXPECT_EQ(cfg.onBuild, (std::vector<std::string>{"RUN make"}));
}

TEST(ConfigChanges, LowercaseInstructionsAreAccepted) {
  EXPECT_EQ(apply({"cmd [\"x\"]"}).cmd, (std::vector<std::string>{"x"}));
}

TEST(ConfigChanges, BadInputIsRefusedWithItsName) {
  oci::ContainerConfig cfg;
  struct Case {
    const char* change;
    const char* message;
  } cases[] = {
      {"FROB x", "FROB is not a valid change command"},
      {"RUN make", "RUN is not a valid change command"},
      {"ENV", "ENV requires at least one argument"},
      {"ENV =x", "not of the form key=value"},
      {"EXPOSE 70000", "invalid port"},
      {"EXPOSE 80/foo", "invalid protocol"},
      {"EXPOSE 90-80", "invalid port range"},
      {"ENV A=\"unterminated", "unterminated quote"},
      {"VOLUME [1]", "want a JSON array of strings"},
      {"", "empty change instruction"},
  };
  for (auto& c : cases) {
    auto st = applyConfigChange(cfg, c.change);
    ASSERT_FALSE(st) << c.change;
    EXPECT_EQ(st.error().kind(), ErrorKind::InvalidArgument) << c.change;
    EXPECT_NE(st.error().what().find(c.message), std::string::npos)
        << c.change << ": " << st.error().what();
  }
}

TEST(ConfigChanges, SplitWords) {
  auto w = splitWords(R"(a "b c" 'd e' f\ g "h\"i")");
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (std::vector<std::string>{"a", "b c", "d e", "f g", "h\"i"}));
}

}  // namespace
}  // namespace berth::image
