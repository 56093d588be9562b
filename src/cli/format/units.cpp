#include "cli/format/units.h"

#include <fmt/format.h>

#include "cli/format/go_fmt.h"

namespace berth::cli {

namespace {

constexpr const char* kDecimalUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
constexpr const char* kBinaryUnits[] = {"B",   "KiB", "MiB", "GiB", "TiB",
                                        "PiB", "EiB", "ZiB", "YiB"};

template <size_t N>
std::string sized(double size, double base, const char* const (&units)[N], int precision) {
  size_t i = 0;
  while (size >= base && i < N - 1) {
    size /= base;
    ++i;
  }
  return goFormatFloat(size, 'g', precision) + units[i];
}

}  // namespace

std::string humanSize(double bytes, int precision) {
  return sized(bytes, 1000.0, kDecimalUnits, precision);
}

std::string bytesSize(double bytes) {
  return sized(bytes, 1024.0, kBinaryUnits, 4);
}

std::string humanDuration(int64_t seconds) {
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return fmt::format("{} seconds", seconds);
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return fmt::format("{} minutes", minutes);
  // time.Duration.Round(time.Hour): halves round away from zero.
  int64_t hours = (seconds + 1800) / 3600;
  if (hours == 1) return "About an hour";
  if (hours < 48) return fmt::format("{} hours", hours);
  if (hours < 24 * 7 * 2) return fmt::format("{} days", hours / 24);
  if (hours < 24 * 30 * 2) return fmt::format("{} weeks", hours / 24 / 7);
  if (hours < 24 * 365 * 2) return fmt::format("{} months", hours / 24 / 30);
  return fmt::format("{} years", seconds / 3600 / 24 / 365);
}

}  // namespace berth::cli
