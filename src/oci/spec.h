#pragma once
// OCI runtime-spec 1.x config.json as typed structs (Linux subset), parsed and validated in one
// pass. Pure: no syscalls, no filesystem access. Optional fields keep "absent" distinct from zero
// where the spec gives absence a meaning (resources, rlimits, oomScoreAdj).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/json.h"

// GNU C++ modes (CMAKE_CXX_EXTENSIONS, which TRY's statement expressions need) predefine the
// macro `linux` as 1; it would turn the OCI "linux" member below into a syntax error.
#undef linux

namespace berth::oci {

inline constexpr const char* kSpecVersion = "1.2.0";

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additionalGids;

  bool operator==(const User&) const = default;
};

struct Capabilities {
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;

  bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
  std::string type;  // RLIMIT_NOFILE...
  uint64_t hard = 0;
  uint64_t soft = 0;

  bool operator==(const Rlimit&) const = default;
};

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;

  bool operator==(const ConsoleSize&) const = default;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> consoleSize;
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool noNewPrivileges = false;
  std::string apparmorProfile;
  std::string selinuxLabel;
  std::optional<int> oomScoreAdj;

  bool operator==(const Process&) const = default;
};

struct Root {
  std::string path;
  bool readonly = false;

  bool operator==(const Root&) const = default;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;

  bool operator==(const Mount&) const = default;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds

  bool operator==(const Hook&) const = default;
};

struct Hooks {
  std::vector<Hook> prestart, createRuntime, createContainer, startContainer, poststart, poststop;

  bool operator==(const Hooks&) const = default;
};

enum class NamespaceType { Pid, Network, Mount, Ipc, Uts, User, Cgroup, Time };

struct Namespace {
  NamespaceType type;
  std::string path;  // empty: create a new one

  bool operator==(const Namespace&) const = default;
};

struct IdMapping {
  uint32_t containerID = 0;
  uint32_t hostID = 0;
  uint32_t size = 0;

  bool operator==(const IdMapping&) const = default;
};

struct Device {
  std::string path;
  std::string type;  // c, b, u, p
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> fileMode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;

  bool operator==(const Device&) const = default;
};

struct DeviceCgroupRule {
  bool allow = false;
  std::string type = "a";        // a, c, b
  std::optional<int64_t> major;  // absent: wildcard
  std::optional<int64_t> minor;
  std::string access = "rwm";

  bool operator==(const DeviceCgroupRule&) const = default;
};

struct MemoryResources {
  std::optional<int64_t> limit, reservation, swap, kernel, kernelTCP;
  std::optional<uint64_t> swappiness;
  std::optional<bool> disableOOMKiller;

  bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtimeRuntime;
  std::optional<uint64_t> realtimePeriod;
  std::string cpus;
  std::string mems;

  bool operator==(const CpuResources&) const = default;
};

struct Resources {
  std::vector<DeviceCgroupRule> devices;
  std::optional<MemoryResources> memory;
  std::optional<CpuResources> cpu;
  std::optional<int64_t> pidsLimit;
  std::map<std::string, std::string> unified;

  bool operator==(const Resources&) const = default;
};

enum class SeccompAction {
  Kill,
  KillProcess,
  KillThread,
  Trap,
  Errno,
  Trace,
  Allow,
  Log,
  Notify,
};

enum class SeccompOp {
  NotEqual,
  LessThan,
  LessEqual,
  EqualTo,
  GreaterEqual,
  GreaterThan,
  MaskedEqual
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t valueTwo = 0;
  SeccompOp op = SeccompOp::EqualTo;

  bool operator==(const SeccompArg&) const = default;
};

struct SeccompSyscall {
  std::vector<std::string> names;
  SeccompAction action = SeccompAction::Allow;
  std::optional<uint32_t> errnoRet;
  std::vector<SeccompArg> args;

  bool operator==(const SeccompSyscall&) const = default;
};

struct Seccomp {
  SeccompAction defaultAction = SeccompAction::Allow;
  std::optional<uint32_t> defaultErrnoRet;
  std::vector<std::string> architectures;  // SCMP_ARCH_X86_64...
  std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
  std::string listenerPath;
  std::string listenerMetadata;
  std::vector<SeccompSyscall> syscalls;

  bool operator==(const Seccomp&) const = default;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uidMappings, gidMappings;
  std::vector<Device> devices;
  std::string cgroupsPath;
  std::optional<Resources> resources;
  std::string rootfsPropagation;
  std::optional<Seccomp> seccomp;
  std::vector<std::string> maskedPaths, readonlyPaths;
  std::map<std::string, std::string> sysctl;
  std::string mountLabel;

  const Namespace* findNamespace(NamespaceType t) const;

  bool operator==(const Linux&) const = default;
};

struct Spec {
  std::string ociVersion;
  std::optional<Process> process;
  Root root;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux;

  bool operator==(const Spec&) const = default;
};

// Parses config.json text into a Spec and validates it (see validateSpec). Errors name the field.
Result<Spec> parseSpec(std::string_view text);
Result<Spec> specFromJson(const Json& j);
Json specToJson(const Spec& spec);
// Parses one "process" object (runc exec --process), validating it as a container process.
Result<Process> processFromJson(const Json& j);
Json processToJson(const Process& p);
Result<Resources> resourcesFromJson(const Json& j);

// Checks what can be checked without touching the filesystem: required fields, namespace types,
// id mappings present with a user namespace, absolute mount destinations that do not climb out
// of the rootfs with "..", capability names, rlimit names, hook paths, device types.
Status validateSpec(const Spec& spec);
Status validateProcess(const Process& p);
Status validateSeccomp(const Seccomp& s);
// Parses one linux.seccomp object, validated as in a spec; errors name the fields from
// "linux.seccomp".
Result<Seccomp> seccompFromJson(const Json& j);

const char* namespaceTypeName(NamespaceType t);  // "pid", "network"...
Result<NamespaceType> namespaceTypeFromName(std::string_view name);
// The /proc/<pid>/ns/<name> file name for a namespace type ("net" for network).
const char* namespaceProcName(NamespaceType t);

Result<SeccompAction> seccompActionFromName(std::string_view name);
const char* seccompActionName(SeccompAction a);
Result<SeccompOp> seccompOpFromName(std::string_view name);
const char* seccompOpName(SeccompOp op);  // "SCMP_CMP_EQ"...

// The RLIMIT_* number for a config.json rlimit type ("RLIMIT_NOFILE" -> 7).
Result<int> rlimitFromName(std::string_view name);

// Cleans a path lexically, as Go's filepath.Clean does ("//a/./b/" -> "/a/b", "" -> "."), but
// fails with InvalidArgument where a ".." would climb above "/" (or above the start of a
// relative path): runc resolves mount destinations inside the rootfs, and a destination
// such as "/../etc" is a config mistake or an attack, never something to silently clamp.
Result<std::string> cleanPath(std::string_view path);

// runc's `spec` output: a busybox-ready default config (rootfs "rootfs", sh, terminal).
Spec defaultSpec();
// `spec --rootless`: user namespace with the caller's ids mapped to root.
Spec rootlessSpec(uint32_t uid, uint32_t gid);

}  // namespace berth::oci
