// berth-testbin: a static helper run inside test containers, in the spirit of runtime-tools'
// runtimetest. Each subcommand prints what the container sees as one JSON line; the system tests
// in tests/system compare it with what config.json asked for.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "commands.h"

namespace testbin {

std::string errnoName(int err) {
  if (err == 0) return "OK";
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

bool readFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

namespace {

struct Command {
  std::string_view name;
  int (*run)(Args);
  std::string_view usage;
};

constexpr Command kCommands[] = {
    {"ids", cmdIds, "uid, gid, euid, egid, groups, umask"},
    {"caps", cmdCaps, "capability sets, NoNewPrivs, Seccomp mode"},
    {"rlimits", cmdRlimits, "every rlimit (soft/hard; \"unlimited\")"},
    {"oomscore", cmdOomScore, "oom_score_adj"},
    {"pid", cmdPid, "pid, ppid, sid, pgid"},
    {"env", cmdEnv, "environment as an object"},
    {"cwd", cmdCwd, "working directory"},
    {"hostname", cmdHostname, "hostname and domainname"},
    {"cgroup", cmdCgroup, "/proc/self/cgroup keyed by controller (\"unified\" for v2)"},
    {"ns", cmdNs, "namespace links from /proc/self/ns"},
    {"tty", cmdTty, "whether stdin/stdout are terminals, and their names"},
    {"idmap", cmdIdMap, "uid_map and gid_map"},
    {"cpus", cmdCpus, "CPU affinity list"},
    {"mounts", cmdMounts, "/proc/self/mountinfo as a list of {dest,type,source,options,super,...}"},
    {"stat", cmdStat, "PATH: type, mode, uid, gid, major/minor, link target"},
    {"write", cmdWrite, "PATH: try to create/write, print errno name"},
    {"read", cmdRead, "PATH: try to read, print bytes read and errno name"},
    {"ls", cmdLs, "DIR: directory entries"},
    {"netdevs", cmdNetdevs, "network interfaces from /proc/net/dev"},
    {"sleep", cmdSleep, "[SECONDS]: sleep (forever without argument)"},
    {"exit", cmdExit, "N: exit with status N"},
    {"sig", cmdSig, "[COUNT]: print ready, then wait for COUNT (1) signals and print each name"},
    {"fork-zombies", cmdForkZombies, "N [SECONDS]: leave N zombie children, then sleep"},
    {"forks", cmdForks, "N: fork up to N sleeping children, print how many succeeded"},
    {"syscall", cmdSyscall,
     "NAME [ARG]: call getcwd|getpid|uname|mkdir|chmod|unshare|sethostname, or nr:N (no args), "
     "print errno"},
    {"cpu", cmdCpu, "MS: spin MS milliseconds of CPU time"},
    {"alloc", cmdAlloc, "MB: allocate and touch MB mebibytes"},
    {"console-recv", cmdConsoleRecv, "SOCKET [INPUT]: receive a pty master, copy it to stdout"},
};

int usage() {
  fprintf(stderr, "usage: testbin COMMAND [ARGS]\n");
  for (const auto& c : kCommands) {
    fprintf(stderr, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
            static_cast<int>(c.usage.size()), c.usage.data());
  }
  return 2;
}

}  // namespace
}  // namespace testbin

int main(int argc, char** argv) {
  using namespace testbin;
  if (argc < 2) return usage();
  std::string_view name = argv[1];
  for (const auto& c : kCommands) {
    if (c.name == name) return c.run(argv + 2);
  }
  fprintf(stderr, "testbin: unknown command %s\n", argv[1]);
  return usage();
}
