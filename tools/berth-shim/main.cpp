// berth-shim: the per-container monitor berthd starts (see src/shim/protocol.h), or with
// --launcher the process that forks those monitors for berthd.
#include <string.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include "linked_runtime.h"
#include "shim/launcher.h"
#include "shim/options.h"
#include "shim/shim.h"
#include "shim/spawn.h"
#include "shim/util.h"

namespace {

int runMonitor(int argc, const char* const* argv) {
  auto opts = berth::shim::parseOptions(argc, argv);
  if (!opts) {
    std::string line = "berth-shim: " + opts.error().what() + "\n";
    (void)berth::shim::writeAllTo(STDERR_FILENO, line, "stderr");
    return 2;
  }
  if (opts->runtimeLinked) berth::shim::setLinkedRuntime(&berth::tool::runLinkedRuntime);
  return berth::shim::runShim(*opts);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && argv[1] == berth::shim::kLauncherFlag) {
    // berth-shim --launcher [PADDING]: the request socket on fd 3. The argv strings lie
    // end to end; each shim's command line is written over them.
    char* end = argv[argc - 1] + ::strlen(argv[argc - 1]) + 1;
    auto shim = berth::shim::runLauncher(3, {argv[0], end});
    if (!shim) return 0;
    std::vector<const char*> shimArgv;
    for (const auto& a : *shim) shimArgv.push_back(a.c_str());
    shimArgv.push_back(nullptr);
    return runMonitor(static_cast<int>(shim->size()), shimArgv.data());
  }
  return runMonitor(argc, argv);
}
