#pragma once
// InitPlan: everything the container's init (and an exec'd process) does between clone and
// execve, computed in the runtime's own process from the spec so that the child only walks
// prepared data: no parsing, no allocation, no exceptions, no logging there. Failures travel back
// as SyncMsg over the sync socket.

#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/seccomp/seccomp.h"

namespace berth::runtime {

// One filesystem action inside the rootfs, relative to it (target "/dev/pts").
struct MountStep {
  enum class Kind { Mount, Bind, Mkdir, Symlink, Mknod, BindDevice, RecursiveReadonly } kind;
  std::string source;  // mount source, symlink target, or host device path for BindDevice
  std::string target;  // path inside the rootfs (cleaned, absolute)
  std::string fstype;
  std::string data;
  unsigned long flags = 0;         // mount(2) flags for the first mount
  unsigned long remountFlags = 0;  // non-zero: a MS_REMOUNT|MS_BIND pass with these flags
  unsigned long propagation = 0;
  bool targetIsFile = false;  // create a file (not a dir) as the mount point
  mode_t mode = 0;            // Mknod / Mkdir mode (type bits included for Mknod)
  dev_t dev = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  bool chown = false;
  bool optional = false;     // failure is not an error (e.g. /dev/core)
  bool needsCgroup = false;  // the init must be in its cgroup (and cgroupns) before this
  bool cgroupMount = false;  // part of a "cgroup" mount's expansion
};

struct RlimitValue {
  int resource;
  struct rlimit value;
};

struct HookCmd {
  std::string path;
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;  // point into args/env
  int timeout = 0;
};

struct ProcessPlan {
  std::vector<std::string> args, env;
  std::vector<char*> argv, envp;
  std::string cwd;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool setGroups = true;  // false in a user namespace whose setgroups is denied
  int umask = -1;
  bool hasCaps = false;
  uint64_t capBounding = 0, capEffective = 0, capPermitted = 0, capInheritable = 0, capAmbient = 0;
  bool noNewPrivileges = false;
  std::vector<RlimitValue> rlimits;
  bool hasSeccomp = false;
  seccomp::Program seccomp;
  bool terminal = false;
  unsigned short rows = 0, cols = 0;
  std::string pathEnv;  // PATH used to look up args[0]
};

struct InitPlan {
  // Namespaces: new ones by CLONE_* flag, existing ones to join by (CLONE_* flag, open fd).
  unsigned long newNamespaces = 0;
  std::vector<std::pair<int, int>> joinNamespaces;  // {nstype, fd}; user namespace last
  bool newUserNamespace = false;
  // Rootfs.
  bool setupRootfs = true;  // false for exec
  std::string rootfs;
  unsigned long rootPropagation = 0;  // applied to "/" before the mounts (MS_SLAVE|MS_REC default)
  unsigned long rootfsPropagation = 0;  // from the spec, applied after pivot_root
  bool readonlyRoot = false;
  bool noPivot = false;
  // No mount namespace of its own (none new, none joined): the mounts go beneath a bind of the
  // rootfs onto itself, in the runtime's namespace, and the init chroots into it.
  bool hostMountNamespace = false;
  // exec into such a container: chroot here (/proc/<init>/root) before anything else.
  std::string execRoot;
  std::vector<MountStep> mounts;
  std::vector<std::string> maskedPaths, readonlyPaths;
  std::vector<std::pair<std::string, std::string>> sysctl;  // /proc/sys/... path, value
  std::string hostname, domainname;
  bool setHostname = false, setDomainname = false;
  std::vector<HookCmd> createContainerHooks, startContainerHooks;
  // Process.
  ProcessPlan process;
  int consoleSocket = -1;  // connected unix socket for the pty master
  int stateDirFd = -1;     // O_PATH of <root>/<id>, holds exec.fifo; -1: do not wait
  int preserveFds = 0;
  int syncFd = -1;
  int parentSyncFd = -1;  // the runtime's end of the sync socket: the child closes its copy first
  // Direct launch: the parent fills the cgroup while the init mounts; the init waits for Go
  // (then makes its cgroup namespace) before the first step that needs the cgroup.
  bool awaitGo = false;
  // The cgroup mount needs the init in its cgroup; when nothing depends on it (no host binds,
  // nothing mounted or masked beneath it, no hooks that look) it goes in last, after pivot_root,
  // so the init waits for the parent as late as possible.
  bool deferCgroupMounts = false;
  // The container cgroup's v1 `tasks` files, opened by the runtime: the process that becomes the
  // init (stage 1 where there are two) writes "0" into each once Go has come, and so moves
  // itself without the global lock a cgroup.procs write takes (cgroups::SelfJoin). A fixed
  // array: the child must not allocate.
  std::array<int, 32> cgroupTasksFds{};
  size_t cgroupTasksCount = 0;
  // The flock'd state directory of the runtime process: the children must not keep the lock
  // (a flock belongs to the open file, which fork shares), so stage 1 closes it first.
  int lockFd = -1;
  // The container's state JSON for createContainer/startContainer hooks: the parent sends it
  // with the hooks reply; the buffer is sized before clone so the child never allocates.
  bool hooksSync = false;  // stop before pivot_root so the parent can run its hooks
  std::vector<char> stateBuf;
  size_t stateLen = 0;
  std::string rootfsParentMount;
  // Seccomp user notification: a socket connected to linux.seccomp.listenerPath; the listener
  // fd goes there with the container process state (sent by the parent after clone).
  int seccompListenerSocket = -1;
  std::vector<char> seccompStateBuf;
  size_t seccompStateLen = 0;  // made private when "/" is shared, as pivot_root requires
};

// Builds the plan of a container's init from its spec. `rootfs` is absolute. Also validates
// what needs the filesystem: mount destinations resolve inside the rootfs.
struct PlanOptions {
  std::string rootfs;
  const cgroups::Layout* cgroupLayout = nullptr;  // for "cgroup" mounts
  std::string cgroupPath;
  bool noPivot = false;
  int consoleSocket = -1;
  int preserveFds = 0;
  // linux.seccomp as its config.json text, cut out of the spec before the parse (the spec then
  // has none): compiled through the cache keyed by the text, parsed only on a miss.
  std::string_view seccompText;
};
Result<InitPlan> buildInitPlan(const oci::Spec& spec, const PlanOptions& opts);
// Builds the process part (exec and init share it). Clamps rlimits the host cannot raise.
Result<ProcessPlan> buildProcessPlan(const oci::Process& p, const oci::Spec& spec,
                                     const std::string& rootfsForPasswd);
// The CLONE_NEW* flag of a namespace type.
unsigned long cloneFlag(oci::NamespaceType t);
// Points argv/envp at the strings; call after the plan stops moving.
void finalizePointers(ProcessPlan& p);
void finalizePointers(HookCmd& h);

}  // namespace berth::runtime
