// Name tables of config.json enumerations: namespace types, seccomp actions and operators,
// rlimit types.

#include <sys/resource.h>

#include <array>
#include <utility>

#include "oci/spec.h"

namespace berth::oci {
namespace {

struct NamespaceName {
  NamespaceType type;
  const char* name;
  const char* procName;
};

constexpr std::array<NamespaceName, 8> kNamespaces = {{
    {NamespaceType::Pid, "pid", "pid"},
    {NamespaceType::Network, "network", "net"},
    {NamespaceType::Mount, "mount", "mnt"},
    {NamespaceType::Ipc, "ipc", "ipc"},
    {NamespaceType::Uts, "uts", "uts"},
    {NamespaceType::User, "user", "user"},
    {NamespaceType::Cgroup, "cgroup", "cgroup"},
    {NamespaceType::Time, "time", "time"},
}};

constexpr std::array<std::pair<SeccompAction, const char*>, 9> kActions = {{
    {SeccompAction::Kill, "SCMP_ACT_KILL"},
    {SeccompAction::KillProcess, "SCMP_ACT_KILL_PROCESS"},
    {SeccompAction::KillThread, "SCMP_ACT_KILL_THREAD"},
    {SeccompAction::Trap, "SCMP_ACT_TRAP"},
    {SeccompAction::Errno, "SCMP_ACT_ERRNO"},
    {SeccompAction::Trace, "SCMP_ACT_TRACE"},
    {SeccompAction::Allow, "SCMP_ACT_ALLOW"},
    {SeccompAction::Log, "SCMP_ACT_LOG"},
    {SeccompAction::Notify, "SCMP_ACT_NOTIFY"},
}};

constexpr std::array<std::pair<SeccompOp, const char*>, 7> kOps = {{
    {SeccompOp::NotEqual, "SCMP_CMP_NE"},
    {SeccompOp::LessThan, "SCMP_CMP_LT"},
    {SeccompOp::LessEqual, "SCMP_CMP_LE"},
    {SeccompOp::EqualTo, "SCMP_CMP_EQ"},
    {SeccompOp::GreaterEqual, "SCMP_CMP_GE"},
    {SeccompOp::GreaterThan, "SCMP_CMP_GT"},
    {SeccompOp::MaskedEqual, "SCMP_CMP_MASKED_EQ"},
}};

constexpr std::array<std::pair<const char*, int>, 16> kRlimits = {{
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
}};

}  // namespace

const char* namespaceTypeName(NamespaceType t) {
  for (const auto& n : kNamespaces) {
    if (n.type == t) return n.name;
  }
  return "unknown";
}

const char* namespaceProcName(NamespaceType t) {
  for (const auto& n : kNamespaces) {
    if (n.type == t) return n.procName;
  }
  return "unknown";
}

Result<NamespaceType> namespaceTypeFromName(std::string_view name) {
  for (const auto& n : kNamespaces) {
    if (name == n.name) return n.type;
  }
  return Error::invalid("unknown namespace type \"{}\"", name);
}

Result<SeccompAction> seccompActionFromName(std::string_view name) {
  for (const auto& [a, n] : kActions) {
    if (name == n) return a;
  }
  return Error::invalid("unknown seccomp action \"{}\"", name);
}

const char* seccompActionName(SeccompAction a) {
  for (const auto& [action, n] : kActions) {
    if (action == a) return n;
  }
  return "unknown";
}

Result<SeccompOp> seccompOpFromName(std::string_view name) {
  for (const auto& [o, n] : kOps) {
    if (name == n) return o;
  }
  return Error::invalid("unknown seccomp operator \"{}\"", name);
}

const char* seccompOpName(SeccompOp op) {
  for (const auto& [o, n] : kOps) {
    if (o == op) return n;
  }
  return "unknown";
}

Result<int> rlimitFromName(std::string_view name) {
  for (const auto& [n, r] : kRlimits) {
    if (name == n) return r;
  }
  return Error::invalid("unknown rlimit \"{}\"", name);
}

const Namespace* Linux::findNamespace(NamespaceType t) const {
  for (const auto& ns : namespaces) {
    if (ns.type == t) return &ns;
  }
  return nullptr;
}

}  // namespace berth::oci
