#include "engine/netns_pool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace berth::engine {
namespace {

ino_t inodeOf(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

ino_t ownNetns() {
  struct stat st {};
  return ::stat("/proc/thread-self/ns/net", &st) == 0 ? st.st_ino : 0;
}

// In a child that joins ns: 0 when loopback is up and IPv6 is off, as Docker's `none` has them.
int checkInside(int ns) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setns(ns, CLONE_NEWNET) != 0) ::_exit(10);
    int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (sock < 0 || ::ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) ::_exit(11);
    if (!(ifr.ifr_flags & IFF_UP)) ::_exit(12);
    for (const char* conf : {"all", "default", "lo"}) {
      std::ifstream in(std::string("/proc/sys/net/ipv6/conf/") + conf + "/disable_ipv6");
      std::string v;
      if (in && (in >> v) && v != "1") ::_exit(13);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(Netns, MadeWithLoopbackUpAndTheCallerBackInItsOwn) {
  ino_t before = ownNetns();
  auto ns = makeNetns();
  ASSERT_TRUE(ns) << ns.error().what();
  EXPECT_EQ(ownNetns(), before);
  EXPECT_NE(inodeOf(ns->get()), before);
  EXPECT_EQ(checkInside(ns->get()), 0);
}

TEST(Netns, ThePoolHandsOutANewOneEachTime) {
  NetnsPool pool(1);
  auto a = pool.take();
  auto b = pool.take();
  ASSERT_TRUE(a) << a.error().what();
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_NE(inodeOf(a->get()), inodeOf(b->get()));
  EXPECT_NE(inodeOf(a->get()), ownNetns());
  EXPECT_EQ(checkInside(b->get()), 0);
}

}  // namespace
}  // namespace berth::engine
