// console-recv: the receiving end of the runtime's --console-socket. It listens on a unix
// socket, takes one connection, receives the pty master over SCM_RIGHTS (as runc's
// recvtty does), optionally types INPUT into it, and copies everything the container writes
// to stdout until the last slave closes.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace testbin {
namespace {

int fail(const char* what) {
  fprintf(stderr, "testbin console-recv: %s: %s\n", what, strerror(errno));
  return 1;
}

// Receives one fd sent with SCM_RIGHTS on `conn`, or -1.
int receiveFd(int conn) {
  char data[4096];
  struct iovec iov {
    data, sizeof data
  };
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  errno = EBADMSG;
  return -1;
}

}  // namespace

int cmdConsoleRecv(Args args) {
  if (!args[0]) return 2;
  std::string path = args[0];
  std::string tmp = path + ".tmp";
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail("socket");
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (tmp.size() >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return fail("socket path");
  }
  strcpy(addr.sun_path, tmp.c_str());
  unlink(tmp.c_str());
  if (bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return fail("bind");
  if (listen(sock, 1) < 0) return fail("listen");
  // Renamed into place only once listening, so a waiter that sees the path can connect at once.
  if (rename(tmp.c_str(), path.c_str()) < 0) return fail("rename");
  int conn = accept4(sock, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return fail("accept");
  int master = receiveFd(conn);
  if (master < 0) return fail("recvmsg");
  close(conn);
  close(sock);
  unlink(path.c_str());
  if (args[1]) {
    std::string input = args[1];
    if (write(master, input.data(), input.size()) < 0) return fail("write input");
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EIO once every slave fd is closed
    if (write(STDOUT_FILENO, buf, n) < 0) return fail("write stdout");
  }
  return 0;
}

}  // namespace testbin
