#include "cli/format/units.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

constexpr double kKB = 1000, kMB = 1000 * kKB, kGB = 1000 * kMB, kTB = 1000 * kGB, kPB = 1000 * kTB;
constexpr double kKiB = 1024, kMiB = 1024 * kKiB, kGiB = 1024 * kMiB, kTiB = 1024 * kGiB,
                 kPiB = 1024 * kTiB;

// go-units size_test.go TestHumanSize (precision 4).
TEST(Units, HumanSizeMatchesGoUnitsAtPrecisionFour) {
  EXPECT_EQ(humanSize(1000, 4), "1kB");
  EXPECT_EQ(humanSize(1024, 4), "1.024kB");
  EXPECT_EQ(humanSize(1000000, 4), "1MB");
  EXPECT_EQ(humanSize(1048576, 4), "1.049MB");
  EXPECT_EQ(humanSize(2 * kMB, 4), "2MB");
  EXPECT_EQ(humanSize(3.42 * kGB, 4), "3.42GB");
  EXPECT_EQ(humanSize(5.372 * kTB, 4), "5.372TB");
  EXPECT_EQ(humanSize(2.22 * kPB, 4), "2.22PB");
  EXPECT_EQ(humanSize(10000000000000 * kPB, 4), "1e+04YB");
}

// docker images / ps --size print HumanSizeWithPrecision(size, 3).
TEST(Units, HumanSizeDefaultsToDockersThreeDigits) {
  EXPECT_EQ(humanSize(0), "0B");
  EXPECT_EQ(humanSize(999), "999B");
  EXPECT_EQ(humanSize(1000), "1kB");
  EXPECT_EQ(humanSize(2130000), "2.13MB");
  EXPECT_EQ(humanSize(2134567), "2.13MB");
  EXPECT_EQ(humanSize(77812345), "77.8MB");
  EXPECT_EQ(humanSize(4261234), "4.26MB");
  EXPECT_EQ(humanSize(999999), "1e+03kB");
  EXPECT_EQ(humanSize(1.5 * kGB), "1.5GB");
}

// go-units size_test.go TestBytesSize.
TEST(Units, BytesSizeMatchesGoUnits) {
  EXPECT_EQ(bytesSize(1024), "1KiB");
  EXPECT_EQ(bytesSize(1024 * 1024), "1MiB");
  EXPECT_EQ(bytesSize(1048576), "1MiB");
  EXPECT_EQ(bytesSize(2 * kMiB), "2MiB");
  EXPECT_EQ(bytesSize(3.42 * kGiB), "3.42GiB");
  EXPECT_EQ(bytesSize(5.372 * kTiB), "5.372TiB");
  EXPECT_EQ(bytesSize(2.22 * kPiB), "2.22PiB");
  EXPECT_EQ(bytesSize(kKiB * kKiB * kKiB * kKiB * kKiB * kPiB), "1.049e+06YiB");
  EXPECT_EQ(bytesSize(1.5 * kMiB), "1.5MiB");
  EXPECT_EQ(bytesSize(0), "0B");
}

// go-units duration_test.go TestHumanDuration.
TEST(Units, HumanDurationMatchesGoUnits) {
  constexpr int64_t minute = 60, hour = 60 * minute, day = 24 * hour, week = 7 * day,
                    month = 30 * day, year = 365 * day;
  EXPECT_EQ(humanDuration(0), "Less than a second");
  EXPECT_EQ(humanDuration(-5), "Less than a second");
  EXPECT_EQ(humanDuration(1), "1 second");
  EXPECT_EQ(humanDuration(45), "45 seconds");
  EXPECT_EQ(humanDuration(59), "59 seconds");
  EXPECT_EQ(humanDuration(60), "About a minute");
  EXPECT_EQ(humanDuration(3 * minute), "3 minutes");
  EXPECT_EQ(humanDuration(35 * minute + 40), "35 minutes");
  EXPECT_EQ(humanDuration(59 * minute), "59 minutes");
  EXPECT_EQ(humanDuration(hour), "About an hour");
  EXPECT_EQ(humanDuration(hour + 29 * minute), "About an hour");
  EXPECT_EQ(humanDuration(hour + 31 * minute), "2 hours");
  EXPECT_EQ(humanDuration(3 * hour + 29 * minute), "3 hours");
  EXPECT_EQ(humanDuration(3 * hour + 31 * minute), "4 hours");
  EXPECT_EQ(humanDuration(24 * hour), "24 hours");
  EXPECT_EQ(humanDuration(day + 12 * hour), "36 hours");
  EXPECT_EQ(humanDuration(2 * day), "2 days");
  EXPECT_EQ(humanDuration(13 * day + 5 * hour), "13 days");
  EXPECT_EQ(humanDuration(2 * week), "2 weeks");
  EXPECT_EQ(humanDuration(4 * week + 3 * day), "4 weeks");
  EXPECT_EQ(humanDuration(month), "4 weeks");
  EXPECT_EQ(humanDuration(month + 2 * week), "6 weeks");
  EXPECT_EQ(humanDuration(2 * month), "2 months");
  EXPECT_EQ(humanDuration(5 * month + 2 * week), "5 months");
  EXPECT_EQ(humanDuration(24 * month), "24 months");
  EXPECT_EQ(humanDuration(24 * month + 2 * week), "2 years");
  EXPECT_EQ(humanDuration(3 * year + 2 * month), "3 years");
}

}  // namespace
}  // namespace berth::cli
