// The cgroup manager for unified (v2) hosts: one directory, controllers enabled down the
// ancestors' cgroup.subtree_control, devices through an eBPF program.

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "runtime/cgroups/internal.h"

namespace berth::runtime::cgroups {
namespace {

constexpr std::string_view kControllers[] = {"cpu", "memory", "pids", "cpuset", "io"};

class V2Manager final : public Manager {
 public:
  V2Manager(Layout layout, std::string path, std::string fsRoot)
      : path_(std::move(path)), fake_(!fsRoot.empty()) {
    fs_.fake = fake_;
    const Hierarchy* h = layout.unifiedHierarchy();
    root_ = fsRoot + (h ? h->mountpoint : std::string("/sys/fs/cgroup"));
    dir_ = root_ + path_;
  }

  Status create() override {
    auto available = fs_.read(root_ + "/cgroup.controllers");
    std::vector<std::string> wanted;
    if (available) {
      auto have = split(*available, ' ', true);
      for (auto c : kControllers)
        if (std::find(have.begin(), have.end(), c) != have.end()) wanted.emplace_back(c);
    } else {
      spdlog::warn("cgroup {}: no controllers enabled: {}", path_, available.error().what());
    }
    // A controller enabled in every ancestor is available in the next level down, so the
    // root's list stands for all levels. The leaf itself enables nothing: a cgroup with
    // processes cannot delegate controllers to children.
    std::string cur = root_;
    for (const auto& part : split(path_, '/', true)) {
      enableControllers(cur, wanted);
      cur += "/" + part;
      TRY_CTX(fs_.mkdirAll(cur), "create cgroup {}", path_);
    }
    return ok();
  }

  Status apply(const oci::Resources& r) override {
    auto writes = TRY_CTX(v2Writes(r), "apply cgroup {}", path_);
    for (const auto& w : writes) {
      std::string file = dir_ + "/" + w.file;
      if (w.file == "memory.swap.max" && !fs_.exists(file)) {
        spdlog::warn("cgroup {}: swap accounting is off on this host; swap limit not set", path_);
        continue;
      }
      TRY_CTX(fs_.write(file, w.value), "apply cgroup {}: set {} to {}", path_, w.file, w.value);
    }
    // A fake tree is not a cgroup2 directory the kernel could attach a program to.
    if (!r.devices.empty() && !fake_) {
      UniqueFd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!fd) return Error::sys(errno, "open {}", dir_).context("apply cgroup devices");
      TRY_CTX(attachV2DeviceFilter(fd.get(), r.devices), "apply cgroup {}: devices", path_);
    }
    return ok();
  }

  Status addProcess(pid_t pid) override {
    TRY_CTX(fs_.write(dir_ + "/cgroup.procs", std::to_string(pid)), "add pid {} to cgroup {}", pid,
            path_);
    return ok();
  }

  Result<SelfJoin> openSelfJoin() override {
    SelfJoin j;
    j.cloneInto = TRY(openCgroupDir(dir_));
    return j;
  }

  Status freeze() override { return setFrozen(true); }
  Status thaw() override { return setFrozen(false); }

  Result<bool> frozen() override {
    auto events = TRY(fs_.read(dir_ + "/cgroup.events"));
    auto m = parseFlatKeyed(events);
    return m.count("frozen") && m["frozen"] == 1;
  }

  Result<std::vector<pid_t>> pids() override { return fs_.procsRecursive(dir_); }

  Result<Stats> stats() override { return TRY_CTX(v2Stats(dir_), "stats of cgroup {}", path_); }

  Status destroy() override {
    TRY_CTX(fs_.removeTree(dir_), "destroy cgroup {}", path_);
    return ok();
  }

  const std::string& path() const override { return path_; }

 private:
  void enableControllers(const std::string& dir, std::vector<std::string>& wanted) const {
    if (wanted.empty()) return;
    std::string file = dir + "/cgroup.subtree_control";
    std::vector<std::string> plus;
    for (const auto& c : wanted) plus.push_back("+" + c);
    if (fs_.write(file, join(plus, " "))) return;
    // One refused controller fails the whole write; find which, keep the rest.
    std::vector<std::string> kept;
    for (const auto& c : wanted) {
      auto st = fs_.write(file, "+" + c);
      if (st) {
        kept.push_back(c);
      } else {
        spdlog::warn("cgroup {}: cannot enable controller {}: {}", path_, c, st.error().what());
      }
    }
    wanted = std::move(kept);
  }

  Status setFrozen(bool freeze) {
    const char* verb = freeze ? "freeze" : "thaw";
    std::string file = dir_ + "/cgroup.freeze";
    if (!fs_.exists(file))
      return Error::make(ErrorKind::NotImplemented, "{} cgroup {}: cgroup.freeze needs Linux 5.2",
                         verb, path_);
    TRY_CTX(fs_.write(file, freeze ? "1" : "0"), "{} cgroup {}", verb, path_);
    for (int i = 0; i < 1000; ++i) {
      if (TRY_CTX(frozen(), "{} cgroup {}", verb, path_) == freeze) return ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    Error e(ErrorKind::Unavailable, fmt::format("{} cgroup {}: timed out", verb, path_));
    if (freeze) {
      if (auto st = fs_.write(file, "0"); !st) e.addCleanupError(st.error());
    }
    return e;
  }

  std::string path_;
  bool fake_;
  CgroupFs fs_;
  std::string root_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Manager> makeV2Manager(Layout layout, std::string path, std::string fsRoot) {
  return std::make_unique<V2Manager>(std::move(layout), std::move(path), std::move(fsRoot));
}

}  // namespace berth::runtime::cgroups
