// OCI resources -> cgroup v2 file writes, with runc's conversions (shares -> weight, memory+swap
// -> swap only). Device rules are not files on v2: the Manager attaches an eBPF filter.

#include <algorithm>

#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

bool isSet(const std::optional<int64_t>& v) {
  return v && *v != 0;
}
bool isSet(const std::optional<uint64_t>& v) {
  return v && *v != 0;
}

std::string maxOr(int64_t v) {
  return v == -1 ? "max" : std::to_string(v);
}

Status memoryWrites(const oci::MemoryResources& m, std::vector<Write>& out) {
  for (auto [v, what] : {std::pair{m.limit, "memory limit"},
                         {m.reservation, "memory reservation"},
                         {m.swap, "memory+swap limit"}}) {
    if (v && *v < -1) return Error::invalid("{} {} is negative", what, *v);
  }
  auto swap = TRY(swapOnly(m.limit, m.swap));
  if (swap) out.push_back({"", "memory.swap.max", maxOr(*swap)});
  if (isSet(m.limit)) out.push_back({"", "memory.max", maxOr(*m.limit)});
  if (isSet(m.reservation)) out.push_back({"", "memory.low", maxOr(*m.reservation)});
  // swappiness and disableOOMKiller have no v2 file; runc and crun ignore them there too.
  return ok();
}

Status cpuWrites(const oci::CpuResources& c, std::vector<Write>& out) {
  if (c.quota && *c.quota < -1) return Error::invalid("cpu quota {} is negative", *c.quota);
  if (isSet(c.realtimeRuntime) || isSet(c.realtimePeriod))
    return Error::invalid("cpu realtime runtime and period are not supported on cgroup v2");
  if (isSet(c.shares)) out.push_back({"", "cpu.weight", std::to_string(sharesToWeight(*c.shares))});
  if (isSet(c.quota) || isSet(c.period)) {
    // A quota without a period keeps the cgroup's current period, as runc writes it.
    std::string value = c.quota && *c.quota > 0 ? std::to_string(*c.quota) : "max";
    if (isSet(c.period)) value += " " + std::to_string(*c.period);
    out.push_back({"", "cpu.max", value});
  }
  if (!c.cpus.empty()) out.push_back({"", "cpuset.cpus", c.cpus});
  if (!c.mems.empty()) out.push_back({"", "cpuset.mems", c.mems});
  return ok();
}

}  // namespace

uint64_t sharesToWeight(uint64_t shares) {
  if (shares == 0) return 0;
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

Result<std::optional<int64_t>> swapOnly(std::optional<int64_t> limit, std::optional<int64_t> swap) {
  int64_t mem = limit.value_or(0);
  int64_t memSwap = swap.value_or(0);
  // Unlimited memory with no swap value means unlimited swap, as on v1.
  if (mem == -1 && memSwap == 0) return std::optional<int64_t>(-1);
  if (memSwap == 0) return std::optional<int64_t>();
  if (memSwap == -1) return std::optional<int64_t>(-1);
  if (mem == 0 || mem == -1)
    return Error::invalid("memory+swap limit {} needs a memory limit", memSwap);
  if (memSwap < mem)
    return Error::invalid("memory+swap limit {} is below the memory limit {}", memSwap, mem);
  return std::optional<int64_t>(memSwap - mem);
}

Result<std::vector<Write>> v2Writes(const oci::Resources& r) {
  std::vector<Write> out;
  for (const auto& rule : r.devices) TRY(checkDeviceRule(rule));
  if (r.memory) TRY(memoryWrites(*r.memory, out));
  if (r.cpu) TRY(cpuWrites(*r.cpu, out));
  if (r.pidsLimit)
    out.push_back({"", "pids.max", *r.pidsLimit > 0 ? std::to_string(*r.pidsLimit) : "max"});
  // Last, so an explicit unified value wins over the one berth derived (runc's order).
  for (const auto& [key, value] : r.unified) {
    if (key.empty() || key == "." || key.find('/') != std::string::npos ||
        key.find("..") != std::string::npos)
      return Error::invalid("unified cgroup key \"{}\" is not a file name", key);
    out.push_back({"", key, value});
  }
  return out;
}

}  // namespace berth::runtime::cgroups
