// OCI resources -> cgroup v1 file writes. Like runc, a zero limit, reservation, swap, shares,
// quota or period means "not set" (the Go spec types cannot tell 0 from absent).

#include <fmt/format.h>

#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

bool isSet(const std::optional<int64_t>& v) {
  return v && *v != 0;
}
bool isSet(const std::optional<uint64_t>& v) {
  return v && *v != 0;
}

Status checkLimit(const std::optional<int64_t>& v, std::string_view what) {
  if (v && *v < -1) return Error::invalid("{} {} is negative", what, *v);
  return ok();
}

std::string deviceNumber(const std::optional<int64_t>& n) {
  return !n || *n == -1 ? "*" : std::to_string(*n);
}

Status deviceWrites(const std::vector<oci::DeviceCgroupRule>& rules, std::vector<Write>& out) {
  for (const auto& rule : rules) {
    TRY(checkDeviceRule(rule));
    out.push_back({"devices", rule.allow ? "devices.allow" : "devices.deny",
                   fmt::format("{} {}:{} {}", rule.type, deviceNumber(rule.major),
                               deviceNumber(rule.minor), rule.access)});
  }
  return ok();
}

Status memoryWrites(const oci::MemoryResources& m, std::vector<Write>& out) {
  TRY(checkLimit(m.limit, "memory limit"));
  TRY(checkLimit(m.reservation, "memory reservation"));
  TRY(checkLimit(m.swap, "memory+swap limit"));
  TRY(swapOnly(m.limit, m.swap));  // validation only: v1 takes memory+swap as given
  if (m.swappiness && *m.swappiness > 100)
    return Error::invalid("memory swappiness {} is above 100", *m.swappiness);
  // memory.limit_in_bytes comes before memory.memsw.limit_in_bytes; the kernel keeps
  // memsw >= limit at every step, so the Manager swaps the two when the new memsw is above the
  // current limit (runc's rule), which needs the current value and so cannot be done here.
  if (isSet(m.limit)) out.push_back({"memory", "memory.limit_in_bytes", std::to_string(*m.limit)});
  if (isSet(m.swap)) {
    out.push_back({"memory", "memory.memsw.limit_in_bytes", std::to_string(*m.swap)});
  } else if (m.limit && *m.limit == -1) {
    // runc: unlimited memory without a swap value means unlimited swap too, otherwise the
    // old memsw limit would cap the "unlimited" memory.
    out.push_back({"memory", "memory.memsw.limit_in_bytes", "-1"});
  }
  if (isSet(m.reservation))
    out.push_back({"memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation)});
  if (m.swappiness) out.push_back({"memory", "memory.swappiness", std::to_string(*m.swappiness)});
  if (m.disableOOMKiller && *m.disableOOMKiller)
    out.push_back({"memory", "memory.oom_control", "1"});
  // kernel and kernelTCP are deprecated in the runtime spec and gone from Linux 6.x.
  return ok();
}

Status cpuWrites(const oci::CpuResources& c, std::vector<Write>& out) {
  TRY(checkLimit(c.quota, "cpu quota"));
  TRY(checkLimit(c.realtimeRuntime, "cpu realtime runtime"));
  if (isSet(c.shares)) out.push_back({"cpu", "cpu.shares", std::to_string(*c.shares)});
  // The period first: a quota is checked against the period it will run under.
  if (isSet(c.period)) out.push_back({"cpu", "cpu.cfs_period_us", std::to_string(*c.period)});
  if (isSet(c.quota)) out.push_back({"cpu", "cpu.cfs_quota_us", std::to_string(*c.quota)});
  if (isSet(c.realtimePeriod))
    out.push_back({"cpu", "cpu.rt_period_us", std::to_string(*c.realtimePeriod)});
  if (isSet(c.realtimeRuntime))
    out.push_back({"cpu", "cpu.rt_runtime_us", std::to_string(*c.realtimeRuntime)});
  if (!c.cpus.empty()) out.push_back({"cpuset", "cpuset.cpus", c.cpus});
  if (!c.mems.empty()) out.push_back({"cpuset", "cpuset.mems", c.mems});
  return ok();
}

}  // namespace

Status checkDeviceRule(const oci::DeviceCgroupRule& rule) {
  if (rule.type != "a" && rule.type != "c" && rule.type != "b")
    return Error::invalid("device rule type \"{}\" is not a, c or b", rule.type);
  if (rule.access.empty() || rule.access.find_first_not_of("rwm") != std::string::npos)
    return Error::invalid("device rule access \"{}\" is not a subset of rwm", rule.access);
  // -1 is accepted as a wildcard as well as absence: some callers spell "any" that way.
  for (const auto& n : {rule.major, rule.minor})
    if (n && *n < -1) return Error::invalid("device number {} is negative", *n);
  return ok();
}

Result<std::vector<Write>> v1Writes(const oci::Resources& r) {
  if (!r.unified.empty())
    return Error::invalid("unified cgroup resources need cgroup v2; this host uses v1");
  std::vector<Write> out;
  // Devices first: the spec's list starts with deny-all and the allows follow it.
  TRY(deviceWrites(r.devices, out));
  if (r.memory) TRY(memoryWrites(*r.memory, out));
  if (r.cpu) TRY(cpuWrites(*r.cpu, out));
  if (r.pidsLimit)
    out.push_back({"pids", "pids.max", *r.pidsLimit > 0 ? std::to_string(*r.pidsLimit) : "max"});
  return out;
}

}  // namespace berth::runtime::cgroups
