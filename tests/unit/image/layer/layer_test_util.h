#pragma once
// Helpers for the layer tests: tars built in memory with libarchive's writer, read back into
// plain structs, fed to unpackLayer through a memfd, and a fixture that keeps the layer directory
// two levels below a temp dir under /var/tmp with canary files beside it, to prove that a
// hostile tar wrote nothing outside.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/unique_fd.h"

namespace berth::image::testing {

struct TarEntry {
  std::string name;
  mode_t type = AE_IFREG;
  mode_t perm = 0644;
  std::string data;
  std::string symlink;
  std::string hardlink;
  int64_t uid = 0, gid = 0;
  time_t mtime = 1600000000;
  long mtimeNsec = 0;
  bool hasAtime = false;
  time_t atime = 0;
  unsigned devMajor = 0, devMinor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class TarBuilder {
 public:
  TarBuilder& dir(const std::string& name, mode_t perm = 0755) { return add(name, AE_IFDIR, perm); }
  TarBuilder& file(const std::string& name, const std::string& data, mode_t perm = 0644) {
    add(name, AE_IFREG, perm);
    entries_.back().data = data;
    return *this;
  }
  TarBuilder& symlink(const std::string& name, const std::string& target) {
    add(name, AE_IFLNK, 0777);
    entries_.back().symlink = target;
    return *this;
  }
  TarBuilder& hardlink(const std::string& name, const std::string& target) {
    add(name, AE_IFREG, 0644);
    entries_.back().hardlink = target;
    return *this;
  }
  TarBuilder& device(const std::string& name, mode_t type, unsigned maj, unsigned min,
                     mode_t perm = 0600) {
    add(name, type, perm);
    entries_.back().devMajor = maj;
    entries_.back().devMinor = min;
    return *this;
  }
  TarBuilder& fifo(const std::string& name, mode_t perm = 0644) {
    return add(name, AE_IFIFO, perm);
  }
  // Modifiers of the last entry added.
  TarBuilder& owner(int64_t uid, int64_t gid) {
    entries_.back().uid = uid;
    entries_.back().gid = gid;
    return *this;
  }
  TarBuilder& times(time_t mtime, long nsec = 0) {
    entries_.back().mtime = mtime;
    entries_.back().mtimeNsec = nsec;
    return *this;
  }
  TarBuilder& atime(time_t atime) {
    entries_.back().hasAtime = true;
    entries_.back().atime = atime;
    return *this;
  }
  TarBuilder& xattr(const std::string& key, const std::string& value) {
    entries_.back().xattrs.emplace_back(key, value);
    return *this;
  }

  // The tar (full pax, so atime and sub-second mtimes travel), through `filter` when given
  // ("gzip", "zstd").
  std::string build(const char* filter = nullptr) const {
    std::string out;
    archive* a = archive_write_new();
    archive_write_set_format_pax(a);
    if (filter != nullptr) {
      EXPECT_EQ(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
    }
    // No padding after the end: the compressed and the plain build then hold the same tar (and
    // libarchive would pad a zstd stream with zeros that are no zstd frame).
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open2(a, &out, nullptr, &TarBuilder::append, nullptr, nullptr);
    archive_entry* e = archive_entry_new();
    for (const auto& t : entries_) {
      archive_entry_clear(e);
      archive_entry_copy_pathname(e, t.name.c_str());
      archive_entry_set_filetype(e, t.type);
      archive_entry_set_perm(e, t.perm);
      archive_entry_set_uid(e, t.uid);
      archive_entry_set_gid(e, t.gid);
      archive_entry_set_mtime(e, t.mtime, t.mtimeNsec);
      if (t.hasAtime) archive_entry_set_atime(e, t.atime, 0);
      if (!t.symlink.empty()) archive_entry_copy_symlink(e, t.symlink.c_str());
      if (!t.hardlink.empty()) archive_entry_copy_hardlink(e, t.hardlink.c_str());
      if (t.type == AE_IFCHR || t.type == AE_IFBLK) {
        archive_entry_set_rdevmajor(e, t.devMajor);
        archive_entry_set_rdevminor(e, t.devMinor);
      }
      for (const auto& [k, v] : t.xattrs) {
        archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
      }
      archive_entry_set_size(
          e, t.type == AE_IFREG && t.hardlink.empty() ? static_cast<int64_t>(t.data.size()) : 0);
      EXPECT_GE(archive_write_header(a, e), ARCHIVE_WARN) << archive_error_string(a);
      if (!t.data.empty()) archive_write_data(a, t.data.data(), t.data.size());
    }
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    return out;
  }

 private:
  TarBuilder& add(const std::string& name, mode_t type, mode_t perm) {
    TarEntry t;
    t.name = name;
    t.type = type;
    t.perm = perm;
    entries_.push_back(std::move(t));
    return *this;
  }
  static la_ssize_t append(archive*, void* client, const void* buf, size_t len) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), len);
    return static_cast<la_ssize_t>(len);
  }

  std::vector<TarEntry> entries_;
};

// One entry of a tar read back.
struct ReadEntry {
  std::string path;
  mode_t type = 0;
  mode_t perm = 0;
  int64_t uid = 0, gid = 0;
  time_t mtime = 0;
  long mtimeNsec = 0;
  bool hasAtime = false, hasCtime = false, hasUname = false;
  int64_t size = 0;
  std::string data, symlink, hardlink;
  unsigned devMajor = 0, devMinor = 0;
  std::map<std::string, std::string> xattrs;
};

inline std::vector<ReadEntry> readTar(const std::string& bytes) {
  std::vector<ReadEntry> out;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    ReadEntry r;
    r.path = archive_entry_pathname(e);
    r.type = archive_entry_filetype(e);
    r.perm = archive_entry_perm(e);
    r.uid = archive_entry_uid(e);
    r.gid = archive_entry_gid(e);
    r.mtime = archive_entry_mtime(e);
    r.mtimeNsec = archive_entry_mtime_nsec(e);
    r.hasAtime = archive_entry_atime_is_set(e);
    r.hasCtime = archive_entry_ctime_is_set(e);
    const char* un = archive_entry_uname(e);
    r.hasUname = un != nullptr && *un != '\0';
    r.size = archive_entry_size(e);
    if (const char* s = archive_entry_symlink(e)) r.symlink = s;
    if (const char* h = archive_entry_hardlink(e)) r.hardlink = h;
    r.devMajor = archive_entry_rdevmajor(e);
    r.devMinor = archive_entry_rdevminor(e);
    const char* k;
    const void* v;
    size_t n;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &k, &v, &n) == ARCHIVE_OK) {
      r.xattrs[k] = std::string(static_cast<const char*>(v), n);
    }
    char buf[65536];
    la_ssize_t got;
    while ((got = archive_read_data(a, buf, sizeof buf)) > 0) r.data.append(buf, got);
    out.push_back(std::move(r));
  }
  archive_read_free(a);
  return out;
}

// A memfd holding bytes, positioned at 0: an fd unpackLayer can read.
inline UniqueFd memFd(const std::string& bytes) {
  UniqueFd fd(::memfd_create("layer", MFD_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

inline std::string readAll(int fd) {
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

inline std::string getXattr(const std::string& path, const std::string& key) {
  char buf[4096];
  ssize_t n = ::lgetxattr(path.c_str(), key.c_str(), buf, sizeof buf);
  return n < 0 ? std::string("<none>") : std::string(buf, static_cast<size_t>(n));
}

inline struct stat lstatOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

// base_/canary, base_/outer/canary, base_/outer/layer (the layer dir).
class LayerDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/var/tmp/berth-layer-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    outer_ = base_ + "/outer";
    root_ = outer_ + "/layer";
    std::filesystem::create_directories(root_);
    ASSERT_TRUE(writeFileAtomic(base_ + "/canary", "canary", 0644, Durability::Volatile));
    ASSERT_TRUE(writeFileAtomic(outer_ + "/canary", "canary", 0644, Durability::Volatile));
    outerStat_ = lstatOf(outer_);
    passwdLinks_ = lstatOf("/etc/passwd").st_nlink;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(base_, ec);
  }

  std::string at(const std::string& rel) const { return root_ + "/" + rel; }

  std::set<std::string> names(const std::string& dir) const {
    std::set<std::string> out;
    for (const auto& d : std::filesystem::directory_iterator(dir)) {
      out.insert(d.path().filename().string());
    }
    return out;
  }

  // Nothing was created, changed or removed outside the layer directory.
  void expectOutsideUntouched() const {
    EXPECT_EQ(names(base_), (std::set<std::string>{"canary", "outer"}));
    EXPECT_EQ(names(outer_), (std::set<std::string>{"canary", "layer"}));
    for (const auto& c : {base_ + "/canary", outer_ + "/canary"}) {
      auto content = readFile(c);
      ASSERT_TRUE(content) << c;
      EXPECT_EQ(*content, "canary") << c;
      struct stat st = lstatOf(c);
      EXPECT_EQ(st.st_mode & 07777, 0644u) << c;
      EXPECT_EQ(st.st_nlink, 1u) << c;
    }
    struct stat st = lstatOf(outer_);
    EXPECT_EQ(st.st_mode, outerStat_.st_mode);
    EXPECT_EQ(st.st_uid, outerStat_.st_uid);
    EXPECT_EQ(lstatOf("/etc/passwd").st_nlink, passwdLinks_);
    EXPECT_FALSE(std::filesystem::exists("/evil"));
    EXPECT_FALSE(std::filesystem::exists("/abs/evil"));
    EXPECT_FALSE(std::filesystem::exists("/var/tmp/evil"));
  }

  std::string base_, outer_, root_;
  struct stat outerStat_ {};
  nlink_t passwdLinks_ = 0;
};

}  // namespace berth::image::testing
