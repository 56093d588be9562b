#include "runtime/entry.h"

#include <cstdio>

#include "base/log.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime {

int runEntry(const Globals& g, const EntryOptions& o, const std::function<Result<int>()>& action) {
  LogOptions lo;
  lo.name = "berth-runtime";
  lo.path = o.logPath;
  lo.format = o.jsonLog ? LogFormat::Json : LogFormat::Text;
  lo.level = o.debug ? spdlog::level::debug : spdlog::level::warn;
  if (auto st = initLogging(lo); !st) {
    std::fprintf(stderr, "berth-runtime: %s\n", st.error().what().c_str());
    return 1;
  }
  seccomp::setCacheDir(g.root + "/.seccomp-cache");
  auto r = action();
  if (r) return *r;
  std::string msg = r.error().what();
  spdlog::error("{}", msg);
  // containerd reads the json log; a human reads stderr: runc writes both.
  if (!o.logPath.empty()) std::fprintf(stderr, "berth-runtime: %s\n", msg.c_str());
  return 1;
}

}  // namespace berth::runtime
