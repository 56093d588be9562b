// The OCI runtime spec of a container, made as Docker's daemon/oci_linux.go makes it: the
// default capabilities, masked and read-only paths, devices and mounts, then the container's
// own user, environment, resources and security options on top.

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/container_mounts.h"
#include "engine/seccomp_profile.h"
#include "oci/capabilities.h"
#include "oci/spec.h"
#include "sys/syscalls.h"

namespace berth::engine {

std::vector<std::string> replaceOrAppendEnv(std::vector<std::string> env,
                                            const std::vector<std::string>& overrides) {
  auto key = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (const std::string& o : overrides) {
    auto it = std::find_if(env.begin(), env.end(),
                           [&](const std::string& e) { return key(e) == key(o); });
    if (o.find('=') == std::string::npos) {
      if (it != env.end()) env.erase(it);  // a bare NAME unsets it
    } else if (it != env.end()) {
      *it = o;
    } else {
      env.push_back(o);
    }
  }
  return env;
}

namespace {

const std::vector<std::string> kDefaultCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

// A file of the container's rootfs, resolved inside it (symlinks cannot climb out).
std::string readInRoot(const std::string& rootfs, const char* path) {
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return "";
  int fd = sys::openat2Raw(root.get(), path, O_RDONLY | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
  if (fd < 0) return "";
  UniqueFd f(fd);
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(f.get(), buf, sizeof buf)) > 0 && out.size() < (4u << 20)) out.append(buf, n);
  return out;
}

bool isNumber(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Where Docker mounts its init (tini) for run --init.
constexpr const char* kContainerInitPath = "/sbin/docker-init";

// berthd's --init-path as an absolute path to an executable file. A bare name is looked up in
// PATH, as Docker looks up docker-init.
Result<std::string> initBinary(const std::string& path) {
  std::string found = path;
  if (path.find('/') == std::string::npos) {
    const char* env = std::getenv("PATH");
    for (const std::string& dir : split(env ? env : "", ':', true)) {
      if (::access((dir + "/" + path).c_str(), X_OK) == 0) {
        found = dir + "/" + path;
        break;
      }
    }
  }
  if (!found.empty() && found[0] != '/') found = std::filesystem::absolute(found).string();
  struct stat st;
  int err = ::stat(found.c_str(), &st) != 0 ? errno : S_ISREG(st.st_mode) ? 0 : EISDIR;
  if (err == 0 && ::access(found.c_str(), X_OK) != 0) err = errno;
  if (err != 0) {
    return Error::make(ErrorKind::FailedPrecondition,
                       "--init: init binary {:?} (berthd --init-path): {}", found,
                       std::strerror(err));
  }
  return found;
}

struct ResolvedUser {
  oci::User user;
  std::string home = "/";
};

// "name", "uid", "name:group", "uid:gid" against the rootfs' /etc/passwd and /etc/group, with
// runc's rules: a numeric uid need not exist; a name must.
Result<ResolvedUser> resolveUser(const std::string& rootfs, const std::string& spec,
                                 const std::vector<std::string>& groupAdd) {
  ResolvedUser r;
  std::string userPart = spec, groupPart;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    userPart = spec.substr(0, colon);
    groupPart = spec.substr(colon + 1);
  }
  std::string passwd = readInRoot(rootfs, "/etc/passwd");
  std::string group = readInRoot(rootfs, "/etc/group");
  std::string userName;
  bool found = false;
  for (const std::string& line : split(passwd, '\n', true)) {
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    bool match = userPart.empty() ? f[2] == "0"
                                  : (f[0] == userPart || (isNumber(userPart) && f[2] == userPart));
    if (!match) continue;
    r.user.uid = static_cast<uint32_t>(parseUint(f[2], "uid").value_or(0));
    r.user.gid = static_cast<uint32_t>(parseUint(f[3], "gid").value_or(0));
    r.home = f[5].empty() ? "/" : f[5];
    userName = f[0];
    found = true;
    break;
  }
  if (!found) {
    if (userPart.empty()) {
      r.user.uid = 0;
    } else if (isNumber(userPart)) {
      r.user.uid = static_cast<uint32_t>(TRY(parseUint(userPart, "uid")));
    } else {
      return Error::invalid("unable to find user {}: no matching entries in passwd file", userPart);
    }
  }
  auto lookupGroup = [&](const std::string& g) -> Result<uint32_t> {
    for (const std::string& line : split(group, '\n', true)) {
      auto f = split(line, ':');
      if (f.size() < 3) continue;
      if (f[0] == g || (isNumber(g) && f[2] == g))
        return static_cast<uint32_t>(parseUint(f[2], "gid").value_or(0));
    }
    if (isNumber(g)) return static_cast<uint32_t>(TRY(parseUint(g, "gid")));
    return Error::invalid("unable to find group {}: no matching entries in group file", g);
  };
  if (!groupPart.empty()) r.user.gid = TRY(lookupGroup(groupPart));
  // Supplementary groups, as docker sets them: the primary group, then those listing the user
  // as a member (only when no group was forced), then --group-add.
  r.user.additionalGids.push_back(r.user.gid);
  if (groupPart.empty() && !userName.empty()) {
    for (const std::string& line : split(group, '\n', true)) {
      auto f = split(line, ':');
      if (f.size() < 4) continue;
      for (const std::string& m : split(f[3], ',', true)) {
        if (m == userName) {
          uint32_t gid = static_cast<uint32_t>(parseUint(f[2], "gid").value_or(0));
          if (gid != r.user.gid) r.user.additionalGids.push_back(gid);
        }
      }
    }
  }
  for (const std::string& g : groupAdd) r.user.additionalGids.push_back(TRY(lookupGroup(g)));
  return r;
}

int64_t num(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

std::string normalizeCap(std::string c) {
  c = toUpper(c);
  if (c != "ALL" && !startsWith(c, "CAP_")) c = "CAP_" + c;
  return c;
}

// Every capability in berthd's own bounding set (moby's GetAllCapabilities): --privileged and
// --cap-add ALL cannot give more, and asking for more fails the container's capset. This host
// kind, for one, lacks CAP_SYS_RESOURCE.
std::vector<std::string> allHostCapabilities() {
  uint64_t bounding = ~uint64_t{0};
  if (auto status = readFile("/proc/self/status")) {
    for (const std::string& line : split(*status, '\n', true)) {
      if (!startsWith(line, "CapBnd:")) continue;
      bounding = std::strtoull(std::string(trim(line.substr(7))).c_str(), nullptr, 16);
    }
  }
  std::vector<std::string> out;
  for (const std::string& name : oci::allCapabilityNames()) {
    auto n = oci::capabilityFromName(name);
    if (n && *n < 64 && (bounding >> *n & 1)) out.push_back(name);
  }
  return out;
}

Result<std::vector<std::string>> capabilities(const Json& hc) {
  if (hc.value("Privileged", false)) return allHostCapabilities();
  TRY(checkCapabilities(hc));
  std::vector<std::string> adds, drops;
  for (auto& c : stringList(hc, "CapAdd")) adds.push_back(normalizeCap(c));
  for (auto& c : stringList(hc, "CapDrop")) drops.push_back(normalizeCap(c));
  auto has = [](const std::vector<std::string>& v, const std::string& c) {
    return std::find(v.begin(), v.end(), c) != v.end();
  };
  std::vector<std::string> base = has(adds, "ALL") ? allHostCapabilities() : kDefaultCaps;
  std::vector<std::string> out;
  if (!has(drops, "ALL")) {
    for (const auto& c : base) {
      if (!has(drops, c)) out.push_back(c);
    }
  }
  for (const auto& c : adds) {
    if (c != "ALL" && !has(out, c)) out.push_back(c);
  }
  return out;
}

// Docker's allowed device list (the runtime adds the standard devices themselves).
std::vector<oci::DeviceCgroupRule> defaultDeviceRules() {
  using R = oci::DeviceCgroupRule;
  return {R{.allow = false, .type = "a", .access = "rwm"},
          R{.allow = true, .type = "c", .access = "m"},
          R{.allow = true, .type = "b", .access = "m"},
          R{.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 1, .minor = 8, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 1, .minor = 7, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 5, .minor = 0, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 1, .minor = 5, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 1, .minor = 9, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 5, .minor = 1, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 136, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 5, .minor = 2, .access = "rwm"},
          R{.allow = true, .type = "c", .major = 10, .minor = 200, .access = "rwm"}};
}

Status applyResources(oci::Linux& l, const Json& hc) {
  oci::Resources r;
  r.devices = defaultDeviceRules();
  if (hc.value("Privileged", false))
    r.devices = {oci::DeviceCgroupRule{.allow = true, .type = "a", .access = "rwm"}};
  oci::MemoryResources mem;
  bool anyMem = false;
  if (int64_t m = num(hc, "Memory"); m > 0) {
    mem.limit = m;
    anyMem = true;
    int64_t swap = num(hc, "MemorySwap");
    // Docker: no --memory-swap means swap may be as large as memory (limit+swap = 2x).
    mem.swap = swap == 0 ? 2 * m : swap;
  }
  if (int64_t v = num(hc, "MemoryReservation"); v > 0) {
    mem.reservation = v;
    anyMem = true;
  }
  if (hc.contains("MemorySwappiness") && hc["MemorySwappiness"].is_number() &&
      num(hc, "MemorySwappiness") >= 0) {
    mem.swappiness = static_cast<uint64_t>(num(hc, "MemorySwappiness"));
    anyMem = true;
  }
  if (hc.contains("OomKillDisable") && hc["OomKillDisable"].is_boolean()) {
    mem.disableOOMKiller = hc["OomKillDisable"].get<bool>();
    anyMem = true;
  }
  if (anyMem) r.memory = mem;
  oci::CpuResources cpu;
  bool anyCpu = false;
  if (int64_t s = num(hc, "CpuShares"); s > 0) {
    cpu.shares = static_cast<uint64_t>(s);
    anyCpu = true;
  }
  if (int64_t n = num(hc, "NanoCpus"); n > 0) {
    cpu.period = 100000;
    cpu.quota = n * 100000 / 1000000000;
    anyCpu = true;
  }
  if (int64_t q = num(hc, "CpuQuota"); q != 0) {
    cpu.quota = q;
    anyCpu = true;
  }
  if (int64_t p = num(hc, "CpuPeriod"); p > 0) {
    cpu.period = static_cast<uint64_t>(p);
    anyCpu = true;
  }
  cpu.cpus = hc.value("CpusetCpus", "");
  cpu.mems = hc.value("CpusetMems", "");
  if (!cpu.cpus.empty() || !cpu.mems.empty()) anyCpu = true;
  if (anyCpu) r.cpu = cpu;
  if (hc.contains("PidsLimit") && hc["PidsLimit"].is_number() && num(hc, "PidsLimit") != 0) {
    r.pidsLimit = num(hc, "PidsLimit") < 0 ? -1 : num(hc, "PidsLimit");
  }
  l.resources = std::move(r);
  return {};
}

Status applyDevices(oci::Linux& l, const Json& hc) {
  if (!hc.contains("Devices") || !hc["Devices"].is_array()) return {};
  for (const auto& d : hc["Devices"]) {
    std::string host = d.value("PathOnHost", ""), inCtr = d.value("PathInContainer", "");
    std::string perms = d.value("CgroupPermissions", "rwm");
    if (inCtr.empty()) inCtr = host;
    struct stat st;
    if (::stat(host.c_str(), &st) != 0)
      return Error::invalid(
          "error gathering device information while adding custom device {:?}: no such file or "
          "directory",
          host);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
      return Error::invalid(
          "error gathering device information while adding custom device {:?}: not a device node",
          host);
    oci::Device dev{.path = inCtr,
                    .type = S_ISCHR(st.st_mode) ? "c" : "b",
                    .major = static_cast<int64_t>(major(st.st_rdev)),
                    .minor = static_cast<int64_t>(minor(st.st_rdev)),
                    .fileMode = st.st_mode & 07777,
                    .uid = st.st_uid,
                    .gid = st.st_gid};
    l.devices.push_back(dev);
    l.resources->devices.push_back(oci::DeviceCgroupRule{
        .allow = true, .type = dev.type, .major = dev.major, .minor = dev.minor, .access = perms});
  }
  return {};
}

// --privileged: every device node under the host's /dev, as docker gives them (runc's
// HostDevices walk: not pts, shm, fd, mqueue or the console), and every device allowed.
void addHostDevices(oci::Linux& l) {
  std::function<void(const std::string&)> walk = [&](const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string path = dir + "/" + name;
      struct stat st;
      if (::lstat(path.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        static const std::set<std::string> kSkip = {"pts",  "shm",         "fd",   "mqueue",
                                                    ".lxc", ".lxd-mounts", ".udev"};
        if (!kSkip.count(name)) walk(path);
        continue;
      }
      if ((!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) || path == "/dev/console") continue;
      if (std::any_of(l.devices.begin(), l.devices.end(),
                      [&](const oci::Device& x) { return x.path == path; }))
        continue;
      l.devices.push_back({.path = path,
                           .type = S_ISCHR(st.st_mode) ? "c" : "b",
                           .major = static_cast<int64_t>(major(st.st_rdev)),
                           .minor = static_cast<int64_t>(minor(st.st_rdev)),
                           .fileMode = st.st_mode & 07777,
                           .uid = st.st_uid,
                           .gid = st.st_gid});
    }
    ::closedir(d);
  };
  walk("/dev");
  l.resources->devices = {oci::DeviceCgroupRule{.allow = true, .access = "rwm"}};
}

Result<std::vector<oci::Rlimit>> rlimits(const Json& hc) {
  std::vector<oci::Rlimit> out;
  if (!hc.contains("Ulimits") || !hc["Ulimits"].is_array()) return out;
  for (const auto& u : hc["Ulimits"]) {
    std::string name = "RLIMIT_" + toUpper(u.value("Name", ""));
    TRY(oci::rlimitFromName(name));
    out.push_back({.type = name,
                   .hard = static_cast<uint64_t>(num(u, "Hard")),
                   .soft = static_cast<uint64_t>(num(u, "Soft"))});
  }
  return out;
}

}  // namespace

Status checkCapabilities(const Json& hc) {
  for (const char* field : {"CapAdd", "CapDrop"}) {
    for (const auto& c : stringList(hc, field)) {
      std::string cap = normalizeCap(c);
      if (cap != "ALL" && !oci::capabilityFromName(cap))
        return Error::invalid("invalid {}: unknown capability: {:?}", field, cap);
    }
  }
  return {};
}

namespace {

// A section of linux.seccomp, checked as the runtime will read it, as text.
Result<std::string> checkedSeccompSection(const Json& section) {
  TRY(oci::seccompFromJson(section));
  return dumpJson(section);
}

// The builtin and the daemon's profile, resolved for a target, as checkedSeccompSection's text:
// kept for the daemon's life. The default profile alone is 8 KB of JSON, and resolving,
// checking and writing it out took a quarter of a millisecond of every start. nullopt: the
// profile turns seccomp off.
Result<std::optional<std::string>> cachedSeccompSection(std::string_view profile,
                                                        const Json& parsed,
                                                        const SeccompTarget& t) {
  static std::mutex mu;
  static std::map<std::string, std::optional<std::string>> byTarget;
  std::string key =
      fmt::format("{}|{}|{}.{}|{}", profile, t.arch, t.kernel, t.major, join(t.caps, ","));
  {
    std::lock_guard g(mu);
    if (auto it = byTarget.find(key); it != byTarget.end()) return it->second;
  }
  std::optional<std::string> text;
  if (auto section = TRY(seccompFromParsedProfile(parsed, t))) {
    text = TRY(checkedSeccompSection(*section));
  }
  std::lock_guard g(mu);
  byTarget.emplace(std::move(key), text);
  return text;
}

// A string value that stands for the seccomp section in the spec's JSON until the section's
// text replaces it: random, so that no value a client sends can be taken for it.
const std::string& seccompToken() {
  static const std::string token = "berth-seccomp-" + randomHexId();
  return token;
}

}  // namespace

Result<std::string> buildSpec(const ContainerService::Impl& im, const Json& doc,
                              const std::string& netnsPath) {
  const Json& cfg = doc["Config"];
  const Json& hc = doc["HostConfig"];
  std::string id = doc["Id"];
  std::string bundle = im.bundleDir(id);
  std::string rootfs = bundle + "/rootfs";
  bool privileged = hc.value("Privileged", false);

  oci::Spec s = oci::defaultSpec();
  s.root = {.path = "rootfs", .readonly = hc.value("ReadonlyRootfs", false)};
  s.hostname = cfg.value("Hostname", "");
  s.domainname = cfg.value("Domainname", "");

  oci::Process& p = *s.process;
  p.terminal = cfg.value("Tty", false);
  p.args.clear();
  p.args.push_back(doc["Path"]);
  for (const auto& a : doc["Args"]) p.args.push_back(a);
  p.cwd = cfg.value("WorkingDir", "");
  if (p.cwd.empty()) p.cwd = "/";
  ResolvedUser u = TRY(resolveUser(rootfs, cfg.value("User", ""), stringList(hc, "GroupAdd")));
  p.user = u.user;
  p.env = replaceOrAppendEnv({}, stringList(cfg, "Env"));
  auto hasEnv = [&](std::string_view k) {
    return std::any_of(p.env.begin(), p.env.end(),
                       [&](const std::string& e) { return startsWith(e, std::string(k) + "="); });
  };
  if (!hasEnv("PATH"))
    p.env.insert(p.env.begin(),
                 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!hasEnv("HOSTNAME") && !s.hostname.empty()) p.env.push_back("HOSTNAME=" + s.hostname);
  if (p.terminal && !hasEnv("TERM")) p.env.push_back("TERM=xterm");
  if (!hasEnv("HOME")) p.env.push_back("HOME=" + u.home);
  std::vector<std::string> caps = TRY(capabilities(hc));
  p.capabilities = oci::Capabilities{.bounding = caps, .effective = caps, .permitted = caps};
  p.rlimits = TRY(rlimits(hc));
  p.noNewPrivileges = false;
  p.oomScoreAdj = static_cast<int>(num(hc, "OomScoreAdj"));
  if (int64_t rows = 0; hc.contains("ConsoleSize") && hc["ConsoleSize"].is_array() &&
                        hc["ConsoleSize"].size() == 2 &&
                        (rows = hc["ConsoleSize"][0].get<int64_t>()) > 0) {
    p.consoleSize =
        oci::ConsoleSize{.height = static_cast<uint32_t>(rows),
                         .width = static_cast<uint32_t>(hc["ConsoleSize"][1].get<int64_t>())};
  }

  oci::Linux& l = *s.linux;
  l.namespaces.clear();
  // A namespace of its own unless its mode says the host's (--pid/--ipc/--uts/--cgroupns host,
  // --network host, which brings the host's hostname too, as Docker does).
  bool hostNet = hc.value("NetworkMode", "none") == "host";
  bool hostIpc = hc.value("IpcMode", "") == "host";
  for (auto [t, host] : {std::pair{oci::NamespaceType::Pid, hc.value("PidMode", "") == "host"},
                         {oci::NamespaceType::Ipc, hostIpc},
                         {oci::NamespaceType::Uts, hostNet || hc.value("UTSMode", "") == "host"},
                         {oci::NamespaceType::Mount, false},
                         {oci::NamespaceType::Cgroup, hc.value("CgroupnsMode", "") == "host"},
                         {oci::NamespaceType::Network, hostNet}}) {
    if (host) continue;
    l.namespaces.push_back({.type = t});
    if (t == oci::NamespaceType::Network) l.namespaces.back().path = netnsPath;
  }
  if (hostNet || hc.value("UTSMode", "") == "host") s.hostname.clear();
  if (hc.contains("Sysctls") && hc["Sysctls"].is_object()) {
    for (const auto& [k, v] : hc["Sysctls"].items())
      if (v.is_string()) l.sysctl[k] = v.get<std::string>();
  }
  if (!hostNet) {
    // Docker's defaults in a network namespace of the container's own (20.10+): any port and
    // ping for every user, as the container's root decides anyway.
    l.sysctl.try_emplace("net.ipv4.ip_unprivileged_port_start", "0");
    l.sysctl.try_emplace("net.ipv4.ping_group_range", "0 2147483647");
  }
  l.cgroupsPath = im.cgroupPath(doc);
  TRY(applyResources(l, hc));
  TRY(applyDevices(l, hc));
  if (privileged) {
    l.maskedPaths.clear();
    l.readonlyPaths.clear();
    addHostDevices(l);
  } else {
    // As recorded at create (containers created before that keep the runtime's defaults).
    for (auto [key, paths] :
         {std::pair{"MaskedPaths", &l.maskedPaths}, {"ReadonlyPaths", &l.readonlyPaths}}) {
      if (hc.contains(key) && hc[key].is_array()) *paths = stringList(hc, key);
    }
  }
  for (const std::string& opt : stringList(hc, "SecurityOpt")) {
    std::string key = opt, value;
    if (auto eq = opt.find_first_of("=:"); eq != std::string::npos) {
      key = opt.substr(0, eq);
      value = opt.substr(eq + 1);
    }
    if (key == "no-new-privileges") {
      p.noNewPrivileges = value.empty() || value == "true";
    } else if (key == "seccomp" || key == "apparmor" || key == "label" ||
               (key == "systempaths" && value == "unconfined")) {
      // seccomp handled on the JSON below; no AppArmor or SELinux on this host.
    } else {
      return Error::invalid("invalid --security-opt: {:?}", opt);
    }
  }

  // Mounts: Docker's defaults (shm sized by ShmSize), the container's files, then volumes.
  for (auto& m : s.mounts) {
    if (m.destination == "/dev/shm" && hostIpc) {
      // The host's IPC namespace shares the host's /dev/shm, as Docker does.
      m = {.destination = "/dev/shm",
           .type = "bind",
           .source = "/dev/shm",
           .options = {"rbind", "rprivate"}};
    } else if (m.destination == "/dev/shm") {
      m.options = {"nosuid", "noexec", "nodev", "mode=1777",
                   fmt::format("size={}", num(hc, "ShmSize"))};
    }
    if (m.destination == "/sys" && privileged) m.options = {"nosuid", "noexec", "nodev", "rw"};
    if (m.destination == "/sys/fs/cgroup" && privileged)
      std::replace(m.options.begin(), m.options.end(), std::string("ro"), std::string("rw"));
  }
  // The container's own mounts after Docker's defaults, ordered as Docker orders them: by the
  // depth of their destination, so a bind on /etc comes before the files mounted in it. A user
  // mount on one of the files replaces it.
  std::vector<oci::Mount> own = ociMounts(doc.value("Mounts", Json::array()), hc);
  auto clean = [](const std::string& path) { return oci::cleanPath(path).value_or(path); };
  auto userMounts = [&](const std::string& dst) {
    return std::any_of(own.begin(), own.end(),
                       [&](const oci::Mount& m) { return clean(m.destination) == dst; });
  };
  std::string ro = hc.value("ReadonlyRootfs", false) ? "ro" : "rw";
  for (const auto& [dst, src] : {std::pair{"/etc/resolv.conf", "resolv.conf"},
                                 {"/etc/hostname", "hostname"},
                                 {"/etc/hosts", "hosts"}}) {
    if (userMounts(dst)) continue;
    own.push_back({.destination = dst,
                   .type = "bind",
                   .source = bundle + "/" + src,
                   .options = {"rbind", "rprivate", ro}});
  }
  // run --init: the command runs under the init while inspect's Path and Args stay the user's,
  // as Docker's do.
  if (hc.contains("Init") && hc["Init"].is_boolean() && hc["Init"].get<bool>()) {
    std::string init = TRY(initBinary(im.opts.initPath));
    own.push_back({.destination = kContainerInitPath,
                   .type = "bind",
                   .source = init,
                   .options = {"rbind", "rprivate", "ro"}});
    p.args.insert(p.args.begin(), {kContainerInitPath, "--"});
  }
  auto depth = [&](const oci::Mount& m) { return split(clean(m.destination), '/', true).size(); };
  std::stable_sort(own.begin(), own.end(),
                   [&](const oci::Mount& a, const oci::Mount& b) { return depth(a) < depth(b); });
  for (auto& m : own) s.mounts.push_back(std::move(m));

  Json spec = oci::specToJson(s);
  // Seccomp as Docker's daemon sets it: none for --privileged or seccomp=unconfined, the given
  // profile (the docker CLI sends its content; a path is read here), else the daemon's
  // (--seccomp-profile: builtin, unconfined or a file); conditional rules are resolved against
  // the bounding set and this host.
  spec["linux"].erase("seccomp");
  std::optional<std::string> seccomp;  // the section's text, spliced into the spec's below
  if (!privileged) {
    std::string profile;
    for (const std::string& opt : stringList(hc, "SecurityOpt")) {
      if (startsWith(opt, "seccomp=") || startsWith(opt, "seccomp:")) profile = opt.substr(8);
    }
    if (profile.empty() || profile == "builtin") profile = im.opts.seccompProfile;
    if (profile != "unconfined") {
      SeccompTarget target = hostSeccompTarget(caps);
      if (profile == "builtin") {
        seccomp = TRY(cachedSeccompSection(profile, defaultSeccompProfileJson(), target));
      } else if (profile == im.opts.seccompProfile && im.opts.seccompProfileJson) {
        seccomp = TRY_CTX(cachedSeccompSection(profile, *im.opts.seccompProfileJson, target),
                          "daemon seccomp profile {}", profile);
      } else {
        std::optional<Json> section;
        if (profile[0] == '/') {
          std::string text = TRY_CTX(readFile(profile), "seccomp profile {}", profile);
          section = TRY(seccompFromProfile(text, target));
        } else {
          section = TRY(seccompFromProfile(profile, target));
        }
        if (section) seccomp = TRY(checkedSeccompSection(*section));
      }
    }
  }
  // Checked the same way the runtime will, so that a bad option fails create/start cleanly.
  TRY(oci::specFromJson(spec));
  if (!seccomp) return dumpJson(spec);
  const std::string& token = seccompToken();
  spec["linux"]["seccomp"] = token;
  std::string text = dumpJson(spec);
  text.replace(text.find('"' + token + '"'), token.size() + 2, *seccomp);
  return text;
}

Result<std::string> buildExecProcess(const ContainerService::Impl& im, const Json& doc,
                                     const ExecConfig& cfg) {
  std::string rootfs = im.bundleDir(doc["Id"]) + "/rootfs";
  const Json& ccfg = doc["Config"];
  const Json& hc = doc["HostConfig"];
  oci::Process p;
  p.terminal = cfg.tty;
  p.args = cfg.cmd;
  if (p.args.empty()) return Error::invalid("No exec command specified");
  std::string user = cfg.user.empty() ? ccfg.value("User", "") : cfg.user;
  ResolvedUser u = TRY(resolveUser(rootfs, user, stringList(hc, "GroupAdd")));
  p.user = u.user;
  p.env = replaceOrAppendEnv(replaceOrAppendEnv({}, stringList(ccfg, "Env")), cfg.env);
  auto hasEnv = [&](std::string_view k) {
    return std::any_of(p.env.begin(), p.env.end(),
                       [&](const std::string& e) { return startsWith(e, std::string(k) + "="); });
  };
  if (!hasEnv("PATH"))
    p.env.insert(p.env.begin(),
                 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!hasEnv("HOSTNAME") && !ccfg.value("Hostname", "").empty())
    p.env.push_back("HOSTNAME=" + ccfg.value("Hostname", ""));
  if (p.terminal && !hasEnv("TERM")) p.env.push_back("TERM=xterm");
  if (!hasEnv("HOME")) p.env.push_back("HOME=" + u.home);
  p.cwd = cfg.workingDir.empty() ? ccfg.value("WorkingDir", "") : cfg.workingDir;
  if (p.cwd.empty()) p.cwd = "/";
  std::vector<std::string> caps = cfg.privileged ? allHostCapabilities() : TRY(capabilities(hc));
  p.capabilities = oci::Capabilities{.bounding = caps, .effective = caps, .permitted = caps};
  for (const std::string& opt : stringList(hc, "SecurityOpt")) {
    if (opt == "no-new-privileges" || opt == "no-new-privileges:true" ||
        opt == "no-new-privileges=true")
      p.noNewPrivileges = true;
  }
  return dumpJson(oci::processToJson(p));
}

}  // namespace berth::engine
