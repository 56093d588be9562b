#pragma once
// docker/go-units renderings of sizes and durations, as docker's tables print them ("2.13MB",
// "1.5MiB", "3 hours").

#include <cstdint>
#include <string>

namespace berth::cli {

// units.HumanSizeWithPrecision: decimal units (B, kB, MB...) and `precision` significant digits
// through Go's %g ("2.13MB", "0B", "1kB", "1e+03kB" for 999999 at precision 3). docker prints
// image and container sizes at precision 3; units.HumanSize itself is precision 4.
std::string humanSize(double bytes, int precision = 3);
// units.BytesSize: binary units (B, KiB, MiB...) at precision 4 ("1.5MiB", "3.42GiB").
std::string bytesSize(double bytes);
// units.HumanDuration: "Less than a second", "1 second", "About a minute", "3 minutes",
// "About an hour", "3 hours", "2 days", "2 weeks", "3 months", "2 years".
std::string humanDuration(int64_t seconds);

}  // namespace berth::cli
