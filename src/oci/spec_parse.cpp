// config.json -> Spec: the top level, process, mounts and hooks. The "linux" object is parsed in
// linux_parse.cpp. Unknown fields are ignored so configs from newer spec versions still load.

#include "base/strings.h"
#include "oci/json_read.h"
#include "oci/parse_internal.h"
#include "oci/spec.h"

namespace berth::oci {
namespace detail {
namespace {

Result<User> parseUser(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  User u;
  TRY(read(j, "uid", path, u.uid));
  TRY(read(j, "gid", path, u.gid));
  TRY(read(j, "umask", path, u.umask));
  TRY(read(j, "additionalGids", path, u.additionalGids));
  return u;
}

Result<Capabilities> parseCapabilities(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Capabilities c;
  TRY(read(j, "bounding", path, c.bounding));
  TRY(read(j, "effective", path, c.effective));
  TRY(read(j, "inheritable", path, c.inheritable));
  TRY(read(j, "permitted", path, c.permitted));
  TRY(read(j, "ambient", path, c.ambient));
  return c;
}

Result<Rlimit> parseRlimit(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Rlimit r;
  TRY(read(j, "type", path, r.type));
  TRY(read(j, "hard", path, r.hard));
  TRY(read(j, "soft", path, r.soft));
  return r;
}

Result<ConsoleSize> parseConsoleSize(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  ConsoleSize c;
  TRY(read(j, "height", path, c.height));
  TRY(read(j, "width", path, c.width));
  return c;
}

Result<Mount> parseMount(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Mount m;
  TRY(read(j, "destination", path, m.destination));
  TRY(read(j, "type", path, m.type));
  TRY(read(j, "source", path, m.source));
  TRY(read(j, "options", path, m.options));
  return m;
}

Result<Hook> parseHook(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Hook h;
  TRY(read(j, "path", path, h.path));
  TRY(read(j, "args", path, h.args));
  TRY(read(j, "env", path, h.env));
  TRY(read(j, "timeout", path, h.timeout));
  return h;
}

Result<Hooks> parseHooks(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Hooks h;
  TRY(readList(j, "prestart", path, h.prestart, parseHook));
  TRY(readList(j, "createRuntime", path, h.createRuntime, parseHook));
  TRY(readList(j, "createContainer", path, h.createContainer, parseHook));
  TRY(readList(j, "startContainer", path, h.startContainer, parseHook));
  TRY(readList(j, "poststart", path, h.poststart, parseHook));
  TRY(readList(j, "poststop", path, h.poststop, parseHook));
  return h;
}

Result<Root> parseRoot(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Root r;
  TRY(read(j, "path", path, r.path));
  TRY(read(j, "readonly", path, r.readonly));
  return r;
}

Result<Spec> parseSpecObject(const Json& j) {
  TRY(expectObject(j, "config"));
  Spec s;
  TRY(read(j, "ociVersion", "", s.ociVersion));
  if (const Json* p = member(j, "process")) s.process = TRY(parseProcess(*p, "process"));
  if (const Json* r = member(j, "root")) s.root = TRY(parseRoot(*r, "root"));
  TRY(read(j, "hostname", "", s.hostname));
  TRY(read(j, "domainname", "", s.domainname));
  TRY(readList(j, "mounts", "", s.mounts, parseMount));
  if (const Json* h = member(j, "hooks")) s.hooks = TRY(parseHooks(*h, "hooks"));
  TRY(read(j, "annotations", "", s.annotations));
  if (const Json* l = member(j, "linux")) s.linux = TRY(parseLinux(*l, "linux"));
  return s;
}

}  // namespace

Result<Process> parseProcess(const Json& j, const std::string& path) {
  TRY(expectObject(j, path));
  Process p;
  TRY(read(j, "terminal", path, p.terminal));
  if (const Json* c = member(j, "consoleSize")) {
    p.consoleSize = TRY(parseConsoleSize(*c, fieldPath(path, "consoleSize")));
  }
  if (const Json* u = member(j, "user")) p.user = TRY(parseUser(*u, fieldPath(path, "user")));
  TRY(read(j, "args", path, p.args));
  TRY(read(j, "env", path, p.env));
  TRY(read(j, "cwd", path, p.cwd));
  if (const Json* c = member(j, "capabilities")) {
    p.capabilities = TRY(parseCapabilities(*c, fieldPath(path, "capabilities")));
  }
  TRY(readList(j, "rlimits", path, p.rlimits, parseRlimit));
  TRY(read(j, "noNewPrivileges", path, p.noNewPrivileges));
  TRY(read(j, "apparmorProfile", path, p.apparmorProfile));
  TRY(read(j, "selinuxLabel", path, p.selinuxLabel));
  TRY(read(j, "oomScoreAdj", path, p.oomScoreAdj));
  return p;
}

}  // namespace detail

namespace {

// nlohmann throws on misuse that the readers are meant to rule out; a bug there still must not
// escape as an exception from a parser fed with untrusted input.
template <typename F>
auto guarded(F f) -> decltype(f()) {
  try {
    return f();
  } catch (const Json::exception& e) {
    return Error::invalid("{}", e.what());
  }
}

}  // namespace

Result<Spec> specFromJson(const Json& j) {
  return guarded([&]() -> Result<Spec> {
    auto s = detail::parseSpecObject(j);
    if (!s) return std::move(s).error().context("invalid config");
    if (auto st = validateSpec(*s); !st) return std::move(st).error().context("invalid config");
    return s;
  });
}

Result<Spec> parseSpec(std::string_view text) {
  auto j = parseJson(text, "config.json");
  if (!j) return std::move(j).error().context("invalid config");
  return specFromJson(*j);
}

Result<Process> processFromJson(const Json& j) {
  return guarded([&]() -> Result<Process> {
    auto p = detail::parseProcess(j, "process");
    if (!p) return std::move(p).error().context("invalid process");
    if (auto st = validateProcess(*p); !st) return std::move(st).error().context("invalid process");
    return p;
  });
}

Result<Seccomp> seccompFromJson(const Json& j) {
  return guarded([&]() -> Result<Seccomp> {
    auto s = detail::parseSeccomp(j, "linux.seccomp");
    if (!s) return std::move(s).error().context("invalid config");
    if (auto st = validateSeccomp(*s); !st) return std::move(st).error().context("invalid config");
    return s;
  });
}

Result<Resources> resourcesFromJson(const Json& j) {
  return guarded([&]() -> Result<Resources> {
    auto r = detail::parseResources(j, "resources");
    if (!r) return std::move(r).error().context("invalid resources");
    return r;
  });
}

}  // namespace berth::oci
