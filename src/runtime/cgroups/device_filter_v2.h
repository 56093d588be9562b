#pragma once
// The cgroup v2 device filter program, split from its attachment so tests can check the
// generated instructions and have the kernel verify them without touching a cgroup.

#include <linux/bpf.h>

#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace berth::runtime::cgroups {

// The rules with v1's meaning, as youki reads them: a rule of type "a" with wildcard numbers
// resets the list (default allow or deny, earlier rules dropped); later rules win over earlier
// ones. InvalidArgument for a malformed rule.
Result<std::vector<bpf_insn>> buildDeviceFilter(const std::vector<oci::DeviceCgroupRule>& rules);

// bpf(BPF_PROG_LOAD) of a BPF_PROG_TYPE_CGROUP_DEVICE program. NotImplemented where the kernel
// has no such program type, PermissionDenied without CAP_BPF/CAP_SYS_ADMIN.
Result<UniqueFd> loadDeviceFilter(const std::vector<bpf_insn>& insns);

}  // namespace berth::runtime::cgroups
