// Commands that report what the container's filesystem looks like: mounts, file metadata, and
// whether a path can be read or written.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <sstream>
#include <vector>

#include "commands.h"
#include "json.h"

namespace testbin {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t j = 1; j <= 3; ++j) {
        char c = s[i + j];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string typeName(mode_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISCHR(mode)) return "char";
  if (S_ISBLK(mode)) return "block";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  return "unknown";
}

}  // namespace

int cmdMounts(Args) {
  std::string text;
  if (!readFile("/proc/self/mountinfo", &text)) return 1;
  std::vector<std::string> mounts;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::vector<std::string> f;
    std::string w;
    while (words >> w) f.push_back(w);
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 9 || dash == f.end() || f.end() - dash < 3) continue;
    // Optional fields between the options and "-": shared:N, master:N, propagate_from:N,
    // unbindable. No shared/master field means the mount is private.
    std::string propagation = "private";
    for (auto it = f.begin() + 6; it != dash; ++it) {
      if (it->rfind("shared:", 0) == 0)
        propagation = "shared";
      else if (it->rfind("master:", 0) == 0 && propagation != "shared")
        propagation = "slave";
      else if (*it == "unbindable")
        propagation = "unbindable";
    }
    mounts.push_back(Obj()
                         .str("dest", unescape(f[4]))
                         .str("type", dash[1])
                         .str("source", unescape(dash[2]))
                         .str("options", f[5])
                         .str("super", dash + 3 < f.end() ? dash[3] : "")
                         .str("root", unescape(f[3]))
                         .str("propagation", propagation)
                         .render());
  }
  emit(array(mounts));
  return 0;
}

int cmdStat(Args args) {
  if (!args[0]) return 2;
  struct stat st {};
  if (lstat(args[0], &st) != 0) {
    emit(Obj().str("path", args[0]).str("errno", errnoName(errno)).render());
    return 1;
  }
  char mode[8];
  snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
  Obj o;
  o.str("path", args[0])
      .str("errno", "OK")
      .str("type", typeName(st.st_mode))
      .str("mode", mode)
      .num("uid", st.st_uid)
      .num("gid", st.st_gid)
      .num("size", st.st_size);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    o.num("major", major(st.st_rdev)).num("minor", minor(st.st_rdev));
  }
  if (S_ISLNK(st.st_mode)) {
    char buf[PATH_MAX];
    ssize_t n = readlink(args[0], buf, sizeof buf);
    o.str("link", n >= 0 ? std::string(buf, n) : "");
  }
  emit(o.render());
  return 0;
}

int cmdWrite(Args args) {
  if (!args[0]) return 2;
  int fd = open(args[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = 0;
  if (fd < 0) {
    err = errno;
  } else {
    if (write(fd, "testbin\n", 8) < 0) err = errno;
    close(fd);
  }
  emit(Obj().str("path", args[0]).str("errno", errnoName(err)).render());
  return err ? 1 : 0;
}

int cmdRead(Args args) {
  if (!args[0]) return 2;
  int fd = open(args[0], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  int err = 0;
  int64_t total = 0;
  if (fd < 0) {
    err = errno;
  } else {
    char buf[4096];
    // Bounded: /dev/zero and friends never end.
    while (total < (1 << 20)) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0) {
        err = errno;
        break;
      }
      if (n == 0) break;
      total += n;
    }
    close(fd);
  }
  emit(Obj().str("path", args[0]).str("errno", errnoName(err)).num("bytes", total).render());
  return err ? 1 : 0;
}

int cmdLs(Args args) {
  if (!args[0]) return 2;
  DIR* d = opendir(args[0]);
  if (!d) {
    emit(Obj().str("path", args[0]).str("errno", errnoName(errno)).render());
    return 1;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<std::string> rendered;
  for (const auto& n : names) rendered.push_back(quoted(n));
  emit(Obj().str("path", args[0]).str("errno", "OK").raw("entries", array(rendered)).render());
  return 0;
}

int cmdNetdevs(Args) {
  std::string text;
  if (!readFile("/proc/net/dev", &text)) return 1;
  std::vector<std::string> devs;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    size_t start = line.find_first_not_of(' ');
    devs.push_back(quoted(line.substr(start, colon - start)));
  }
  std::sort(devs.begin(), devs.end());
  emit(Obj().raw("netdevs", array(devs)).render());
  return 0;
}

}  // namespace testbin
