#include "runtime/seccomp/bpf.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <map>
#include <set>

namespace berth::runtime::seccomp {
namespace {

constexpr uint32_t kNrOffset = offsetof(seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(seccomp_data, arch);
constexpr uint32_t kKill = SECCOMP_RET_KILL_PROCESS;

bool jumpsTo(size_t pc, uint32_t offset, size_t size, size_t* target) {
  // Offsets are unsigned: every jump goes forward.
  if (offset >= size - pc - 1) return false;
  *target = pc + 1 + offset;
  return true;
}

// ---- compressSyscallDispatch ------------------------------------------------------------------

// What the accumulator may hold at an instruction (a set of these bits).
enum : uint8_t {
  kHoldsInitial = 1,  // nothing loaded yet
  kHoldsNr = 2,
  kHoldsArch = 4,
  kHoldsOther = 8,  // an argument, the instruction pointer, or arithmetic on those
};

struct Scan {
  std::vector<uint32_t> archValues;  // compared with JEQ while the architecture is loaded
  std::vector<uint32_t> nrBounds;    // starts of the ranges of numbers no comparison splits
};

bool isConditional(uint16_t code) {
  if (BPF_CLASS(code) != BPF_JMP || BPF_SRC(code) != BPF_K) return false;
  uint16_t op = BPF_OP(code);
  return op == BPF_JEQ || op == BPF_JGT || op == BPF_JGE || op == BPF_JSET;
}

// Checks that the program is made of what the rewrite follows, and collects the constants that
// the number and the architecture are compared with.
std::optional<Scan> scan(std::span<const sock_filter> f) {
  std::vector<uint8_t> holds(f.size(), 0);
  std::vector<bool> reached(f.size(), false);
  std::set<uint32_t> arches;
  std::set<uint32_t> bounds{0};
  reached[0] = true;
  holds[0] = kHoldsInitial;
  auto flow = [&](size_t to, uint8_t h) {
    reached[to] = true;
    holds[to] |= h;
  };
  for (size_t pc = 0; pc < f.size(); ++pc) {
    if (!reached[pc]) continue;
    const sock_filter& in = f[pc];
    uint8_t h = holds[pc];
    if (in.code == (BPF_LD | BPF_W | BPF_ABS)) {
      if (in.k % 4 != 0 || in.k >= sizeof(seccomp_data) || pc + 1 >= f.size()) return std::nullopt;
      flow(pc + 1, in.k == kNrOffset ? kHoldsNr : in.k == kArchOffset ? kHoldsArch : kHoldsOther);
    } else if (BPF_CLASS(in.code) == BPF_ALU && BPF_SRC(in.code) == BPF_K &&
               BPF_OP(in.code) != BPF_DIV && BPF_OP(in.code) != BPF_MOD) {
      // Arithmetic only on what the copied argument checks load.
      if (h != kHoldsOther || pc + 1 >= f.size()) return std::nullopt;
      flow(pc + 1, kHoldsOther);
    } else if (in.code == (BPF_JMP | BPF_JA)) {
      size_t to;
      if (!jumpsTo(pc, in.k, f.size(), &to)) return std::nullopt;
      flow(to, h);
    } else if (isConditional(in.code)) {
      size_t t, e;
      if (!jumpsTo(pc, in.jt, f.size(), &t) || !jumpsTo(pc, in.jf, f.size(), &e)) {
        return std::nullopt;
      }
      uint16_t op = BPF_OP(in.code);
      if (h & kHoldsInitial) return std::nullopt;
      if (h & kHoldsArch) {
        if (op != BPF_JEQ) return std::nullopt;
        arches.insert(in.k);
      }
      if (h & kHoldsNr) {
        if (op == BPF_JSET) return std::nullopt;
        bounds.insert(in.k);
        if (in.k != UINT32_MAX) bounds.insert(in.k + 1);
      }
      flow(t, h);
      flow(e, h);
    } else if (in.code != (BPF_RET | BPF_K)) {
      return std::nullopt;  // X, scratch memory, RET A: not what libseccomp makes
    }
  }
  return Scan{{arches.begin(), arches.end()}, {bounds.begin(), bounds.end()}};
}

// Where filter's path for a fixed architecture and number ends: a return (ret is its value) or
// the first load of anything else (at is that load).
struct Leaf {
  bool ret = false;
  uint32_t value = 0;  // ret ? the return value : the instruction to go on at
  bool operator==(const Leaf&) const = default;
};

Leaf walk(std::span<const sock_filter> f, uint32_t arch, uint32_t nr) {
  uint32_t a = 0;
  size_t pc = 0;
  for (;;) {
    const sock_filter& in = f[pc];
    if (in.code == (BPF_LD | BPF_W | BPF_ABS)) {
      if (in.k != kNrOffset && in.k != kArchOffset) return {false, static_cast<uint32_t>(pc)};
      a = in.k == kNrOffset ? nr : arch;
      ++pc;
    } else if (in.code == (BPF_JMP | BPF_JA)) {
      pc += 1 + in.k;
    } else if (isConditional(in.code)) {
      bool taken = BPF_OP(in.code) == BPF_JEQ   ? a == in.k
                   : BPF_OP(in.code) == BPF_JGT ? a > in.k
                   : BPF_OP(in.code) == BPF_JGE ? a >= in.k
                                                : (a & in.k) != 0;
      pc += 1 + (taken ? in.jt : in.jf);
    } else {
      return {true, in.k};  // RET K: scan() left nothing else before a load of an argument
    }
  }
}

struct Range {
  uint32_t first;
  Leaf leaf;
};

// The instructions of the new program. A jump into the copied tail names its target by the
// original program's index until the layout is known; a conditional jump to a leaf of a
// search names the leaf's place in its block's pool (see pooledSearch).
struct Insn {
  sock_filter f;
  int64_t tailTarget = -1;
  int jtPool = -1, jfPool = -1;
};
using Code = std::vector<Insn>;

Insn stmt(uint16_t code, uint32_t k) {
  return {BPF_STMT(code, k)};
}

Code leafCode(const Leaf& l) {
  if (l.ret) return {stmt(BPF_RET | BPF_K, l.value)};
  Insn j = stmt(BPF_JMP | BPF_JA, 0);
  j.tailTarget = l.value;
  return {j};
}

// A search over ranges[lo, hi) (two at least) whose leaves are one pool of their distinct
// leaves after it: one instruction per comparison, plus the pool. Only for a block short enough
// that every comparison reaches the pool (conditional jumps go 255 instructions at most).
class PooledSearch {
 public:
  PooledSearch(const std::vector<Range>& ranges, size_t lo, size_t hi) : ranges_(ranges) {
    for (size_t i = lo; i < hi; ++i) {
      if (std::find(pool_.begin(), pool_.end(), ranges[i].leaf) == pool_.end())
        pool_.push_back(ranges[i].leaf);
    }
    node(lo, hi);
    size_t poolAt = code_.size();
    for (const Leaf& l : pool_) {
      Code c = leafCode(l);
      code_.insert(code_.end(), c.begin(), c.end());
    }
    for (size_t pc = 0; pc < poolAt; ++pc) {
      Insn& in = code_[pc];
      if (in.jtPool >= 0) in.f.jt = static_cast<uint8_t>(poolAt + in.jtPool - pc - 1);
      if (in.jfPool >= 0) in.f.jf = static_cast<uint8_t>(poolAt + in.jfPool - pc - 1);
      in.jtPool = in.jfPool = -1;
    }
  }
  static size_t sizeOf(const std::vector<Range>& ranges, size_t lo, size_t hi) {
    std::vector<Leaf> distinct;
    for (size_t i = lo; i < hi; ++i) {
      if (std::find(distinct.begin(), distinct.end(), ranges[i].leaf) == distinct.end())
        distinct.push_back(ranges[i].leaf);
    }
    return hi - lo - 1 + distinct.size();
  }
  Code take() { return std::move(code_); }

 private:
  int poolIndex(const Leaf& l) const {
    return static_cast<int>(std::find(pool_.begin(), pool_.end(), l) - pool_.begin());
  }
  // Pre-order, the lower half first: a subtree over m ranges is m - 1 instructions.
  void node(size_t lo, size_t hi) {
    size_t mid = lo + (hi - lo) / 2;
    Insn in{BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges_[mid].first, 0, 0)};
    bool lowLeaf = mid - lo == 1, highLeaf = hi - mid == 1;
    if (lowLeaf) in.jfPool = poolIndex(ranges_[lo].leaf);
    if (highLeaf) {
      in.jtPool = poolIndex(ranges_[mid].leaf);
    } else if (!lowLeaf) {
      in.f.jt = static_cast<uint8_t>(mid - lo - 1);  // past the lower subtree
    }
    code_.push_back(in);
    if (!lowLeaf) node(lo, mid);
    if (!highLeaf) node(mid, hi);
  }

  const std::vector<Range>& ranges_;
  std::vector<Leaf> pool_;
  Code code_;
};

// A binary search over ranges[lo, hi) on the number in the accumulator: pooled blocks, split
// at the middle until they are short enough.
Code search(const std::vector<Range>& ranges, size_t lo, size_t hi) {
  if (hi - lo == 1) return leafCode(ranges[lo].leaf);
  if (PooledSearch::sizeOf(ranges, lo, hi) <= 256) return PooledSearch(ranges, lo, hi).take();
  size_t mid = lo + (hi - lo) / 2;
  Code below = search(ranges, lo, mid);
  Code above = search(ranges, mid, hi);
  Code out;
  uint32_t split = ranges[mid].first;
  if (below.size() <= 255) {
    out.push_back(
        {BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, split, static_cast<uint8_t>(below.size()), 0)});
  } else {
    // Conditional jumps reach 255 instructions at most: through a JA.
    out.push_back({BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, split, 0, 1)});
    out.push_back(stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(below.size())));
  }
  out.insert(out.end(), below.begin(), below.end());
  out.insert(out.end(), above.begin(), above.end());
  return out;
}

// The dispatch for one architecture: its ranges merged where they end alike.
Code dispatch(std::span<const sock_filter> f, uint32_t arch, const std::vector<uint32_t>& bounds) {
  std::vector<Range> ranges;
  for (uint32_t first : bounds) {
    Leaf l = walk(f, arch, first);
    if (ranges.empty() || !(ranges.back().leaf == l)) ranges.push_back({first, l});
  }
  if (ranges.size() == 1) return leafCode(ranges.front().leaf);
  Code out{stmt(BPF_LD | BPF_W | BPF_ABS, kNrOffset)};
  Code tree = search(ranges, 0, ranges.size());
  out.insert(out.end(), tree.begin(), tree.end());
  return out;
}

// Every instruction reachable from the entries, in their order.
std::vector<bool> reachableFrom(std::span<const sock_filter> f, const std::set<uint32_t>& entries) {
  std::vector<bool> keep(f.size(), false);
  for (uint32_t e : entries) keep[e] = true;
  for (size_t pc = 0; pc < f.size(); ++pc) {
    if (!keep[pc]) continue;
    const sock_filter& in = f[pc];
    if (in.code == (BPF_JMP | BPF_JA)) {
      keep[pc + 1 + in.k] = true;
    } else if (isConditional(in.code)) {
      keep[pc + 1 + in.jt] = true;
      keep[pc + 1 + in.jf] = true;
    } else if (BPF_CLASS(in.code) != BPF_RET) {
      keep[pc + 1] = true;
    }
  }
  return keep;
}

bool sameAnswers(std::span<const sock_filter> a, std::span<const sock_filter> b,
                 const std::vector<uint32_t>& arches, const std::vector<uint32_t>& bounds) {
  static constexpr std::array<uint64_t, 4> kArgs = {0, ~0ULL, 0x100000001ULL, 0x7fffffffULL};
  seccomp_data d{};
  for (uint32_t arch : arches) {
    d.arch = arch;
    for (size_t i = 0; i < bounds.size(); ++i) {
      uint32_t last = i + 1 < bounds.size() ? bounds[i + 1] - 1 : UINT32_MAX;
      for (uint32_t nr : {bounds[i], last}) {
        d.nr = static_cast<int>(nr);
        for (uint64_t v : kArgs) {
          std::fill(std::begin(d.args), std::end(d.args), v);
          d.instruction_pointer = v;
          if (runFilter(a, d) != runFilter(b, d)) return false;
        }
      }
    }
  }
  return true;
}

}  // namespace

uint32_t runFilter(std::span<const sock_filter> f, const seccomp_data& d) {
  uint32_t a = 0, x = 0;
  std::array<uint32_t, BPF_MEMWORDS> mem{};
  unsigned char data[sizeof(seccomp_data)];
  std::memcpy(data, &d, sizeof d);
  size_t pc = 0;
  while (pc < f.size()) {
    const sock_filter& in = f[pc];
    uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
    size_t next = pc + 1;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
      case BPF_LDX: {
        uint32_t v;
        uint16_t mode = BPF_MODE(in.code);
        if (mode == BPF_ABS && BPF_SIZE(in.code) == BPF_W) {
          if (in.k % 4 != 0 || in.k >= sizeof data) return kKill;
          std::memcpy(&v, data + in.k, sizeof v);
        } else if (mode == BPF_IMM) {
          v = in.k;
        } else if (mode == BPF_MEM && in.k < BPF_MEMWORDS) {
          v = mem[in.k];
        } else if (mode == BPF_LEN) {
          v = sizeof data;
        } else {
          return kKill;
        }
        (BPF_CLASS(in.code) == BPF_LD ? a : x) = v;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (in.k >= BPF_MEMWORDS) return kKill;
        mem[in.k] = BPF_CLASS(in.code) == BPF_ST ? a : x;
        break;
      case BPF_ALU:
        switch (BPF_OP(in.code)) {
          case BPF_ADD:
            a += src;
            break;
          case BPF_SUB:
            a -= src;
            break;
          case BPF_MUL:
            a *= src;
            break;
          case BPF_DIV:
            if (src == 0) return 0;
            a /= src;
            break;
          case BPF_MOD:
            if (src == 0) return 0;
            a %= src;
            break;
          case BPF_OR:
            a |= src;
            break;
          case BPF_AND:
            a &= src;
            break;
          case BPF_XOR:
            a ^= src;
            break;
          case BPF_LSH:
            a = src >= 32 ? 0 : a << src;
            break;
          case BPF_RSH:
            a = src >= 32 ? 0 : a >> src;
            break;
          case BPF_NEG:
            a = 0 - a;
            break;
          default:
            return kKill;
        }
        break;
      case BPF_JMP: {
        size_t t, e;
        if (BPF_OP(in.code) == BPF_JA) {
          if (!jumpsTo(pc, in.k, f.size(), &t)) return kKill;
          next = t;
          break;
        }
        if (!jumpsTo(pc, in.jt, f.size(), &t) || !jumpsTo(pc, in.jf, f.size(), &e)) return kKill;
        bool taken;
        switch (BPF_OP(in.code)) {
          case BPF_JEQ:
            taken = a == src;
            break;
          case BPF_JGT:
            taken = a > src;
            break;
          case BPF_JGE:
            taken = a >= src;
            break;
          case BPF_JSET:
            taken = (a & src) != 0;
            break;
          default:
            return kKill;
        }
        next = taken ? t : e;
        break;
      }
      case BPF_RET:
        return BPF_RVAL(in.code) == BPF_A ? a : in.k;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX) {
          x = a;
        } else {
          a = x;
        }
        break;
      default:
        return kKill;
    }
    pc = next;
  }
  return kKill;
}

std::optional<std::vector<sock_filter>> compressSyscallDispatch(
    std::span<const sock_filter> filter) {
  if (filter.empty()) return std::nullopt;
  auto s = scan(filter);
  if (!s) return std::nullopt;
  // One architecture the filter does not name stands for all of them.
  uint32_t otherArch = 0;
  while (std::binary_search(s->archValues.begin(), s->archValues.end(), otherArch)) ++otherArch;

  // ld arch; per architecture "jeq ARCH, 0, 1; ja ITS_DISPATCH"; the others' dispatch; then
  // each architecture's.
  Code head{stmt(BPF_LD | BPF_W | BPF_ABS, kArchOffset)};
  std::vector<Code> blocks;
  for (uint32_t arch : s->archValues) blocks.push_back(dispatch(filter, arch, s->nrBounds));
  Code other = dispatch(filter, otherArch, s->nrBounds);
  size_t jumpsAt = head.size();
  for (uint32_t arch : s->archValues) {
    head.push_back({BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 1)});
    head.push_back(stmt(BPF_JMP | BPF_JA, 0));
  }
  head.insert(head.end(), other.begin(), other.end());
  for (size_t i = 0; i < blocks.size(); ++i) {
    size_t ja = jumpsAt + 2 * i + 1;
    head[ja].f.k = static_cast<uint32_t>(head.size() - ja - 1);
    head.insert(head.end(), blocks[i].begin(), blocks[i].end());
  }

  // The tail: the original instructions reachable from where the dispatch jumps in.
  std::set<uint32_t> entries;
  for (const Insn& in : head) {
    if (in.tailTarget >= 0) entries.insert(static_cast<uint32_t>(in.tailTarget));
  }
  std::vector<bool> keep = reachableFrom(filter, entries);
  std::vector<size_t> newIndex(filter.size(), 0);
  size_t tailSize = 0;
  for (size_t pc = 0; pc < filter.size(); ++pc) {
    if (keep[pc]) newIndex[pc] = head.size() + tailSize++;
  }
  size_t total = head.size() + tailSize;
  if (total >= filter.size() || total > BPF_MAXINSNS) return std::nullopt;

  std::vector<sock_filter> out;
  out.reserve(total);
  for (const Insn& in : head) {
    sock_filter f = in.f;
    if (in.tailTarget >= 0) f.k = static_cast<uint32_t>(newIndex[in.tailTarget] - out.size() - 1);
    out.push_back(f);
  }
  for (size_t pc = 0; pc < filter.size(); ++pc) {
    if (!keep[pc]) continue;
    sock_filter f = filter[pc];
    size_t at = out.size();
    if (f.code == (BPF_JMP | BPF_JA)) {
      f.k = static_cast<uint32_t>(newIndex[pc + 1 + f.k] - at - 1);
    } else if (isConditional(f.code)) {
      // Instructions only drop out between a jump and its target: offsets shrink.
      f.jt = static_cast<uint8_t>(newIndex[pc + 1 + f.jt] - at - 1);
      f.jf = static_cast<uint8_t>(newIndex[pc + 1 + f.jf] - at - 1);
    }
    out.push_back(f);
  }

  std::vector<uint32_t> arches = s->archValues;
  arches.push_back(otherArch);
  if (!sameAnswers(filter, out, arches, s->nrBounds)) return std::nullopt;
  return out;
}

}  // namespace berth::runtime::seccomp
