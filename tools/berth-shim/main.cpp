// berth-shim: the per-container monitor berthd starts (see src/shim/protocol.h).
#include <unistd.h>

#include <string>

#include "linked_runtime.h"
#include "shim/options.h"
#include "shim/shim.h"
#include "shim/spawn.h"
#include "shim/util.h"

int main(int argc, char** argv) {
  auto opts = berth::shim::parseOptions(argc, argv);
  if (!opts) {
    std::string line = "berth-shim: " + opts.error().what() + "\n";
    (void)berth::shim::writeAllTo(STDERR_FILENO, line, "stderr");
    return 2;
  }
  if (opts->runtimeLinked) berth::shim::setLinkedRuntime(&berth::tool::runLinkedRuntime);
  return berth::shim::runShim(*opts);
}
