#include "runtime/state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-state-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  ContainerState sample(const std::string& id) {
    ContainerState s;
    s.id = id;
    s.pid = ::getpid();
    s.pidStartTime = 1;
    s.bundle = "/b";
    s.rootfs = "/b/rootfs";
    s.created = nowRfc3339();
    s.cgroupPath = "/berth/" + id;
    s.spec.ociVersion = "1.0.2";
    s.spec.root.path = "rootfs";
    s.spec.annotations["k"] = "v";
    s.spec.process.emplace();
    s.spec.process->args = {"sh"};
    return s;
  }
  std::string root_;
};

TEST_F(StateStoreTest, ClaimsAnIdOnlyOnce) {
  StateStore store(root_);
  auto first = store.claim("c1");
  ASSERT_TRUE(first) << first.error().what();
  auto second = store.claim("c1");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind(), ErrorKind::AlreadyExists);
}

TEST_F(StateStoreTest, RefusesIdsThatAreNotPlainNames) {
  for (const char* bad : {"", ".", "..", "a/b", "a b", "../x"}) {
    EXPECT_FALSE(StateStore::validateId(bad)) << bad;
  }
  EXPECT_TRUE(StateStore::validateId("web-1_a.b+c"));
}

TEST_F(StateStoreTest, SavesAndLoadsTheState) {
  StateStore store(root_);
  ASSERT_TRUE(store.claim("c2"));
  auto s = sample("c2");
  ASSERT_TRUE(store.save(s));
  auto back = store.load("c2");
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(back->bundle, "/b");
  EXPECT_EQ(back->cgroupPath, "/berth/c2");
  EXPECT_EQ(back->spec.annotations.at("k"), "v");
}

TEST_F(StateStoreTest, StoresTheConfigTextGivenAsItIs) {
  StateStore store(root_);
  ASSERT_TRUE(store.claim("c5"));
  auto s = sample("c5");
  std::string config = dumpJson(oci::specToJson(s.spec), 2) + "\n";  // as a bundle may hold it
  ASSERT_TRUE(store.save(s, config));
  auto back = store.load("c5");
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(back->cgroupPath, "/berth/c5");
  EXPECT_EQ(back->spec.annotations.at("k"), "v");
  EXPECT_EQ(back->spec.process->args, std::vector<std::string>{"sh"});
  auto text = readFile(store.dir("c5") + "/state.json");
  ASSERT_TRUE(text);
  auto j = parseJson(*text, "state.json");
  ASSERT_TRUE(j) << j.error().what();
  EXPECT_EQ((*j)["config"], oci::specToJson(s.spec));
}

TEST_F(StateStoreTest, LoadingAnUnknownIdIsNotFound) {
  StateStore store(root_);
  auto r = store.load("nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::NotFound);
}

TEST_F(StateStoreTest, AProcessThatIsGoneMakesTheContainerStopped) {
  StateStore store(root_);
  auto s = sample("c3");
  s.pidStartTime = 12345;  // not this process's real start time: a recycled pid
  EXPECT_EQ(store.status(s, false), ContainerStatus::Stopped);
}

TEST_F(StateStoreTest, RemoveDeletesTheDirectory) {
  StateStore store(root_);
  ASSERT_TRUE(store.claim("c4"));
  ASSERT_TRUE(store.save(sample("c4")));
  ASSERT_TRUE(store.remove("c4"));
  EXPECT_FALSE(fs::exists(root_ + "/c4"));
  auto ids = store.ids();
  ASSERT_TRUE(ids);
  EXPECT_TRUE(ids->empty());
}

TEST(OciState, OmitsThePidOfAStoppedContainer) {
  ContainerState s;
  s.id = "x";
  s.pid = 42;
  auto j = ociState(s, ContainerStatus::Stopped);
  EXPECT_EQ(j["status"], "stopped");
  EXPECT_FALSE(j.contains("pid"));
  auto r = ociState(s, ContainerStatus::Running);
  EXPECT_EQ(r["pid"], 42);
}

}  // namespace
}  // namespace berth::runtime
