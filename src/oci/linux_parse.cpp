// The "linux" object of config.json: namespaces, id mappings, devices, cgroup resources,
// seccomp, masked paths, sysctls.

#include "oci/json_read.h"
#include "oci/parse_internal.h"

namespace berth::oci::detail {
namespace {

Result<Namespace> parseNamespace(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  std::string type;
  TRY(read(j, "type", path, type));
  if (type.empty()) return Error::invalid("{}.type is required", path);
  Namespace ns{};
  ns.type = TRY_CTX(namespaceTypeFromName(type), "{}.type", path);
  TRY(read(j, "path", path, ns.path));
  return ns;
}

Result<IdMapping> parseIdMapping(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  IdMapping m;
  TRY(read(j, "containerID", path, m.containerID));
  TRY(read(j, "hostID", path, m.hostID));
  TRY(read(j, "size", path, m.size));
  return m;
}

Result<Device> parseDevice(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Device d;
  TRY(read(j, "path", path, d.path));
  TRY(read(j, "type", path, d.type));
  TRY(read(j, "major", path, d.major));
  TRY(read(j, "minor", path, d.minor));
  TRY(read(j, "fileMode", path, d.fileMode));
  TRY(read(j, "uid", path, d.uid));
  TRY(read(j, "gid", path, d.gid));
  return d;
}

Result<DeviceCgroupRule> parseDeviceRule(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  DeviceCgroupRule r;
  TRY(read(j, "allow", path, r.allow));
  TRY(read(j, "type", path, r.type));
  TRY(read(j, "major", path, r.major));
  TRY(read(j, "minor", path, r.minor));
  TRY(read(j, "access", path, r.access));
  // Go's runtime-spec writes "" for an unset type; the spec says it means "a" (all).
  if (r.type.empty()) r.type.push_back('a');  // not = "a": GCC 12 -Wrestrict false positive
  return r;
}

Result<MemoryResources> parseMemory(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  MemoryResources m;
  TRY(read(j, "limit", path, m.limit));
  TRY(read(j, "reservation", path, m.reservation));
  TRY(read(j, "swap", path, m.swap));
  TRY(read(j, "kernel", path, m.kernel));
  TRY(read(j, "kernelTCP", path, m.kernelTCP));
  TRY(read(j, "swappiness", path, m.swappiness));
  TRY(read(j, "disableOOMKiller", path, m.disableOOMKiller));
  return m;
}

Result<CpuResources> parseCpu(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  CpuResources c;
  TRY(read(j, "shares", path, c.shares));
  TRY(read(j, "quota", path, c.quota));
  TRY(read(j, "period", path, c.period));
  TRY(read(j, "realtimeRuntime", path, c.realtimeRuntime));
  TRY(read(j, "realtimePeriod", path, c.realtimePeriod));
  TRY(read(j, "cpus", path, c.cpus));
  TRY(read(j, "mems", path, c.mems));
  return c;
}

Result<SeccompArg> parseSeccompArg(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  SeccompArg a;
  TRY(read(j, "index", path, a.index));
  TRY(read(j, "value", path, a.value));
  TRY(read(j, "valueTwo", path, a.valueTwo));
  std::string op;
  TRY(read(j, "op", path, op));
  if (op.empty()) return Error::invalid("{}.op is required", path);
  a.op = TRY_CTX(seccompOpFromName(op), "{}.op", path);
  return a;
}

Result<SeccompAction> readAction(const Json& j, std::string_view key, const std::string& path) {
  std::string name;
  TRY(read(j, key, path, name));
  if (name.empty()) return Error::invalid("{} is required", fieldPath(path, key));
  return TRY_CTX(seccompActionFromName(name), "{}", fieldPath(path, key));
}

Result<SeccompSyscall> parseSeccompSyscall(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  SeccompSyscall s;
  TRY(read(j, "names", path, s.names));
  s.action = TRY(readAction(j, "action", path));
  TRY(read(j, "errnoRet", path, s.errnoRet));
  TRY(readList(j, "args", path, s.args, parseSeccompArg));
  return s;
}

}  // namespace

Result<Seccomp> parseSeccomp(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Seccomp s;
  s.defaultAction = TRY(readAction(j, "defaultAction", path));
  TRY(read(j, "defaultErrnoRet", path, s.defaultErrnoRet));
  TRY(read(j, "architectures", path, s.architectures));
  TRY(read(j, "flags", path, s.flags));
  TRY(read(j, "listenerPath", path, s.listenerPath));
  TRY(read(j, "listenerMetadata", path, s.listenerMetadata));
  TRY(readList(j, "syscalls", path, s.syscalls, parseSeccompSyscall));
  return s;
}

Result<Resources> parseResources(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Resources r;
  TRY(readList(j, "devices", path, r.devices, parseDeviceRule));
  if (const Json* m = member(j, "memory"))
    r.memory = TRY(parseMemory(*m, fieldPath(path, "memory")));
  if (const Json* c = member(j, "cpu")) r.cpu = TRY(parseCpu(*c, fieldPath(path, "cpu")));
  if (const Json* p = member(j, "pids")) {
    std::string pidsPath = fieldPath(path, "pids");
    TRY(expectObject(*p, pidsPath));
    TRY(read(*p, "limit", pidsPath, r.pidsLimit));
  }
  TRY(read(j, "unified", path, r.unified));
  return r;
}

Result<Linux> parseLinux(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Linux l;
  TRY(readList(j, "namespaces", path, l.namespaces, parseNamespace));
  TRY(readList(j, "uidMappings", path, l.uidMappings, parseIdMapping));
  TRY(readList(j, "gidMappings", path, l.gidMappings, parseIdMapping));
  TRY(readList(j, "devices", path, l.devices, parseDevice));
  TRY(read(j, "cgroupsPath", path, l.cgroupsPath));
  if (const Json* r = member(j, "resources")) {
    l.resources = TRY(parseResources(*r, fieldPath(path, "resources")));
  }
  TRY(read(j, "rootfsPropagation", path, l.rootfsPropagation));
  if (const Json* s = member(j, "seccomp")) {
    l.seccomp = TRY(parseSeccomp(*s, fieldPath(path, "seccomp")));
  }
  TRY(read(j, "maskedPaths", path, l.maskedPaths));
  TRY(read(j, "readonlyPaths", path, l.readonlyPaths));
  TRY(read(j, "sysctl", path, l.sysctl));
  TRY(read(j, "mountLabel", path, l.mountLabel));
  return l;
}

}  // namespace berth::oci::detail
