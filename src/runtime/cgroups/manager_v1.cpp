// The cgroup manager for v1 and hybrid hosts: one directory per hierarchy, the limits written
// into the hierarchy of their controller; on hybrid hosts the unified hierarchy only holds the
// processes (its controllers stay with v1).

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/strings.h"
#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

// The v1 controllers a container's processes are placed under; the limits use only some.
constexpr std::string_view kControllers[] = {
    "cpu",   "cpuacct", "cpuset",   "memory",  "pids",       "devices", "freezer",
    "blkio", "net_cls", "net_prio", "hugetlb", "perf_event", "rdma",    "misc"};

class V1Manager final : public Manager {
 public:
  V1Manager(Layout layout, std::string path, std::string fsRoot)
      : layout_(std::move(layout)), path_(std::move(path)), root_(std::move(fsRoot)) {
    fs_.fake = !root_.empty();
    for (const auto& h : layout_.hierarchies) {
      bool used = h.name == "systemd" || (h.unified && layout_.mode == Mode::Hybrid);
      for (auto c : kControllers)
        used =
            used || std::find(h.controllers.begin(), h.controllers.end(), c) != h.controllers.end();
      if (used) used_.push_back(&h);
    }
  }

  Status create() override {
    const Hierarchy* cpuset = layout_.forController("cpuset");
    std::vector<std::string> newCpusetDirs;
    for (const auto* h : used_) {
      auto created = TRY_CTX(fs_.mkdirAll(dirOf(*h)), "create cgroup {}", path_);
      if (h == cpuset) newCpusetDirs = std::move(created);
    }
    if (cpuset) TRY_CTX(fillCpuset(*cpuset, newCpusetDirs), "create cgroup {}", path_);
    return ok();
  }

  Status apply(const oci::Resources& r) override {
    auto writes = TRY_CTX(v1Writes(r), "apply cgroup {}", path_);
    if (r.memory && (r.memory->kernel || r.memory->kernelTCP))
      spdlog::warn("cgroup {}: kernel memory limits are deprecated and ignored", path_);
    orderMemoryWrites(writes);
    ControlFileWriter out(fs_);
    for (size_t i = 0; i < writes.size(); ++i) {
      const Write& w = writes[i];
      const Hierarchy* h = layout_.forController(w.controller);
      if (!h) {
        spdlog::warn("cgroup {}: controller {} is not mounted; {} not set", path_, w.controller,
                     w.file);
        continue;
      }
      std::string file = dirOf(*h) + "/" + w.file;
      if (w.file == "memory.memsw.limit_in_bytes" && !fs_.exists(file)) {
        spdlog::warn("cgroup {}: swap accounting is off on this host; swap limit not set", path_);
        continue;
      }
      auto st = out.write(file, w.value);
      if (!st && st.error().sysErrno() == EINVAL && w.file == "cpu.cfs_period_us" &&
          i + 1 < writes.size() && writes[i + 1].file == "cpu.cfs_quota_us") {
        // A shorter period can make the current quota exceed what the parent allows; the
        // new quota first then fits (runc retries in this order too).
        TRY_CTX(out.write(dirOf(*h) + "/cpu.cfs_quota_us", writes[i + 1].value),
                "apply cgroup {}: set cpu.cfs_quota_us to {}", path_, writes[i + 1].value);
        st = out.write(file, w.value);
        ++i;
      }
      if (!st)
        return std::move(st).error().context(
            fmt::format("apply cgroup {}: set {} to {}", path_, w.file, w.value));
    }
    return ok();
  }

  Status addProcess(pid_t pid) override {
    for (const auto* h : used_)
      TRY_CTX(fs_.write(dirOf(*h) + "/cgroup.procs", std::to_string(pid)), "add pid {} to cgroup",
              pid);
    return ok();
  }

  Result<SelfJoin> openSelfJoin() override {
    SelfJoin j;
    for (const auto* h : used_) {
      if (h->unified) {
        j.cloneInto = TRY(openCgroupDir(dirOf(*h)));
      } else {
        std::string file = dirOf(*h) + "/tasks";
        UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd) return Error::sys(errno, "open {}", file);
        j.tasks.push_back(std::move(fd));
      }
    }
    return j;
  }

  Status freeze() override {
    std::string state = TRY(freezerState());
    TRY_CTX(fs_.write(state, "FROZEN"), "freeze cgroup {}", path_);
    // FREEZING lasts until every task has stopped; tasks forked meanwhile need the write again.
    for (int i = 1; i <= 1000; ++i) {
      auto now = TRY_CTX(fs_.read(state), "freeze cgroup {}", path_);
      if (now == "FROZEN") return ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (i % 50 == 0) TRY_CTX(fs_.write(state, "FROZEN"), "freeze cgroup {}", path_);
    }
    Error e(ErrorKind::Unavailable, fmt::format("freeze cgroup {}: timed out", path_));
    if (auto st = fs_.write(state, "THAWED"); !st) e.addCleanupError(st.error());
    return e;
  }

  Status thaw() override {
    std::string state = TRY(freezerState());
    TRY_CTX(fs_.write(state, "THAWED"), "thaw cgroup {}", path_);
    return ok();
  }

  Result<bool> frozen() override {
    if (!layout_.forController("freezer")) return false;
    auto now = TRY(fs_.read(TRY(freezerState())));
    return now == "FROZEN";
  }

  Result<std::vector<pid_t>> pids() override {
    for (auto c : {"freezer", "pids", "memory"})
      if (const auto* h = layout_.forController(c)) return fs_.procsRecursive(dirOf(*h));
    if (used_.empty()) return std::vector<pid_t>{};
    return fs_.procsRecursive(dirOf(*used_.front()));
  }

  Result<Stats> stats() override {
    return TRY_CTX(v1Stats([&](std::string_view c) -> std::string {
                     const Hierarchy* h = layout_.forController(c);
                     return h ? dirOf(*h) : std::string();
                   }),
                   "stats of cgroup {}", path_);
  }

  Status destroy() override {
    Status result;
    for (const auto* h : used_) {
      auto st = fs_.removeTree(dirOf(*h));
      if (st) continue;
      if (result)
        result = std::move(st).error().context(fmt::format("destroy cgroup {}", path_));
      else
        result.error().addCleanupError(st.error());
    }
    return result;
  }

  const std::string& path() const override { return path_; }

 private:
  std::string dirOf(const Hierarchy& h) const { return root_ + h.mountpoint + path_; }

  Result<std::string> freezerState() const {
    const Hierarchy* h = layout_.forController("freezer");
    if (!h)
      return Error::make(ErrorKind::FailedPrecondition, "cgroup {}: freezer is not mounted", path_);
    return dirOf(*h) + "/freezer.state";
  }

  // A new v1 cpuset cgroup starts with empty cpus and mems, and a process cannot join it
  // (ENOSPC) until they are set: copy them down from the parent, level by level, as runc does.
  // A level we have just created is filled without a look (with clone_children it already holds
  // the parent's values, which the write repeats); the values go down from level to level.
  Status fillCpuset(const Hierarchy& h, const std::vector<std::string>& created) const {
    std::string parent = root_ + h.mountpoint;
    std::string known[2];  // the parent's cpus and mems, once read or written
    const char* files[2] = {"cpuset.cpus", "cpuset.mems"};
    for (const auto& part : split(path_, '/', true)) {
      std::string cur = parent + "/" + part;
      bool isNew = std::find(created.begin(), created.end(), cur) != created.end();
      for (int i = 0; i < 2; ++i) {
        if (!isNew) {
          auto value = fs_.read(cur + "/" + files[i]);
          if (value && !value->empty()) {
            known[i] = std::move(*value);
            continue;
          }
        }
        if (known[i].empty()) known[i] = TRY(fs_.read(parent + "/" + files[i]));
        TRY(fs_.write(cur + "/" + files[i], known[i]));
      }
      parent = cur;
    }
    return ok();
  }

  // The kernel keeps memory.memsw.limit_in_bytes >= memory.limit_in_bytes after every write.
  // v1Writes puts the limit first, which is right when lowering; when the new memsw value is
  // above the current limit (raising both, or memsw unlimited) memsw must go first. runc's rule.
  void orderMemoryWrites(std::vector<Write>& writes) const {
    auto find = [&](std::string_view file) {
      return std::find_if(writes.begin(), writes.end(),
                          [&](const Write& w) { return w.file == file; });
    };
    auto limit = find("memory.limit_in_bytes");
    auto memsw = find("memory.memsw.limit_in_bytes");
    if (limit == writes.end() || memsw == writes.end() || memsw < limit) return;
    const Hierarchy* h = layout_.forController("memory");
    if (!h) return;
    bool swapFirst = memsw->value == "-1";
    if (!swapFirst) {
      auto current = fs_.read(dirOf(*h) + "/memory.limit_in_bytes");
      auto cur =
          current ? parseUint(*current, "memory.limit_in_bytes") : Result<unsigned long long>(0ULL);
      auto next = parseUint(memsw->value, "memsw");
      swapFirst = cur && next && *cur < *next;
    }
    if (swapFirst) std::rotate(limit, memsw, memsw + 1);
  }

  Layout layout_;
  std::string path_;
  std::string root_;
  CgroupFs fs_;
  std::vector<const Hierarchy*> used_;
};

}  // namespace

std::unique_ptr<Manager> makeV1Manager(Layout layout, std::string path, std::string fsRoot) {
  return std::make_unique<V1Manager>(std::move(layout), std::move(path), std::move(fsRoot));
}

}  // namespace berth::runtime::cgroups
