#include "shim/options.h"

#include <string_view>

#include "shim/util.h"

namespace berth::shim {
namespace {

struct PathOption {
  std::string_view name;
  std::string ShimOptions::*field;
  bool required;
};

constexpr PathOption kPaths[] = {
    {"bundle", &ShimOptions::bundle, true},   {"state-dir", &ShimOptions::stateDir, true},
    {"runtime", &ShimOptions::runtime, true}, {"runtime-root", &ShimOptions::runtimeRoot, false},
    {"log", &ShimOptions::log, true},         {"oom-file", &ShimOptions::oomFile, false},
};

}  // namespace

Result<ShimOptions> parseOptions(int argc, const char* const* argv) {
  ShimOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--")
      return invalidArgument("unexpected argument '" + std::string(arg) + "'");
    std::string name(arg.substr(2));
    std::string_view value;
    bool hasValue = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = arg.substr(2 + eq + 1);
      name.resize(eq);
      hasValue = true;
    }
    bool* flag = name == "tty"              ? &o.tty
                 : name == "stdin"          ? &o.stdin
                 : name == "stdin-once"     ? &o.stdinOnce
                 : name == "runtime-linked" ? &o.runtimeLinked
                                            : nullptr;
    if (flag) {
      if (hasValue) return invalidArgument("--" + name + " takes no value");
      *flag = true;
      continue;
    }
    if (!hasValue) {
      if (i + 1 >= argc) return invalidArgument("--" + name + " needs a value");
      value = argv[++i];
    }
    auto number = [&](long long lo, long long hi) -> Result<long long> {
      auto v = parseDecimal(value);
      if (!v || *v < lo || *v > hi) {
        return invalidArgument("--" + name + " '" + std::string(value) + "' is not within " +
                               std::to_string(lo) + ".." + std::to_string(hi));
      }
      return *v;
    };
    if (name == "id") {
      if (value.empty()) return invalidArgument("--id is empty");
      o.id = value;
    } else if (name == "log-max-size") {
      o.logMaxSize = TRY(number(1, INT64_MAX / 2));
    } else if (name == "log-max-file") {
      o.logMaxFile = static_cast<int>(TRY(number(1, 1000)));
    } else if (name == "ready-fd") {
      o.readyFd = static_cast<int>(TRY(number(0, 65535)));
    } else {
      const PathOption* p = nullptr;
      for (const auto& candidate : kPaths) {
        if (candidate.name == name) p = &candidate;
      }
      if (!p) return invalidArgument("unknown option --" + name);
      if (value.empty() || value.front() != '/') {
        return invalidArgument("--" + name + " " + std::string(value) + " is not absolute");
      }
      o.*(p->field) = value;
    }
  }
  if (o.id.empty()) return invalidArgument("--id is required");
  for (const auto& p : kPaths) {
    if (p.required && (o.*(p.field)).empty()) {
      return invalidArgument("--" + std::string(p.name) + " is required");
    }
  }
  return o;
}

}  // namespace berth::shim
