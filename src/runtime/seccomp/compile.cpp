// compile(): an OCI seccomp section -> a BPF program, built by libseccomp and exported (its
// syscall dispatch then made a search over ranges: bpf.h), so that the container process only
// has to hand it to seccomp(2). Rule handling follows runc's
// libcontainer/seccomp/seccomp_linux.go so that profiles written for runc behave the same.

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string_view>

#include "base/unique_fd.h"
#include "runtime/seccomp/bpf.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime::seccomp {
namespace {

constexpr uint32_t kMaxSyscallArgs = 6;
// runc turns the binary tree on from this many rules; below it the linear list is as fast, and
// libseccomp before 2.5.4 ignored the default action of an empty tree (libseccomp#370).
constexpr size_t kBinaryTreeMinRules = 8;

struct ArchName {
  std::string_view name;
  uint32_t token;
};

constexpr std::array<ArchName, 19> kArches{{
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
}};

struct FlagName {
  std::string_view name;
  unsigned int flag;
};

constexpr std::array<FlagName, 4> kFlags{{
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
}};

class Context {
 public:
  explicit Context(scmp_filter_ctx ctx) : ctx_(ctx) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() {
    if (ctx_ != nullptr) seccomp_release(ctx_);
  }
  scmp_filter_ctx get() const { return ctx_; }

 private:
  scmp_filter_ctx ctx_;
};

Result<uint32_t> actionValue(oci::SeccompAction a, std::optional<uint32_t> errnoRet) {
  // The kernel keeps 16 bits of return data; a larger errno would silently become another one.
  if (errnoRet && *errnoRet > 0xffff) return Error::invalid("errnoRet {} out of range", *errnoRet);
  // runc answers EPERM when a profile names ERRNO or TRACE without errnoRet.
  uint32_t ret = errnoRet.value_or(EPERM);
  switch (a) {
    case oci::SeccompAction::Kill:
    case oci::SeccompAction::KillThread:
      return SCMP_ACT_KILL_THREAD;
    case oci::SeccompAction::KillProcess:
      return SCMP_ACT_KILL_PROCESS;
    case oci::SeccompAction::Trap:
      return SCMP_ACT_TRAP;
    case oci::SeccompAction::Errno:
      return SCMP_ACT_ERRNO(ret);
    case oci::SeccompAction::Trace:
      return SCMP_ACT_TRACE(ret);
    case oci::SeccompAction::Allow:
      return SCMP_ACT_ALLOW;
    case oci::SeccompAction::Log:
      return SCMP_ACT_LOG;
    case oci::SeccompAction::Notify:
      return SCMP_ACT_NOTIFY;
  }
  return Error::invalid("unknown seccomp action {}", static_cast<int>(a));
}

scmp_compare compareOp(oci::SeccompOp op) {
  switch (op) {
    case oci::SeccompOp::NotEqual:
      return SCMP_CMP_NE;
    case oci::SeccompOp::LessThan:
      return SCMP_CMP_LT;
    case oci::SeccompOp::LessEqual:
      return SCMP_CMP_LE;
    case oci::SeccompOp::EqualTo:
      return SCMP_CMP_EQ;
    case oci::SeccompOp::GreaterEqual:
      return SCMP_CMP_GE;
    case oci::SeccompOp::GreaterThan:
      return SCMP_CMP_GT;
    case oci::SeccompOp::MaskedEqual:
      return SCMP_CMP_MASKED_EQ;
  }
  return _SCMP_CMP_MIN;
}

Status addArches(scmp_filter_ctx ctx, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const ArchName* found = nullptr;
    for (const auto& a : kArches) {
      if (a.name == name) found = &a;
    }
    if (found == nullptr) return Error::invalid("unknown seccomp architecture {:?}", name);
    int rc = seccomp_arch_add(ctx, found->token);
    // EEXIST: the native architecture, which seccomp_init already added, or a repeated name.
    if (rc < 0 && rc != -EEXIST) return Error::sys(-rc, "seccomp_arch_add {}", name);
  }
  return ok();
}

// The OCI op for MASKED_EQ reads "value" as the mask and "valueTwo" as the datum, which is the
// order scmp_arg_cmp wants (datum_a = mask, datum_b = datum).
Result<std::vector<scmp_arg_cmp>> conditions(const oci::SeccompSyscall& rule) {
  std::vector<scmp_arg_cmp> out;
  out.reserve(rule.args.size());
  for (const auto& arg : rule.args) {
    if (arg.index >= kMaxSyscallArgs)
      return Error::invalid("argument index {} out of range", arg.index);
    scmp_compare op = compareOp(arg.op);
    if (op == _SCMP_CMP_MIN)
      return Error::invalid("unknown comparison {}", static_cast<int>(arg.op));
    out.push_back(scmp_arg_cmp{arg.index, op, arg.value, arg.valueTwo});
  }
  return out;
}

Status addRule(scmp_filter_ctx ctx, uint32_t action, const oci::SeccompSyscall& rule) {
  auto conds = TRY(conditions(rule));
  // libseccomp cannot AND two comparisons of the same argument, so runc falls back to one rule
  // per comparison (an OR) whenever an index repeats; we keep that meaning for compatibility.
  std::array<int, kMaxSyscallArgs> perIndex{};
  bool repeated = false;
  for (const auto& c : conds) repeated |= ++perIndex[c.arg] > 1;

  for (const auto& name : rule.names) {
    int nr = seccomp_syscall_resolve_name(name.c_str());
    // A name this libseccomp does not know is a syscall the kernel may not have either; runc
    // skips it so that one profile serves old and new hosts.
    if (nr == __NR_SCMP_ERROR) continue;
    int rc = 0;
    if (conds.empty() || !repeated) {
      rc = seccomp_rule_add_array(ctx, action, nr, conds.size(), conds.data());
    } else {
      for (const auto& c : conds) {
        rc = seccomp_rule_add_array(ctx, action, nr, 1, &c);
        if (rc < 0) break;
      }
    }
    if (rc < 0) return Error::sys(-rc, "seccomp_rule_add {}", name);
  }
  return ok();
}

Result<std::vector<sock_filter>> exportBpf(scmp_filter_ctx ctx) {
  UniqueFd fd(memfd_create("berth-seccomp", MFD_CLOEXEC));
  if (!fd) return Error::sys(errno, "memfd_create");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc < 0) return Error::sys(-rc, "seccomp_export_bpf");
  struct stat st {};
  if (fstat(fd.get(), &st) < 0) return Error::sys(errno, "fstat seccomp program");
  if (st.st_size % sizeof(sock_filter) != 0) {
    return Error::internal("seccomp program of {} bytes is not whole instructions", st.st_size);
  }
  std::vector<sock_filter> filter(st.st_size / sizeof(sock_filter));
  size_t want = filter.size() * sizeof(sock_filter);
  size_t done = 0;
  auto* buf = reinterpret_cast<char*>(filter.data());
  while (done < want) {
    ssize_t n = pread(fd.get(), buf + done, want - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::sys(errno, "read seccomp program");
    if (n == 0) return Error::internal("seccomp program truncated");
    done += static_cast<size_t>(n);
  }
  // The kernel refuses longer programs with a bare EINVAL in the container; say it here instead.
  if (filter.empty() || filter.size() > BPF_MAXINSNS) {
    return Error::invalid("seccomp program has {} instructions (limit {})", filter.size(),
                          BPF_MAXINSNS);
  }
  return filter;
}

// The syscalls of a newer kernel than the profile (or this libseccomp) knows must fail with
// ENOSYS, not the default EPERM: a libc falls back to an older call only on ENOSYS (glibc's
// fchmodat2, for one). As runc does, a stub goes before the filter: for each architecture, a
// syscall number above the highest one the profile names answers ENOSYS; everything else goes
// on to the filter. Not with a default that allows (or notifies, or already answers ENOSYS).
std::vector<sock_filter> enosysStub(const oci::Seccomp& s) {
  using A = oci::SeccompAction;
  if (s.defaultAction == A::Allow || s.defaultAction == A::Log || s.defaultAction == A::Notify ||
      (s.defaultAction == A::Errno && s.defaultErrnoRet == ENOSYS)) {
    return {};
  }
  std::vector<uint32_t> arches{seccomp_arch_native()};
  for (const auto& name : s.architectures) {
    for (const auto& a : kArches) {
      // x32 calls reach the filter as x86_64 ones with bit 30 set, handled below.
      if (a.name != name || a.token == SCMP_ARCH_X32) continue;
      if (std::find(arches.begin(), arches.end(), a.token) == arches.end()) {
        arches.push_back(a.token);
      }
    }
  }
  struct Block {
    uint32_t arch;
    uint32_t maxNr;
    size_t size;
  };
  std::vector<Block> blocks;
  size_t total = 0;
  for (uint32_t arch : arches) {
    int maxNr = -1;
    for (const auto& rule : s.syscalls) {
      for (const auto& name : rule.names) {
        // Negative: unknown here, or one of libseccomp's pseudo numbers for a call this
        // architecture does not have.
        maxNr = std::max(maxNr, seccomp_syscall_resolve_name_arch(arch, name.c_str()));
      }
    }
    if (maxNr < 0) continue;
    size_t size = arch == SCMP_ARCH_X86_64 ? 6 : 5;
    blocks.push_back({arch, static_cast<uint32_t>(maxNr), size});
    total += size;
  }
  std::vector<sock_filter> out;
  auto toFilter = [&] { return static_cast<uint8_t>(total - out.size() - 1); };
  for (const Block& b : blocks) {
    out.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    out.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, b.arch, 0, static_cast<uint8_t>(b.size - 2)));
    out.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    if (b.arch == SCMP_ARCH_X86_64) {
      out.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, toFilter(), 0));
    }
    out.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, b.maxNr, 0, toFilter()));
    out.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
  }
  return out;
}

}  // namespace

Result<Program> compile(const oci::Seccomp& s, bool compress) {
  Program p;
  for (const auto& name : s.flags) {
    const FlagName* found = nullptr;
    for (const auto& f : kFlags) {
      if (f.name == name) found = &f;
    }
    if (found == nullptr) return Error::invalid("unknown seccomp flag {:?}", name);
    p.flags |= found->flag;
  }

  uint32_t defaultAction =
      TRY_CTX(actionValue(s.defaultAction, s.defaultErrnoRet), "defaultAction");
  Context ctx(seccomp_init(defaultAction));
  if (ctx.get() == nullptr) return Error::invalid("seccomp_init: default action not supported");
  // The runtime sets no_new_privs itself when process.noNewPrivileges asks for it. TSYNC, LOG
  // and SSB are not set as attributes: they only change seccomp_load's flags, and install()
  // passes Program::flags to seccomp(2) itself.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) return Error::sys(-rc, "seccomp_attr_set NNP");
  if (s.syscalls.size() >= kBinaryTreeMinRules) {
    rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc < 0) return Error::sys(-rc, "seccomp_attr_set OPTIMIZE");
  }
  TRY(addArches(ctx.get(), s.architectures));

  p.notify = s.defaultAction == oci::SeccompAction::Notify;
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const auto& rule = s.syscalls[i];
    uint32_t action = TRY_CTX(actionValue(rule.action, rule.errnoRet), "syscalls[{}]", i);
    // libseccomp refuses a rule that repeats the default action; it would change nothing.
    if (action == defaultAction) continue;
    TRY_CTX(addRule(ctx.get(), action, rule), "syscalls[{}]", i);
    if (rule.action == oci::SeccompAction::Notify) p.notify = true;
  }

  if (p.notify) {
    p.flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // The kernel refuses TSYNC with NEW_LISTENER unless a failed sync reports ESRCH (5.7+).
    if (p.flags & SECCOMP_FILTER_FLAG_TSYNC) p.flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  } else {
    // Only meaningful for a listener; the kernel answers EINVAL to it alone.
    p.flags &= ~static_cast<unsigned int>(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
  }
  std::vector<sock_filter> filter = TRY_CTX(exportBpf(ctx.get()), "compile seccomp profile");
  if (compress) {
    if (auto shorter = compressSyscallDispatch(filter)) filter = std::move(*shorter);
  }
  p.filter = enosysStub(s);
  p.filter.insert(p.filter.end(), filter.begin(), filter.end());
  if (p.filter.size() > BPF_MAXINSNS) {
    return Error::invalid("seccomp program has {} instructions (limit {})", p.filter.size(),
                          BPF_MAXINSNS);
  }
  return p;
}

}  // namespace berth::runtime::seccomp
