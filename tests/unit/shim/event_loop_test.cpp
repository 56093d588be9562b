#include "shim/event_loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace berth::shim {
namespace {

struct ReadyPipe {
  ReadyPipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    read.reset(p[0]);
    write.reset(p[1]);
    EXPECT_EQ(::write(write.get(), "x", 1), 1);  // readable from now on
  }
  UniqueFd read, write;
};

TEST(EventLoop, CallsTheHandlerOfAReadyFdWithItsEvents) {
  EventLoop loop;
  ASSERT_TRUE(loop.init());
  ReadyPipe p;
  uint32_t seen = 0;
  ASSERT_TRUE(loop.add(p.read.get(), EPOLLIN, [&](uint32_t ev) { seen = ev; }));
  EXPECT_TRUE(loop.watches(p.read.get()));
  ASSERT_TRUE(loop.poll(1000));
  EXPECT_TRUE(seen & EPOLLIN);
}

TEST(EventLoop, RefusesToWatchAnFdTwice) {
  EventLoop loop;
  ASSERT_TRUE(loop.init());
  ReadyPipe p;
  ASSERT_TRUE(loop.add(p.read.get(), EPOLLIN, [](uint32_t) {}));
  auto st = loop.add(p.read.get(), EPOLLIN, [](uint32_t) {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::AlreadyExists);
}

TEST(EventLoop, StopsReportingAnFdWithoutInterest) {
  EventLoop loop;
  ASSERT_TRUE(loop.init());
  ReadyPipe p;
  int calls = 0;
  ASSERT_TRUE(loop.add(p.read.get(), EPOLLIN, [&](uint32_t) { ++calls; }));
  loop.setEvents(p.read.get(), 0);
  ASSERT_TRUE(loop.poll(50));
  EXPECT_EQ(calls, 0);
  loop.setEvents(p.read.get(), EPOLLIN);
  ASSERT_TRUE(loop.poll(1000));
  EXPECT_EQ(calls, 1);
}

TEST(EventLoop, SkipsAHandlerRemovedEarlierInTheSameBatch) {
  EventLoop loop;
  ASSERT_TRUE(loop.init());
  ReadyPipe a, b;
  int calls = 0;
  // Whichever runs first removes the other and frees its fd number for reuse.
  ASSERT_TRUE(loop.add(a.read.get(), EPOLLIN, [&](uint32_t) {
    ++calls;
    loop.remove(b.read.get());
  }));
  ASSERT_TRUE(loop.add(b.read.get(), EPOLLIN, [&](uint32_t) {
    ++calls;
    loop.remove(a.read.get());
  }));
  ASSERT_TRUE(loop.poll(1000));
  EXPECT_EQ(calls, 1);
}

TEST(EventLoop, LetsAHandlerRemoveItselfAndTheFdBeWatchedAgain) {
  EventLoop loop;
  ASSERT_TRUE(loop.init());
  ReadyPipe p;
  int fd = p.read.get();
  int first = 0, second = 0;
  ASSERT_TRUE(loop.add(fd, EPOLLIN, [&](uint32_t) {
    ++first;
    loop.remove(fd);
    EXPECT_TRUE(loop.add(fd, EPOLLIN, [&](uint32_t) { ++second; }));
  }));
  ASSERT_TRUE(loop.poll(1000));
  ASSERT_TRUE(loop.poll(1000));
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace berth::shim
