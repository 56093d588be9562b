#include "runtime/cgroups/device_filter_v2.h"

#include <gtest/gtest.h>

#include <cstring>

namespace berth::runtime::cgroups {
namespace {

using Rule = oci::DeviceCgroupRule;

// Runs the generated program on one device access with a tiny interpreter of the instructions
// the generator uses, so the verdicts can be checked without attaching to a cgroup.
int run(const std::vector<bpf_insn>& prog, char type, uint32_t major, uint32_t minor,
        const std::string& access) {
  uint32_t acc = 0;
  for (char c : access)
    acc |= c == 'm' ? BPF_DEVCG_ACC_MKNOD : c == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
  bpf_cgroup_dev_ctx ctx{};
  ctx.access_type = (acc << 16) | (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  ctx.major = major;
  ctx.minor = minor;
  uint64_t reg[11] = {};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const bpf_insn& i = prog[pc];
    uint64_t& dst = reg[i.dst_reg];
    uint64_t src =
        BPF_SRC(i.code) == BPF_X ? reg[i.src_reg] : static_cast<uint64_t>(int64_t{i.imm});
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        dst = v;
        break;
      }
      case BPF_ALU | BPF_AND | BPF_K:
        dst = static_cast<uint32_t>(dst & src);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        dst = static_cast<uint32_t>(dst) >> i.imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        dst = static_cast<uint32_t>(src);
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        dst = src;
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
      case BPF_JMP | BPF_JNE | BPF_X:
        if (dst != src) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (dst == src) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int{i.code};
        return -1;
    }
  }
  ADD_FAILURE() << "program ran off its end";
  return -1;
}

std::vector<Rule> dockerDefaults() {
  return {
      {.allow = false, .type = "a", .access = "rwm"},
      {.allow = true, .type = "c", .access = "m"},
      {.allow = true, .type = "b", .access = "m"},
      {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"},
      {.allow = true, .type = "c", .major = 1, .minor = 5, .access = "rwm"},
      {.allow = true, .type = "c", .major = 136, .access = "rwm"},
      {.allow = true, .type = "c", .major = 5, .minor = 2, .access = "rwm"},
  };
}

TEST(CgroupV2DeviceFilter, AllowsOnlyWhatDockersDefaultRulesAllow) {
  auto prog = buildDeviceFilter(dockerDefaults());
  ASSERT_TRUE(prog) << prog.error().what();
  EXPECT_EQ(run(*prog, 'c', 1, 3, "rw"), 1);
  EXPECT_EQ(run(*prog, 'c', 136, 7, "rwm"), 1);
  EXPECT_EQ(run(*prog, 'c', 10, 200, "m"), 1);
  EXPECT_EQ(run(*prog, 'b', 8, 0, "m"), 1);
  EXPECT_EQ(run(*prog, 'c', 10, 200, "r"), 0);
  EXPECT_EQ(run(*prog, 'b', 8, 0, "rw"), 0);
  EXPECT_EQ(run(*prog, 'c', 1, 4, "r"), 0);
}

TEST(CgroupV2DeviceFilter, LetsTheLastMatchingRuleDecide) {
  std::vector<Rule> rules = {
      {.allow = false, .type = "a", .access = "rwm"},
      {.allow = true, .type = "c", .major = 1, .access = "rwm"},
      {.allow = false, .type = "c", .major = 1, .minor = 3, .access = "w"},
  };
  auto prog = buildDeviceFilter(rules).value();
  EXPECT_EQ(run(prog, 'c', 1, 3, "r"), 1);
  EXPECT_EQ(run(prog, 'c', 1, 3, "w"), 0);
  EXPECT_EQ(run(prog, 'c', 1, 3, "rw"), 0) << "any denied part denies the whole access";
  EXPECT_EQ(run(prog, 'c', 1, 9, "w"), 1);
}

TEST(CgroupV2DeviceFilter, AllowsAnAccessOnlyWhenOneRuleCoversAllOfIt) {
  auto prog =
      buildDeviceFilter({{.allow = false, .type = "a", .access = "rwm"},
                         {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "r"}})
          .value();
  EXPECT_EQ(run(prog, 'c', 1, 3, "r"), 1);
  EXPECT_EQ(run(prog, 'c', 1, 3, "rw"), 0);
  EXPECT_EQ(run(prog, 'c', 1, 3, "m"), 0);
}

TEST(CgroupV2DeviceFilter, ResetsOnAWildcardAllRule) {
  auto prog = buildDeviceFilter({{.allow = false, .type = "c", .major = 1, .access = "rwm"},
                                 {.allow = true, .type = "a", .access = "rwm"}})
                  .value();
  EXPECT_EQ(prog.size(), 8u) << "the prologue and 'return allow'";
  EXPECT_EQ(run(prog, 'c', 1, 3, "rw"), 1);
  EXPECT_EQ(run(prog, 'b', 7, 0, "rwm"), 1);
}

TEST(CgroupV2DeviceFilter, AllowsEverythingWithNoRules) {
  auto prog = buildDeviceFilter({}).value();
  EXPECT_EQ(run(prog, 'c', 4, 4, "rwm"), 1);
}

TEST(CgroupV2DeviceFilter, MatchesBothTypesForTypeAWithNumbers) {
  auto prog = buildDeviceFilter({{.allow = false, .type = "a", .access = "rwm"},
                                 {.allow = true, .type = "a", .major = 7, .access = "r"}})
                  .value();
  EXPECT_EQ(run(prog, 'c', 7, 1, "r"), 1);
  EXPECT_EQ(run(prog, 'b', 7, 1, "r"), 1);
  EXPECT_EQ(run(prog, 'b', 7, 1, "w"), 0);
}

TEST(CgroupV2DeviceFilter, RejectsMalformedRules) {
  EXPECT_FALSE(buildDeviceFilter({{.type = "z"}}));
  EXPECT_FALSE(buildDeviceFilter({{.access = "x"}}));
  EXPECT_FALSE(buildDeviceFilter({{.type = "c", .major = int64_t{1} << 40}}));
}

TEST(CgroupV2DeviceFilter, LoadsIntoTheKernel) {
  auto prog = buildDeviceFilter(dockerDefaults()).value();
  auto fd = loadDeviceFilter(prog);
  if (!fd && (fd.error().kind() == ErrorKind::PermissionDenied ||
              fd.error().kind() == ErrorKind::NotImplemented))
    GTEST_SKIP() << "this kernel or user cannot load BPF programs: " << fd.error().what();
  ASSERT_TRUE(fd) << fd.error().what();
  EXPECT_TRUE(fd->valid());
}

}  // namespace
}  // namespace berth::runtime::cgroups
