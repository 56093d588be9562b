#include "engine/netns_pool.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/file.h"
#include "base/log.h"

namespace berth::engine {
namespace {

constexpr const char* kOwnNetns = "/proc/thread-self/ns/net";

// In the new namespace: IPv6 off and loopback up, as Docker's `none` network has them.
Result<UniqueFd> prepare() {
  // Before loopback comes up, so that ::1 never appears. A kernel without IPv6 has no files.
  for (const char* conf : {"all", "default", "lo"}) {
    std::string path = std::string("/proc/sys/net/ipv6/conf/") + conf + "/disable_ipv6";
    if (::access(path.c_str(), F_OK) != 0) continue;
    TRY(writeFile(path, "1"));
  }
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return Error::sys(errno, "socket");
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) return Error::sys(errno, "get flags of lo");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) != 0) return Error::sys(errno, "bring lo up");
  UniqueFd ns(::open(kOwnNetns, O_RDONLY | O_CLOEXEC));
  if (!ns) return Error::sys(errno, "open {}", kOwnNetns);
  return ns;
}

}  // namespace

Result<UniqueFd> makeNetns() {
  UniqueFd own(::open(kOwnNetns, O_RDONLY | O_CLOEXEC));
  if (!own) return Error::sys(errno, "open {}", kOwnNetns);
  if (::unshare(CLONE_NEWNET) != 0) return Error::sys(errno, "unshare network namespace");
  auto made = prepare();
  if (::setns(own.get(), CLONE_NEWNET) != 0) {
    return Error::sys(errno, "return to the daemon's network namespace");
  }
  return made;
}

NetnsPool::~NetnsPool() {
  {
    std::lock_guard g(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (filler_.joinable()) filler_.join();
}

void NetnsPool::fillerPriority(bool urgent) {
  // Ahead of need, a namespace is made only when a CPU has nothing else to run; a start that
  // waits for one has it made at the normal priority.
  if (fillerTid_ == 0) return;  // the thread sets it when it starts
  struct sched_param param = {};
  (void)::sched_setscheduler(fillerTid_, urgent ? SCHED_OTHER : SCHED_IDLE, &param);
}

void NetnsPool::run() {
  std::unique_lock lk(mu_);
  fillerTid_ = ::gettid();
  fillerPriority(urgent_);
  for (;;) {
    cv_.wait(lk, [&] { return closing_ || ready_.size() < ahead_; });
    if (closing_) return;
    lk.unlock();
    auto ns = makeNetns();
    lk.lock();
    if (!ns) {
      // This thread may be stuck in the new namespace: it makes no more.
      broken_ = std::move(ns).error();
      spdlog::warn("network namespaces: {}; the runtime makes them", broken_->what());
      cv_.notify_all();
      return;
    }
    ready_.push_back(std::move(*ns));
    if (urgent_) {
      urgent_ = false;
      fillerPriority(false);
    }
    cv_.notify_all();
  }
}

void NetnsPool::startLocked() {
  if (!filler_.joinable()) filler_ = std::thread([this] { run(); });
}

void NetnsPool::start() {
  std::lock_guard g(mu_);
  startLocked();
}

Result<UniqueFd> NetnsPool::take() {
  std::unique_lock lk(mu_);
  startLocked();
  if (ready_.empty() && !broken_ && !urgent_) {
    urgent_ = true;
    fillerPriority(true);
  }
  if (!cv_.wait_for(lk, std::chrono::seconds(10), [&] { return !ready_.empty() || broken_; })) {
    return Error(ErrorKind::Unavailable, "no network namespace was made in 10 s");
  }
  if (ready_.empty()) return *broken_;
  UniqueFd ns = std::move(ready_.front());
  ready_.pop_front();
  cv_.notify_all();  // the thread makes the next one
  return ns;
}

}  // namespace berth::engine
