#pragma once
// The two clocks the shim reads: monotonic milliseconds for its timers, wall time for log
// entries and the exit record.

#include <cstdint>
#include <ctime>

namespace berth::shim {

inline int64_t monotonicMs() {
  struct timespec t {};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
}

inline struct timespec wallClock() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return t;
}

}  // namespace berth::shim
