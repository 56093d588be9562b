#include "apitypes/filters.h"

#include <gtest/gtest.h>

#include <ctime>

#include "apitypes/timestamp.h"

namespace berth::apitypes {
namespace {

Filters parsed(std::string_view json, const std::set<std::string>& accepted) {
  auto f = Filters::parse(json, accepted);
  EXPECT_TRUE(f) << (f ? "" : f.error().message());
  return f ? *f : Filters();
}

TEST(Filters, ParsesBothForms) {
  auto f = parsed(R"({"status":["exited","created"]})", {"status"});
  EXPECT_TRUE(f.matchAny("status", "created"));
  EXPECT_FALSE(f.matchAny("status", "running"));
  auto old = parsed(R"({"status":{"exited":true}})", {"status"});
  EXPECT_TRUE(old.matchAny("status", "exited"));
}

TEST(Filters, UnknownNameAndBadJsonAreRefused) {
  auto f = Filters::parse(R"({"bogus":["1"]})", {"label"});
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(), "invalid filter 'bogus'");
  EXPECT_FALSE(Filters::parse("{", {"label"}));
}

TEST(Filters, LabelAndNotLabelAsThePruneEndpointsTakeThem) {
  std::map<std::string, std::string> keep = {{"keep", "yes"}}, other = {{"team", "a"}}, none;
  auto notKeep = parsed(R"({"label!":["keep"]})", {"label", "label!"});
  EXPECT_FALSE(notKeep.matchLabelFilters(keep));
  EXPECT_TRUE(notKeep.matchLabelFilters(other));
  EXPECT_TRUE(notKeep.matchLabelFilters(none));
  auto notKeepYes = parsed(R"({"label!":["keep=yes"]})", {"label", "label!"});
  EXPECT_FALSE(notKeepYes.matchLabelFilters(keep));
  EXPECT_TRUE(notKeepYes.matchLabelFilters({{"keep", "no"}}));
  // label! excludes only what matches every one of its values (moby's MatchKVList).
  auto both = parsed(R"({"label!":["keep","team"]})", {"label", "label!"});
  EXPECT_TRUE(both.matchLabelFilters(keep));
  EXPECT_FALSE(both.matchLabelFilters({{"keep", "1"}, {"team", "b"}}));
  auto withLabel = parsed(R"({"label":["team"],"label!":["keep"]})", {"label", "label!"});
  EXPECT_TRUE(withLabel.matchLabelFilters(other));
  EXPECT_FALSE(withLabel.matchLabelFilters(none));
}

TEST(Filters, UntilTakesDurationsUnixTimesAndDates) {
  EXPECT_EQ(*parsed("", {"until"}).untilNanos(), 0);
  EXPECT_EQ(*parsed(R"({"until":["1700000000"]})", {"until"}).untilNanos(),
            1700000000LL * 1000000000);
  EXPECT_EQ(*parsed(R"({"until":["2023-11-14T22:13:20.5Z"]})", {"until"}).untilNanos(),
            1700000000LL * 1000000000 + 500000000);
  auto rel = parsed(R"({"until":["1h"]})", {"until"}).untilNanos();
  ASSERT_TRUE(rel);
  int64_t hourAgo = (static_cast<int64_t>(std::time(nullptr)) - 3600) * 1000000000;
  EXPECT_NEAR(static_cast<double>(*rel), static_cast<double>(hourAgo), 5e9);
  // Two values: the earlier wins.
  EXPECT_EQ(*parsed(R"({"until":["1700000000","1600000000"]})", {"until"}).untilNanos(),
            1600000000LL * 1000000000);
  auto bad = parsed(R"({"until":["yesterday"]})", {"until"}).untilNanos();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "failed to parse value as time or duration: \"yesterday\"");
}

TEST(Timestamp, NanosOfApiValues) {
  EXPECT_EQ(*timestampNanos("1700000000.25"), 1700000000LL * 1000000000 + 250000000);
  EXPECT_EQ(*timestampNanos("1700000000"), 1700000000LL * 1000000000);
  EXPECT_FALSE(timestampNanos(""));
}

}  // namespace
}  // namespace berth::apitypes
