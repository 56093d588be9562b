#pragma once
// The berth-image subcommands: each parses its flags and calls one ImageService operation.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "base/error.h"

namespace berth::tool {

struct ImageContext {
  std::string dataRoot = "/var/lib/berth";
  std::function<Status()> action;
};

void registerImageCommands(CLI::App& app, ImageContext& ctx);

}  // namespace berth::tool
