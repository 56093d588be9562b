#pragma once
// compile()'s program against libseccomp's own (compile(s, false)), run by runFilter on every
// syscall number of the ranges the architectures use, for every architecture the profile can
// name and one it cannot, with arguments at and around every value the profile compares them
// with.

#include <linux/audit.h>

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "runtime/seccomp/bpf.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp::testing {

inline std::vector<uint32_t> syscallNumbersToTry() {
  std::vector<uint32_t> nrs;
  for (uint32_t nr = 0; nr < 1200; ++nr) nrs.push_back(nr);
  // MIPS o32, n64 and n32 numbers, the x32 ones (x86_64 with bit 30), ARM's private ones.
  for (uint32_t base : {4000u, 5000u, 6000u, 0x40000000u})
    for (uint32_t nr = base; nr < base + 600; ++nr) nrs.push_back(nr);
  for (uint32_t nr = 0x0f0000; nr < 0x0f0010; ++nr) nrs.push_back(nr);
  for (uint32_t nr : {0x3fffffffu, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu})
    nrs.push_back(nr);
  return nrs;
}

inline std::vector<uint64_t> argumentValuesToTry(const oci::Seccomp& s) {
  std::set<uint64_t> v{0, 1, ~0ULL, 0xffffffffULL, 0x100000000ULL};
  for (const auto& rule : s.syscalls) {
    for (const auto& a : rule.args) {
      for (uint64_t x : {a.value, a.valueTwo, a.value & a.valueTwo, a.value | a.valueTwo}) {
        v.insert({x, x - 1, x + 1, x ^ 0xffffffff00000000ULL});
      }
    }
  }
  return {v.begin(), v.end()};
}

/// Expects compile(s) to answer as libseccomp's program does everywhere tried; returns the two
/// programs' lengths (libseccomp's, compile()'s).
inline std::pair<size_t, size_t> expectSameAnswers(const oci::Seccomp& s) {
  auto plain = compile(s, false);
  auto compressed = compile(s);
  EXPECT_TRUE(plain && compressed);
  if (!plain || !compressed) return {0, 0};
  const std::vector<uint32_t> arches = {
      AUDIT_ARCH_X86_64,  AUDIT_ARCH_I386,  AUDIT_ARCH_AARCH64,  AUDIT_ARCH_ARM,
      AUDIT_ARCH_PPC64LE, AUDIT_ARCH_S390X, AUDIT_ARCH_MIPSEL64, 0,
      0xffffffff};
  const auto nrs = syscallNumbersToTry();
  const auto values = argumentValuesToTry(s);
  int mismatches = 0;
  seccomp_data d{};
  for (uint32_t arch : arches) {
    d.arch = arch;
    for (uint32_t nr : nrs) {
      d.nr = static_cast<int>(nr);
      for (size_t i = 0; i < values.size(); ++i) {
        // Each argument a different value of the list, so that rules on two arguments meet
        // pairs of them.
        for (size_t a = 0; a < 6; ++a) d.args[a] = values[(i + a * 3) % values.size()];
        d.instruction_pointer = values[i];
        uint32_t want = runFilter(plain->filter, d);
        uint32_t got = runFilter(compressed->filter, d);
        if (want != got && ++mismatches <= 5) {
          ADD_FAILURE() << "arch " << std::hex << arch << " nr " << nr << " arg0 " << d.args[0]
                        << ": libseccomp's answers " << want << ", compile()'s " << got;
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
  ::testing::Test::RecordProperty("libseccomp_instructions", std::to_string(plain->filter.size()));
  ::testing::Test::RecordProperty("instructions", std::to_string(compressed->filter.size()));
  return {plain->filter.size(), compressed->filter.size()};
}

}  // namespace berth::runtime::seccomp::testing
