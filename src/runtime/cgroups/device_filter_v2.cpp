// The cgroup v2 device controller is an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE. The
// program's shape is runc's and crun's: load type, access, major and minor from the context,
// then one block per rule that returns the rule's verdict when everything in it matches.

#include "runtime/cgroups/device_filter_v2.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <limits>

#include "runtime/cgroups/cgroups.h"
#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

bpf_insn loadWord(uint8_t dst, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0);
}
bpf_insn aluImm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn movReg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn jneImm(uint8_t dst, int32_t imm) {
  return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm);
}
bpf_insn jeqImm(uint8_t dst, int32_t imm) {
  return insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, 0, imm);
}
bpf_insn jneReg(uint8_t dst, uint8_t src) {
  return insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, 0, 0);
}
void appendReturn(int32_t verdict, std::vector<bpf_insn>& out) {
  out.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, verdict));
  out.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

int32_t accessMask(const std::string& access) {
  int32_t mask = 0;
  for (char c : access) {
    if (c == 'm') mask |= BPF_DEVCG_ACC_MKNOD;
    if (c == 'r') mask |= BPF_DEVCG_ACC_READ;
    if (c == 'w') mask |= BPF_DEVCG_ACC_WRITE;
  }
  return mask;
}

bool isWild(const std::optional<int64_t>& n) {
  return !n || *n == -1;
}

// Registers: r2 device type, r3 requested access, r4 major, r5 minor; r1 is scratch once
// they are loaded. Every conditional jump goes to the end of the block (the next rule).
void appendRule(const oci::DeviceCgroupRule& rule, std::vector<bpf_insn>& out) {
  std::vector<bpf_insn> block;
  if (rule.type != "a")
    block.push_back(jneImm(2, rule.type == "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
  int32_t mask = accessMask(rule.access);
  if (mask != (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)) {
    block.push_back(movReg(1, 3));
    block.push_back(aluImm(BPF_AND, 1, mask));
    // An allow rule covers an access only when it holds every requested bit; a deny rule
    // refuses any access that asks for one of its bits (an O_RDWR open under "deny w"). runc
    // requires the subset for both, which lets "rw" through a "deny w"; we refuse it.
    block.push_back(rule.allow ? jneReg(1, 3) : jeqImm(1, 0));
  }
  if (!isWild(rule.major)) block.push_back(jneImm(4, static_cast<int32_t>(*rule.major)));
  if (!isWild(rule.minor)) block.push_back(jneImm(5, static_cast<int32_t>(*rule.minor)));
  size_t exitAt = block.size();
  appendReturn(rule.allow ? 1 : 0, block);
  for (size_t i = 0; i < exitAt; ++i) {
    if (BPF_CLASS(block[i].code) == BPF_JMP)
      block[i].off = static_cast<int16_t>(block.size() - i - 1);
  }
  out.insert(out.end(), block.begin(), block.end());
}

long bpf(int cmd, bpf_attr& attr) {
  return ::syscall(__NR_bpf, cmd, &attr, sizeof attr);
}

Error bpfError(int err, const char* what) {
  if (err == ENOSYS || err == EINVAL || err == EOPNOTSUPP)
    return Error(ErrorKind::NotImplemented,
                 std::string("bpf ") + what + ": device filter not supported by this kernel", err);
  return Error::sys(err, "bpf {}", what);
}

}  // namespace

Result<std::vector<bpf_insn>> buildDeviceFilter(const std::vector<oci::DeviceCgroupRule>& rules) {
  // A cgroup starts allowing every device, as a v1 child of the root does.
  bool defaultAllow = true;
  std::vector<const oci::DeviceCgroupRule*> kept;
  for (const auto& rule : rules) {
    TRY(checkDeviceRule(rule));
    for (const auto& n : {rule.major, rule.minor})
      if (n && *n > std::numeric_limits<int32_t>::max())
        return Error::invalid("device number {} is too large", *n);
    if (rule.type == "a" && isWild(rule.major) && isWild(rule.minor)) {
      defaultAllow = rule.allow;
      kept.clear();
    } else {
      kept.push_back(&rule);
    }
  }
  std::vector<bpf_insn> out = {
      loadWord(2, 0), aluImm(BPF_AND, 2, 0xffff),  // type: low 16 bits of access_type
      loadWord(3, 0), aluImm(BPF_RSH, 3, 16),      // access: high 16 bits
      loadWord(4, 4),                              // major
      loadWord(5, 8),                              // minor
  };
  // The last matching rule decides, so the blocks run from the last rule back.
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) appendRule(**it, out);
  appendReturn(defaultAllow ? 1 : 0, out);
  return out;
}

Result<UniqueFd> loadDeviceFilter(const std::vector<bpf_insn>& insns) {
  static const char kLicense[] = "Apache";
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uintptr_t>(kLicense);
  long fd = bpf(BPF_PROG_LOAD, attr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  int err = errno;
  if (err != EINVAL) return bpfError(err, "BPF_PROG_LOAD");
  // Load again with the verifier's log, which says why the program was refused.
  std::string log(64 * 1024, '\0');
  attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  fd = bpf(BPF_PROG_LOAD, attr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  log.resize(std::strlen(log.c_str()));
  return Error(ErrorKind::Internal, "bpf BPF_PROG_LOAD: verifier refused the device filter: " + log,
               errno);
}

Status attachV2DeviceFilter(int cgroupDirFd, const std::vector<oci::DeviceCgroupRule>& rules) {
  auto insns = TRY(buildDeviceFilter(rules));
  UniqueFd prog = TRY(loadDeviceFilter(insns));

  // The programs attached now (an earlier apply), to detach once the new one is in place:
  // with BPF_F_ALLOW_MULTI every program must allow, so an old one would keep its denials.
  uint32_t ids[64] = {};
  bpf_attr query;
  std::memset(&query, 0, sizeof query);
  query.query.target_fd = static_cast<uint32_t>(cgroupDirFd);
  query.query.attach_type = BPF_CGROUP_DEVICE;
  query.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
  query.query.prog_cnt = 64;
  uint32_t oldCount = bpf(BPF_PROG_QUERY, query) == 0 ? query.query.prog_cnt : 0;

  bpf_attr attach;
  std::memset(&attach, 0, sizeof attach);
  attach.target_fd = static_cast<uint32_t>(cgroupDirFd);
  attach.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attach) != 0) return bpfError(errno, "BPF_PROG_ATTACH");

  for (uint32_t i = 0; i < oldCount && i < 64; ++i) {
    bpf_attr get;
    std::memset(&get, 0, sizeof get);
    get.prog_id = ids[i];
    long oldFd = bpf(BPF_PROG_GET_FD_BY_ID, get);
    if (oldFd < 0) return Error::sys(errno, "bpf BPF_PROG_GET_FD_BY_ID {}", ids[i]);
    UniqueFd old(static_cast<int>(oldFd));
    bpf_attr detach;
    std::memset(&detach, 0, sizeof detach);
    detach.target_fd = static_cast<uint32_t>(cgroupDirFd);
    detach.attach_bpf_fd = static_cast<uint32_t>(old.get());
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, detach) != 0)
      return Error::sys(errno, "bpf BPF_PROG_DETACH {}", ids[i]);
  }
  return ok();
}

}  // namespace berth::runtime::cgroups
