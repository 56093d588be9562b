#pragma once
// Classic BPF programs for seccomp, as plain instruction vectors: an interpreter with the
// kernel's semantics, and a rewrite of libseccomp's programs that loads much faster.

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace berth::runtime::seccomp {

/// What the kernel's filter answers for d (SECCOMP_RET_*); SECCOMP_RET_KILL_PROCESS for a
/// program the kernel would refuse (a jump out of it, a load past seccomp_data, no return).
uint32_t runFilter(std::span<const sock_filter> filter, const seccomp_data& d);

/// The same filter with its syscall dispatch as a search over ranges of syscall numbers.
///
/// The kernel converts and JITs a filter at every load, in time that grows with its length:
/// libseccomp compares a syscall number with one instruction per rule and architecture (1,304
/// instructions for Docker's profile on x86_64, x86 and x32, 0.24-0.44 ms to load here), while
/// the syscalls a profile allows mostly come in runs of consecutive numbers.
///
/// For every architecture the filter compares against, and for every range between the
/// constants it compares syscall numbers with, filter's path up to its first load of anything
/// but the number and the architecture is fixed: it ends either in a return, which becomes a
/// leaf of a binary search over the ranges, or at a load of an argument, where the search jumps
/// into a copy of the instructions reachable from there (the argument checks, unchanged). So the
/// result answers exactly as filter does, for every input; it is also checked against filter at
/// the ends of every range, with several argument values. nullopt when filter uses what this
/// does not follow (the X register, scratch memory, arithmetic on the number), or when the
/// result would not be shorter.
std::optional<std::vector<sock_filter>> compressSyscallDispatch(
    std::span<const sock_filter> filter);

}  // namespace berth::runtime::seccomp
