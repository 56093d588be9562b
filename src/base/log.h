#pragma once
// Process-wide logging through spdlog. Programs call initLogging once from main(); libraries
// just use spdlog's free functions (spdlog::warn...).

#include <spdlog/spdlog.h>

#include <string>

#include "base/error.h"

namespace berth {

enum class LogFormat { Text, Json };

struct LogOptions {
  std::string name = "berth";  // the program, first on every stderr line
  std::string path;            // empty: stderr
  LogFormat format = LogFormat::Text;
  spdlog::level::level_enum level = spdlog::level::warn;
};

// Installs the default logger. Json writes one {"level","msg","time"} object per line, the
// format runc writes with --log-format json and that containerd reads back for error messages.
Status initLogging(const LogOptions& opts);

}  // namespace berth
