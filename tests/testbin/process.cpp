// Commands that report facts about the calling process: credentials, capabilities, limits,
// namespaces and cgroups.
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "commands.h"
#include "json.h"

extern char** environ;

namespace testbin {
namespace {

// Returns the value of "Key:\t..." in /proc/self/status, trimmed, or "" when absent.
std::string statusField(const std::string& status, const std::string& key) {
  std::istringstream in(status);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") != 0) continue;
    size_t start = line.find_first_not_of(" \t", key.size() + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

std::string limitValue(rlim_t v) {
  return v == RLIM_INFINITY ? quoted("unlimited") : std::to_string(v);
}

}  // namespace

int cmdIds(Args) {
  std::vector<gid_t> groups(NGROUPS_MAX);
  int n = getgroups(static_cast<int>(groups.size()), groups.data());
  std::vector<std::string> rendered;
  for (int i = 0; i < n; ++i) rendered.push_back(std::to_string(groups[i]));
  mode_t mask = umask(0);
  umask(mask);
  char maskText[8];
  snprintf(maskText, sizeof maskText, "%04o", mask);
  emit(Obj()
           .num("uid", getuid())
           .num("gid", getgid())
           .num("euid", geteuid())
           .num("egid", getegid())
           .raw("groups", array(rendered))
           .str("umask", maskText)
           .render());
  return 0;
}

int cmdCaps(Args) {
  std::string status;
  if (!readFile("/proc/self/status", &status)) return 1;
  Obj o;
  for (const char* key : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
    o.str(key, statusField(status, key));
  }
  o.num("NoNewPrivs", atoi(statusField(status, "NoNewPrivs").c_str()));
  o.num("Seccomp", atoi(statusField(status, "Seccomp").c_str()));
  emit(o.render());
  return 0;
}

int cmdRlimits(Args) {
  struct Limit {
    const char* name;
    int resource;
  };
  static const Limit kLimits[] = {
      {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},
      {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},
      {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_STACK", RLIMIT_STACK},
  };
  Obj o;
  for (const auto& l : kLimits) {
    struct rlimit r {};
    getrlimit(static_cast<__rlimit_resource>(l.resource), &r);
    o.raw(l.name,
          Obj().raw("soft", limitValue(r.rlim_cur)).raw("hard", limitValue(r.rlim_max)).render());
  }
  emit(o.render());
  return 0;
}

int cmdOomScore(Args) {
  std::string text;
  if (!readFile("/proc/self/oom_score_adj", &text)) return 1;
  emit(Obj().num("oom_score_adj", atoi(text.c_str())).render());
  return 0;
}

int cmdPid(Args) {
  emit(Obj()
           .num("pid", getpid())
           .num("ppid", getppid())
           .num("sid", getsid(0))
           .num("pgid", getpgid(0))
           .render());
  return 0;
}

int cmdEnv(Args) {
  Obj o;
  for (char** e = environ; *e; ++e) {
    const char* eq = strchr(*e, '=');
    if (!eq) continue;
    o.str(std::string(*e, eq - *e), eq + 1);
  }
  emit(o.render());
  return 0;
}

int cmdCwd(Args) {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) {
    emit(Obj().str("errno", errnoName(errno)).render());
    return 1;
  }
  emit(Obj().str("cwd", buf).render());
  return 0;
}

int cmdHostname(Args) {
  struct utsname u {};
  uname(&u);
  emit(Obj().str("hostname", u.nodename).str("domainname", u.domainname).render());
  return 0;
}

int cmdCgroup(Args) {
  std::string text;
  if (!readFile("/proc/self/cgroup", &text)) return 1;
  // "ID:controllers:path"; a hierarchy may carry several controllers ("cpu,cpuacct"): each gets
  // its own key so tests need not know how the host grouped them.
  Obj o;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    size_t b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      o.str("unified", path);
      continue;
    }
    std::istringstream cs(controllers);
    std::string c;
    while (std::getline(cs, c, ',')) o.str(c, path);
  }
  emit(o.render());
  return 0;
}

int cmdNs(Args) {
  Obj o;
  for (const char* ns :
       {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "user", "uts"}) {
    char buf[256];
    std::string path = std::string("/proc/self/ns/") + ns;
    ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
    if (n < 0) continue;
    o.str(ns, std::string(buf, n));
  }
  emit(o.render());
  return 0;
}

int cmdTty(Args) {
  Obj o;
  for (int fd = 0; fd < 3; ++fd) {
    std::string key = std::to_string(fd);
    o.boolean("isatty" + key, isatty(fd));
    const char* name = ttyname(fd);
    o.str("ttyname" + key, name ? name : "");
  }
  emit(o.render());
  return 0;
}

int cmdIdMap(Args) {
  std::string uids, gids;
  readFile("/proc/self/uid_map", &uids);
  readFile("/proc/self/gid_map", &gids);
  // Each map line is "inside outside count"; collapse whitespace so tests can compare strings.
  auto squeeze = [](const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream words(line);
      std::string w, out;
      while (words >> w) out += (out.empty() ? "" : " ") + w;
      if (!out.empty()) lines.push_back(quoted(out));
    }
    return array(lines);
  };
  emit(Obj().raw("uid_map", squeeze(uids)).raw("gid_map", squeeze(gids)).render());
  return 0;
}

int cmdCpus(Args) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  std::vector<std::string> cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &set)) cpus.push_back(std::to_string(i));
  }
  emit(Obj().raw("cpus", array(cpus)).render());
  return 0;
}

}  // namespace testbin
