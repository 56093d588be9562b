#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/client.h"
#include "shim/frame.h"
#include "shim/process_io.h"

namespace berth::shim {
namespace {

struct SocketPair {
  SocketPair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    ours.reset(sv[0]);
    peer.reset(sv[1]);
  }
  std::string drain() {
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(peer.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  UniqueFd ours, peer;
};

TEST(Client, WritesQueuedRepliesAndFrames) {
  SocketPair sp;
  Client c(std::move(sp.ours));
  c.queue("ok\n");
  c.queueFrame(kFrameStderr, "err");
  EXPECT_TRUE(c.flush(1));
  EXPECT_EQ(c.pending(), 0u);
  EXPECT_EQ(c.stalledSinceMs(), 0);
  std::string expect = "ok\n";
  appendFrame(expect, kFrameStderr, "err");
  EXPECT_EQ(sp.drain(), expect);
}

TEST(Client, KeepsWhatTheSocketRefusesAndRecordsSinceWhenItIsStuck) {
  SocketPair sp;
  Client c(std::move(sp.ours));
  std::string chunk(64 * 1024, 'x');
  for (int i = 0; i < 64; ++i) c.queueFrame(kFrameStdout, chunk);  // more than a socket holds
  EXPECT_TRUE(c.flush(100));
  EXPECT_GT(c.pending(), 0u);
  EXPECT_EQ(c.stalledSinceMs(), 100);
  EXPECT_TRUE(c.flush(200));  // no progress: still stuck since 100
  EXPECT_EQ(c.stalledSinceMs(), 100);
  size_t before = c.pending();
  sp.drain();
  EXPECT_TRUE(c.flush(300));  // progress
  EXPECT_LT(c.pending(), before);
  EXPECT_EQ(c.stalledSinceMs(), 300);
  while (c.pending() > 0) {
    sp.drain();
    ASSERT_TRUE(c.flush(400));
  }
  EXPECT_EQ(c.stalledSinceMs(), 0);
}

TEST(Client, ReportsAPeerThatWentAway) {
  SocketPair sp;
  Client c(std::move(sp.ours));
  sp.peer.reset();
  c.queue("ok\n");
  EXPECT_FALSE(c.flush(1));
  EXPECT_TRUE(c.dead);
}

struct NonBlockingPipe {
  NonBlockingPipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    read.reset(p[0]);
    write.reset(p[1]);
  }
  UniqueFd read, write;
};

TEST(Sink, QueuesWhatAFullPipeRefusesAndWritesItLater) {
  NonBlockingPipe p;
  Sink s(std::move(p.write), false);
  std::string big(256 * 1024, 'i');
  s.write(big);
  EXPECT_TRUE(s.hasPending());
  EXPECT_FALSE(s.hasRoom());
  std::string got;
  char buf[65536];
  while (got.size() < big.size()) {
    ssize_t n = ::read(p.read.get(), buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    s.flush();
  }
  EXPECT_EQ(got, big);
  EXPECT_FALSE(s.hasPending());
  EXPECT_TRUE(s.hasRoom());
}

TEST(Sink, EndsAPipeOnceItsQueueIsWritten) {
  NonBlockingPipe p;
  Sink s(std::move(p.write), false);
  s.write("last words");
  s.end();
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.hasRoom());
}

TEST(Sink, KeepsAPtyOpenAtEndOfInput) {
  NonBlockingPipe p;
  Sink s(std::move(p.write), true);
  s.end();
  EXPECT_FALSE(s.done());
}

TEST(Sink, IsDoneAfterItsReaderWentAway) {
  NonBlockingPipe p;
  Sink s(std::move(p.write), false);
  p.read.reset();
  ::signal(SIGPIPE, SIG_IGN);
  s.write("nobody reads this");
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.hasPending());
}

}  // namespace
}  // namespace berth::shim
