// Spec -> config.json. Empty strings and lists are left out, so parse(toJson(s)) == s and the
// output reads like runc's (Go's omitempty).

#include "oci/spec.h"

namespace berth::oci {
namespace {

void putString(Json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

template <typename T>
void putList(Json& j, const char* key, const std::vector<T>& v) {
  if (!v.empty()) j[key] = v;
}

template <typename T>
void putOptional(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <typename T, typename F>
void putObjects(Json& j, const char* key, const std::vector<T>& items, F toJson) {
  if (items.empty()) return;
  Json a = Json::array();
  for (const auto& item : items) a.push_back(toJson(item));
  j[key] = std::move(a);
}

Json capabilitiesToJson(const Capabilities& c) {
  Json j = Json::object();
  putList(j, "bounding", c.bounding);
  putList(j, "effective", c.effective);
  putList(j, "inheritable", c.inheritable);
  putList(j, "permitted", c.permitted);
  putList(j, "ambient", c.ambient);
  return j;
}

Json hookToJson(const Hook& h) {
  Json j = {{"path", h.path}};
  putList(j, "args", h.args);
  putList(j, "env", h.env);
  putOptional(j, "timeout", h.timeout);
  return j;
}

Json hooksToJson(const Hooks& h) {
  Json j = Json::object();
  putObjects(j, "prestart", h.prestart, hookToJson);
  putObjects(j, "createRuntime", h.createRuntime, hookToJson);
  putObjects(j, "createContainer", h.createContainer, hookToJson);
  putObjects(j, "startContainer", h.startContainer, hookToJson);
  putObjects(j, "poststart", h.poststart, hookToJson);
  putObjects(j, "poststop", h.poststop, hookToJson);
  return j;
}

Json mountToJson(const Mount& m) {
  Json j = {{"destination", m.destination}};
  putString(j, "type", m.type);
  putString(j, "source", m.source);
  putList(j, "options", m.options);
  return j;
}

Json idMappingToJson(const IdMapping& m) {
  return {{"containerID", m.containerID}, {"hostID", m.hostID}, {"size", m.size}};
}

Json deviceToJson(const Device& d) {
  Json j = {{"path", d.path}, {"type", d.type}, {"major", d.major}, {"minor", d.minor}};
  putOptional(j, "fileMode", d.fileMode);
  putOptional(j, "uid", d.uid);
  putOptional(j, "gid", d.gid);
  return j;
}

Json deviceRuleToJson(const DeviceCgroupRule& r) {
  Json j = {{"allow", r.allow}, {"type", r.type}, {"access", r.access}};
  putOptional(j, "major", r.major);
  putOptional(j, "minor", r.minor);
  return j;
}

Json seccompToJson(const Seccomp& s) {
  Json j = {{"defaultAction", seccompActionName(s.defaultAction)}};
  putOptional(j, "defaultErrnoRet", s.defaultErrnoRet);
  putList(j, "architectures", s.architectures);
  putList(j, "flags", s.flags);
  putString(j, "listenerPath", s.listenerPath);
  putString(j, "listenerMetadata", s.listenerMetadata);
  putObjects(j, "syscalls", s.syscalls, [](const SeccompSyscall& sc) {
    Json o = {{"names", sc.names}, {"action", seccompActionName(sc.action)}};
    putOptional(o, "errnoRet", sc.errnoRet);
    putObjects(o, "args", sc.args, [](const SeccompArg& a) {
      return Json{{"index", a.index},
                  {"value", a.value},
                  {"valueTwo", a.valueTwo},
                  {"op", seccompOpName(a.op)}};
    });
    return o;
  });
  return j;
}

Json resourcesToJson(const Resources& r) {
  Json j = Json::object();
  putObjects(j, "devices", r.devices, deviceRuleToJson);
  if (r.memory) {
    const MemoryResources& m = *r.memory;
    Json o = Json::object();
    putOptional(o, "limit", m.limit);
    putOptional(o, "reservation", m.reservation);
    putOptional(o, "swap", m.swap);
    putOptional(o, "kernel", m.kernel);
    putOptional(o, "kernelTCP", m.kernelTCP);
    putOptional(o, "swappiness", m.swappiness);
    putOptional(o, "disableOOMKiller", m.disableOOMKiller);
    j["memory"] = std::move(o);
  }
  if (r.cpu) {
    const CpuResources& c = *r.cpu;
    Json o = Json::object();
    putOptional(o, "shares", c.shares);
    putOptional(o, "quota", c.quota);
    putOptional(o, "period", c.period);
    putOptional(o, "realtimeRuntime", c.realtimeRuntime);
    putOptional(o, "realtimePeriod", c.realtimePeriod);
    putString(o, "cpus", c.cpus);
    putString(o, "mems", c.mems);
    j["cpu"] = std::move(o);
  }
  if (r.pidsLimit) j["pids"] = {{"limit", *r.pidsLimit}};
  if (!r.unified.empty()) j["unified"] = r.unified;
  return j;
}

Json linuxToJson(const Linux& l) {
  Json j = Json::object();
  putObjects(j, "namespaces", l.namespaces, [](const Namespace& ns) {
    Json o = {{"type", namespaceTypeName(ns.type)}};
    putString(o, "path", ns.path);
    return o;
  });
  putObjects(j, "uidMappings", l.uidMappings, idMappingToJson);
  putObjects(j, "gidMappings", l.gidMappings, idMappingToJson);
  putObjects(j, "devices", l.devices, deviceToJson);
  putString(j, "cgroupsPath", l.cgroupsPath);
  if (l.resources) j["resources"] = resourcesToJson(*l.resources);
  putString(j, "rootfsPropagation", l.rootfsPropagation);
  if (l.seccomp) j["seccomp"] = seccompToJson(*l.seccomp);
  putList(j, "maskedPaths", l.maskedPaths);
  putList(j, "readonlyPaths", l.readonlyPaths);
  if (!l.sysctl.empty()) j["sysctl"] = l.sysctl;
  putString(j, "mountLabel", l.mountLabel);
  return j;
}

}  // namespace

Json processToJson(const Process& p) {
  Json j = Json::object();
  j["terminal"] = p.terminal;
  if (p.consoleSize) {
    j["consoleSize"] = {{"height", p.consoleSize->height}, {"width", p.consoleSize->width}};
  }
  Json user = {{"uid", p.user.uid}, {"gid", p.user.gid}};
  putOptional(user, "umask", p.user.umask);
  putList(user, "additionalGids", p.user.additionalGids);
  j["user"] = std::move(user);
  j["args"] = p.args;
  putList(j, "env", p.env);
  j["cwd"] = p.cwd;
  if (p.capabilities) j["capabilities"] = capabilitiesToJson(*p.capabilities);
  putObjects(j, "rlimits", p.rlimits, [](const Rlimit& r) {
    return Json{{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}};
  });
  if (p.noNewPrivileges) j["noNewPrivileges"] = true;
  putString(j, "apparmorProfile", p.apparmorProfile);
  putString(j, "selinuxLabel", p.selinuxLabel);
  putOptional(j, "oomScoreAdj", p.oomScoreAdj);
  return j;
}

Json specToJson(const Spec& s) {
  Json j = Json::object();
  j["ociVersion"] = s.ociVersion;
  if (s.process) j["process"] = processToJson(*s.process);
  j["root"] = {{"path", s.root.path}};
  if (s.root.readonly) j["root"]["readonly"] = true;
  putString(j, "hostname", s.hostname);
  putString(j, "domainname", s.domainname);
  putObjects(j, "mounts", s.mounts, mountToJson);
  Json hooks = hooksToJson(s.hooks);
  if (!hooks.empty()) j["hooks"] = std::move(hooks);
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  if (s.linux) j["linux"] = linuxToJson(*s.linux);
  return j;
}

}  // namespace berth::oci
