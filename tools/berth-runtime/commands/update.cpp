#include <unistd.h>

#include <iostream>
#include <iterator>

#include "base/file.h"
#include "base/strings.h"
#include "commands.h"

namespace berth::tool {

void registerUpdate(CLI::App& app, Context& ctx) {
  static std::string id, resourcesFile;
  static std::optional<int64_t> memory, memorySwap, memoryReservation, pidsLimit, cpuQuota;
  static std::optional<uint64_t> cpuShares, cpuPeriod;
  static std::string cpusetCpus, cpusetMems;
  auto* u = app.add_subcommand("update", "change a running container's resource limits");
  u->add_option("-r,--resources", resourcesFile, "JSON linux.resources file, '-' for stdin");
  u->add_option("--memory", memory, "memory limit in bytes");
  u->add_option("--memory-swap", memorySwap, "memory+swap limit in bytes");
  u->add_option("--memory-reservation", memoryReservation, "memory soft limit in bytes");
  u->add_option("--pids-limit", pidsLimit, "maximum number of pids");
  u->add_option("--cpu-shares", cpuShares, "cpu shares");
  u->add_option("--cpu-quota", cpuQuota, "cfs quota (us)");
  u->add_option("--cpu-period", cpuPeriod, "cfs period (us)");
  u->add_option("--cpuset-cpus", cpusetCpus, "cpus to use");
  u->add_option("--cpuset-mems", cpusetMems, "memory nodes to use");
  u->add_option("id", id, "container id")->required();
  u->callback([&] {
    ctx.action = [&]() -> Result<int> {
      oci::Resources r;
      if (!resourcesFile.empty()) {
        std::string text;
        if (resourcesFile == "-") {
          text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        } else {
          text = TRY(readFile(resourcesFile));
        }
        auto j = TRY(parseJson(text, "resources"));
        r = TRY(oci::resourcesFromJson(j));
      }
      if (memory || memorySwap || memoryReservation) {
        if (!r.memory) r.memory.emplace();
        if (memory) r.memory->limit = *memory;
        if (memorySwap) r.memory->swap = *memorySwap;
        if (memoryReservation) r.memory->reservation = *memoryReservation;
      }
      if (cpuShares || cpuQuota || cpuPeriod || !cpusetCpus.empty() || !cpusetMems.empty()) {
        if (!r.cpu) r.cpu.emplace();
        if (cpuShares) r.cpu->shares = *cpuShares;
        if (cpuQuota) r.cpu->quota = *cpuQuota;
        if (cpuPeriod) r.cpu->period = *cpuPeriod;
        if (!cpusetCpus.empty()) r.cpu->cpus = cpusetCpus;
        if (!cpusetMems.empty()) r.cpu->mems = cpusetMems;
      }
      if (pidsLimit) r.pidsLimit = *pidsLimit;
      TRY(runtime::update(ctx.globals, id, r));
      return 0;
    };
  });
}

}  // namespace berth::tool
