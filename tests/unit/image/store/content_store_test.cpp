#include "image/content_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "base/file.h"
#include "temp_dir.h"

namespace berth::image {
namespace {

std::string randomBytes(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

std::vector<std::string> entries(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return {"<opendir failed>"};
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(d);
  return out;
}

class ContentStoreTest : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    store_ = reopen();
  }

  std::unique_ptr<ContentStore> reopen() {
    auto s = openContentStore(dir());
    EXPECT_TRUE(s) << (s ? "" : s.error().what());
    return s ? std::move(*s) : nullptr;
  }

  std::string ingestDir() const { return dir() + "/blobs/ingest"; }

  std::unique_ptr<ContentStore::Writer> newWriter() {
    auto w = store_->writer();
    EXPECT_TRUE(w) << (w ? "" : w.error().what());
    return w ? std::move(*w) : nullptr;
  }

  std::unique_ptr<ContentStore> store_;
};

TEST_F(ContentStoreTest, OpenCreatesTheBlobAndIngestDirectories) {
  struct stat st;
  ASSERT_EQ(::stat((dir() + "/blobs/sha256").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_EQ(::stat(ingestDir().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(ContentStoreTest, PutStoresAReadOnlyBlobNamedByItsDigest) {
  auto d = store_->put("hello world\n");
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(d->str(), "sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447");
  EXPECT_EQ(store_->blobPath(*d), dir() + "/blobs/sha256/" + d->hex());
  struct stat st;
  ASSERT_EQ(::stat(store_->blobPath(*d).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0444u);
  EXPECT_EQ(*readFile(store_->blobPath(*d)), "hello world\n");
}

TEST_F(ContentStoreTest, HasSizeOpenAndReadSeeAStoredBlob) {
  Digest d = *store_->put("abcdef");
  EXPECT_TRUE(store_->has(d));
  EXPECT_EQ(*store_->size(d), 6);
  auto fd = store_->open(d);
  ASSERT_TRUE(fd);
  char buf[16];
  EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 6);
  EXPECT_EQ(*store_->read(d), "abcdef");
}

TEST_F(ContentStoreTest, MissingBlobIsNotFoundEverywhere) {
  Digest d = sha256Of("absent");
  EXPECT_FALSE(store_->has(d));
  EXPECT_FALSE(store_->has(Digest()));
  auto size = store_->size(d);
  ASSERT_FALSE(size);
  EXPECT_EQ(size.error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(store_->open(d).error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(store_->read(d).error().kind(), ErrorKind::NotFound);
  EXPECT_NE(store_->read(d).error().what().find(d.str()), std::string::npos);
}

TEST_F(ContentStoreTest, ReadRefusesABlobOverMaxSize) {
  Digest d = *store_->put(std::string(1000, 'x'));
  auto r = store_->read(d, 999);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(store_->read(d, 1000)->size(), 1000u);
}

TEST_F(ContentStoreTest, PutIsIdempotent) {
  Digest a = *store_->put("same");
  Digest b = *store_->put("same", a);
  EXPECT_EQ(a, b);
  EXPECT_EQ(store_->list()->size(), 1u);
  EXPECT_TRUE(entries(ingestDir()).empty());
}

TEST_F(ContentStoreTest, PutWithAWrongExpectedDigestStoresNothing) {
  Digest wrong = sha256Of("other");
  auto r = store_->put("data", wrong);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(r.error().message(),
            "digest mismatch: expected " + wrong.str() + ", got " + sha256Of("data").str());
  EXPECT_TRUE(store_->list()->empty());
  EXPECT_TRUE(entries(ingestDir()).empty());
}

TEST_F(ContentStoreTest, PutOfAnEmptyBlobWorks) {
  auto d = store_->put("");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(*store_->size(*d), 0);
}

TEST_F(ContentStoreTest, ListReturnsSortedDigestsAndIgnoresStrayNames) {
  Digest a = *store_->put("a"), b = *store_->put("b"), c = *store_->put("c");
  ASSERT_TRUE(writeFileAtomic(dir() + "/blobs/sha256/not-a-digest", "junk"));
  auto l = store_->list();
  ASSERT_TRUE(l);
  std::vector<Digest> want{a, b, c};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*l, want);
}

TEST_F(ContentStoreTest, RemoveDeletesTheBlobAndAbsentIsNotAnError) {
  Digest d = *store_->put("bye");
  ASSERT_TRUE(store_->remove(d));
  EXPECT_FALSE(store_->has(d));
  EXPECT_TRUE(store_->remove(d));
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(ContentStoreTest, WriterStreamsOddChunkSizes) {
  std::string data = randomBytes((3 << 20) + 7, 1);
  auto w = newWriter();
  size_t sizes[] = {1, 7, 4093, 65537, 1 << 20, 3, 999983};
  size_t off = 0;
  for (int i = 0; off < data.size(); ++i) {
    size_t n = std::min(sizes[i % std::size(sizes)], data.size() - off);
    ASSERT_TRUE(w->write(data.data() + off, n));
    off += n;
  }
  EXPECT_EQ(w->size(), static_cast<int64_t>(data.size()));
  auto d = w->commit(sha256Of(data), static_cast<int64_t>(data.size()));
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(*d, sha256Of(data));
  EXPECT_EQ(*store_->read(*d), data);
  EXPECT_TRUE(entries(ingestDir()).empty());
}

TEST_F(ContentStoreTest, WriterFromAPipeCopiesToEof) {
  std::string data = randomBytes((5 << 20) + 13, 2);
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  std::thread feeder([&] {
    // Odd-sized writes so the reader sees short reads.
    size_t off = 0;
    while (off < data.size()) {
      size_t n = std::min<size_t>(70001, data.size() - off);
      if (::write(p[1], data.data() + off, n) != static_cast<ssize_t>(n)) break;
      off += n;
    }
    ::close(p[1]);
  });
  auto w = newWriter();
  auto n = w->writeFrom(p[0]);
  feeder.join();
  ::close(p[0]);
  ASSERT_TRUE(n) << n.error().what();
  EXPECT_EQ(*n, static_cast<int64_t>(data.size()));
  auto d = w->commit(sha256Of(data));
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(*store_->read(*d), data);
}

TEST_F(ContentStoreTest, WriterFromFdStopsAfterNBytes) {
  std::string path = dir() + "/src";
  ASSERT_TRUE(writeFileAtomic(path, "0123456789"));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  auto w = newWriter();
  EXPECT_EQ(*w->writeFrom(fd.get(), 4), 4);
  ASSERT_TRUE(w->write(std::string_view("-")));
  EXPECT_EQ(*w->writeFrom(fd.get(), 100), 6);  // up to n: EOF first
  EXPECT_EQ(*w->writeFrom(fd.get()), 0);
  auto d = w->commit({}, 11);
  ASSERT_TRUE(d);
  EXPECT_EQ(*store_->read(*d), "0123-456789");
}

TEST_F(ContentStoreTest, DigestMismatchLeavesNoBlobAndNoIngestFile) {
  auto w = newWriter();
  ASSERT_TRUE(w->write(std::string_view("actual bytes")));
  EXPECT_EQ(entries(ingestDir()).size(), 1u);
  Digest expected = sha256Of("expected bytes");
  auto d = w->commit(expected);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(d.error().message(), "digest mismatch: expected " + expected.str() + ", got " +
                                     sha256Of("actual bytes").str());
  EXPECT_TRUE(store_->list()->empty());
  EXPECT_FALSE(store_->has(expected));
  EXPECT_TRUE(entries(ingestDir()).empty());
}

TEST_F(ContentStoreTest, SizeMismatchLeavesNoBlobAndNoIngestFile) {
  auto w = newWriter();
  ASSERT_TRUE(w->write(std::string_view("12345")));
  auto d = w->commit(sha256Of("12345"), 6);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(d.error().message().find("size mismatch"), std::string::npos);
  EXPECT_TRUE(store_->list()->empty());
  EXPECT_TRUE(entries(ingestDir()).empty());
}

TEST_F(ContentStoreTest, DroppedWriterLeavesNoIngestFile) {
  {
    auto w = newWriter();
    ASSERT_TRUE(w->write(std::string_view("abandoned")));
    EXPECT_EQ(entries(ingestDir()).size(), 1u);
  }
  EXPECT_TRUE(entries(ingestDir()).empty());
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(ContentStoreTest, CommitOfABlobAlreadyPresentReturnsItsDigest) {
  Digest d = *store_->put("present");
  auto w = newWriter();
  ASSERT_TRUE(w->write(std::string_view("present")));
  auto again = w->commit(d, 7);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, d);
  EXPECT_TRUE(entries(ingestDir()).empty());
  EXPECT_EQ(*store_->read(d), "present");
}

TEST_F(ContentStoreTest, WriterIsFinishedAfterCommit) {
  auto w = newWriter();
  ASSERT_TRUE(w->write(std::string_view("x")));
  ASSERT_TRUE(w->commit());
  auto again = w->write(std::string_view("y"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::FailedPrecondition);
  EXPECT_FALSE(w->commit());
}

TEST_F(ContentStoreTest, WriterFromABadFdFailsAndCannotCommit) {
  auto w = newWriter();
  ASSERT_TRUE(w->write(std::string_view("x")));
  auto n = w->writeFrom(-1);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().what().find("read fd -1"), std::string::npos);
  EXPECT_FALSE(w->commit());
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(ContentStoreTest, OpenRemovesIngestFilesACrashLeftBehind) {
  ASSERT_TRUE(writeFileAtomic(ingestDir() + "/leftover1", "partial"));
  ASSERT_TRUE(writeFileAtomic(ingestDir() + "/leftover2", "partial"));
  auto s = reopen();
  EXPECT_TRUE(entries(ingestDir()).empty());
}

TEST_F(ContentStoreTest, OpenKeepsTheIngestFileOfALiveWriter) {
  auto w = newWriter();
  ASSERT_TRUE(w->write(std::string_view("in flight")));
  auto other = reopen();  // another process starting up does this too
  EXPECT_EQ(entries(ingestDir()).size(), 1u);
  auto d = w->commit(sha256Of("in flight"));
  ASSERT_TRUE(d) << d.error().what();
  EXPECT_EQ(*other->read(*d), "in flight");
}

TEST_F(ContentStoreTest, ConcurrentWritersOfTheSameBlobBothSucceed) {
  std::string data = randomBytes(4 << 20, 3);
  Digest want = sha256Of(data);
  Result<Digest> r1 = Digest(), r2 = Digest();
  std::thread t1([&] { r1 = store_->put(data, want); });
  std::thread t2([&] {
    auto w = store_->writer();
    if (!w) {
      r2 = w.error();
      return;
    }
    for (size_t off = 0; off < data.size(); off += 65536)
      (void)(*w)->write(data.data() + off, 65536);
    r2 = (*w)->commit(want);
  });
  t1.join();
  t2.join();
  ASSERT_TRUE(r1) << r1.error().what();
  ASSERT_TRUE(r2) << r2.error().what();
  EXPECT_EQ(*r1, want);
  EXPECT_EQ(*r2, want);
  EXPECT_EQ(*store_->read(want, 8 << 20), data);
  EXPECT_TRUE(entries(ingestDir()).empty());
}

// The child opens its own store, writes half the blob and waits to be killed.
TEST_F(ContentStoreTest, AWriterKilledHalfWayLeavesNothingVisibleAfterReopen) {
  std::string data = randomBytes(8 << 20, 4);
  Digest want = sha256Of(data);
  int ready[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = openContentStore(dir());
    if (!s) ::_exit(2);
    auto w = (*s)->writer();
    if (!w || !(*w)->write(data.data(), data.size() / 2)) ::_exit(3);
    (void)!::write(ready[1], "x", 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  // The half-written file is there now, and its writer is alive.
  EXPECT_EQ(entries(ingestDir()).size(), 1u);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(entries(ingestDir()).size(), 1u);  // a crash leaves it behind...

  store_ = reopen();  // ...and the next open removes it
  EXPECT_TRUE(entries(ingestDir()).empty());
  EXPECT_FALSE(store_->has(want));
  EXPECT_TRUE(store_->list()->empty());
}

TEST_F(ContentStoreTest, TwoProcessesPuttingTheSameBlobBothSucceed) {
  std::string data = randomBytes(16 << 20, 5);
  Digest want = sha256Of(data);
  int go[2];
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  pid_t pids[2];
  for (pid_t& pid : pids) {
    pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(go[1]);
      char c;
      (void)!::read(go[0], &c, 1);  // both start together when the parent closes the pipe
      // Each opens its own store (and so runs the stale-ingest cleanup) while the other writes.
      for (int i = 0; i < 3; ++i) {
        auto s = openContentStore(dir());
        if (!s) ::_exit(2);
        auto w = (*s)->writer();
        if (!w) ::_exit(3);
        for (size_t off = 0; off < data.size(); off += 1 << 20)
          if (!(*w)->write(data.data() + off, 1 << 20)) ::_exit(4);
        auto d = (*w)->commit(want, static_cast<int64_t>(data.size()));
        if (!d || *d != want) ::_exit(5);
        if (i == 1 && !(*s)->remove(want)) ::_exit(6);
      }
      ::_exit(0);
    }
  }
  ::close(go[0]);
  ::close(go[1]);
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }
  EXPECT_EQ(*store_->read(want, 32 << 20), data);
  EXPECT_TRUE(entries(ingestDir()).empty());
}

}  // namespace
}  // namespace berth::image
