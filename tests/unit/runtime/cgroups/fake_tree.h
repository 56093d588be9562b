#pragma once
// A temporary directory standing in for /sys/fs/cgroup in manager tests.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace berth::runtime::cgroups::testing {

class FakeTree {
 public:
  FakeTree() {
    char tmpl[] = "/tmp/berth-cgroups-test-XXXXXX";
    root_ = ::mkdtemp(tmpl);
  }
  ~FakeTree() { std::filesystem::remove_all(root_); }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  const std::string& root() const { return root_; }
  // Writes root()/rel, creating its directories.
  void write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = root_ + rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }
  // The content of root()/rel, "<absent>" when there is no such file.
  std::string read(const std::string& rel) const {
    std::ifstream in(root_ + rel);
    if (!in) return "<absent>";
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool exists(const std::string& rel) const { return std::filesystem::exists(root_ + rel); }

 private:
  std::string root_;
};

}  // namespace berth::runtime::cgroups::testing
