// docker create: the request's Config and HostConfig checked and merged with the image's config
// into the container's inspect document, its rootfs snapshot and files prepared, and the record
// stored in one transaction. Nothing runs yet.

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <set>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/container_mounts.h"
#include "oci/spec.h"
#include "storage/fs_tree.h"

namespace berth::engine {

namespace {

constexpr int64_t kMinMemory = 6 * 1024 * 1024;  // Docker's linuxMinMemory

Json stringArrayOrNull(const Json& j) {
  if (j.is_array()) return j;
  if (j.is_string()) return Json::array({j});
  return nullptr;
}

std::string envKey(const std::string& kv) {
  return kv.substr(0, kv.find('='));
}

// Docker's merge of the image's config under the request's (daemon/create.go mergeAndVerify).
Status mergeImageConfig(Json& cfg, const oci::ContainerConfig& img) {
  // The request's variables as given, then the image's whose names it does not set.
  std::vector<std::string> env;
  if (cfg.contains("Env") && cfg["Env"].is_array()) {
    for (const auto& e : cfg["Env"]) {
      if (!e.is_string()) return Error::invalid("invalid environment variable: {}", dumpJson(e));
      std::string kv = e.get<std::string>();
      if (kv.empty() || kv[0] == '=') return Error::invalid("invalid environment variable: {}", kv);
      env.push_back(std::move(kv));
    }
  }
  size_t given = env.size();
  for (const std::string& kv : img.env) {
    if (std::none_of(env.begin(), env.begin() + static_cast<std::ptrdiff_t>(given),
                     [&](const std::string& x) { return envKey(x) == envKey(kv); }))
      env.push_back(kv);
  }
  cfg["Env"] = env;
  Json entry = stringArrayOrNull(cfg.value("Entrypoint", Json()));
  Json cmd = stringArrayOrNull(cfg.value("Cmd", Json()));
  if (entry.is_null() || (entry.is_array() && entry.empty() && !cfg.contains("Entrypoint"))) {
    if (img.entrypoint) entry = *img.entrypoint;
    if (cmd.is_null() && img.cmd) cmd = *img.cmd;
  }
  // `--entrypoint ""` arrives as [""]: it keeps the image's entrypoint and command out, then
  // means none at all (moby's mergeAndVerifyConfig).
  if (entry.is_array() && entry.size() == 1 && entry[0] == "") entry = nullptr;
  cfg["Entrypoint"] = entry;
  cfg["Cmd"] = cmd;
  if (cfg.value("WorkingDir", "").empty()) cfg["WorkingDir"] = img.workingDir;
  if (cfg.value("User", "").empty()) cfg["User"] = img.user;
  Json labels = img.labels.empty() ? Json::object() : Json(img.labels);
  if (cfg.contains("Labels") && cfg["Labels"].is_object()) {
    for (const auto& [k, v] : cfg["Labels"].items()) labels[k] = v;
  }
  cfg["Labels"] = labels;
  Json volumes = cfg.value("Volumes", Json::object());
  if (!volumes.is_object()) volumes = Json::object();
  for (const auto& v : img.volumes) volumes[v] = Json::object();
  cfg["Volumes"] = volumes.empty() ? Json(nullptr) : volumes;
  Json ports = cfg.value("ExposedPorts", Json::object());
  if (!ports.is_object()) ports = Json::object();
  for (const auto& p : img.exposedPorts) ports[p] = Json::object();
  if (!ports.empty()) cfg["ExposedPorts"] = ports;
  if (cfg.value("StopSignal", "").empty() && !img.stopSignal.empty())
    cfg["StopSignal"] = img.stopSignal;
  if (!cfg.contains("OnBuild")) cfg["OnBuild"] = nullptr;
  return {};
}

Json defaultHostConfig() {
  return Json{{"Binds", nullptr},
              {"ContainerIDFile", ""},
              {"LogConfig", {{"Type", "json-file"}, {"Config", Json::object()}}},
              {"NetworkMode", "none"},
              {"PortBindings", Json::object()},
              {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}},
              {"AutoRemove", false},
              {"VolumeDriver", ""},
              {"VolumesFrom", nullptr},
              {"ConsoleSize", {0, 0}},
              {"CapAdd", nullptr},
              {"CapDrop", nullptr},
              {"CgroupnsMode", "private"},
              {"Dns", Json::array()},
              {"DnsOptions", Json::array()},
              {"DnsSearch", Json::array()},
              {"ExtraHosts", nullptr},
              {"GroupAdd", nullptr},
              {"IpcMode", "private"},
              {"Cgroup", ""},
              {"Links", nullptr},
              {"OomScoreAdj", 0},
              {"PidMode", ""},
              {"Privileged", false},
              {"PublishAllPorts", false},
              {"ReadonlyRootfs", false},
              {"SecurityOpt", nullptr},
              {"UTSMode", ""},
              {"UsernsMode", ""},
              {"ShmSize", 67108864},
              {"Runtime", "berth"},
              {"Isolation", ""},
              {"CpuShares", 0},
              {"Memory", 0},
              {"NanoCpus", 0},
              {"CgroupParent", ""},
              {"BlkioWeight", 0},
              {"BlkioWeightDevice", Json::array()},
              {"BlkioDeviceReadBps", Json::array()},
              {"BlkioDeviceWriteBps", Json::array()},
              {"BlkioDeviceReadIOps", Json::array()},
              {"BlkioDeviceWriteIOps", Json::array()},
              {"CpuPeriod", 0},
              {"CpuQuota", 0},
              {"CpuRealtimePeriod", 0},
              {"CpuRealtimeRuntime", 0},
              {"CpusetCpus", ""},
              {"CpusetMems", ""},
              {"Devices", Json::array()},
              {"DeviceCgroupRules", nullptr},
              {"DeviceRequests", nullptr},
              {"MemoryReservation", 0},
              {"MemorySwap", 0},
              {"MemorySwappiness", nullptr},
              {"OomKillDisable", nullptr},
              {"PidsLimit", nullptr},
              {"Ulimits", nullptr},
              {"CpuCount", 0},
              {"CpuPercent", 0},
              {"IOMaximumIOps", 0},
              {"IOMaximumBandwidth", 0},
              {"MaskedPaths", nullptr},
              {"ReadonlyPaths", nullptr},
              {"Init", nullptr},
              {"Tmpfs", nullptr},
              {"Mounts", nullptr}};
}

int64_t intField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->get<int64_t>();
}

bool isIpAddress(const std::string& s) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// --add-host NAME:IP (the API's form; the CLI also takes NAME=IP) -> {name, ip}.
Result<std::pair<std::string, std::string>> parseExtraHost(const std::string& h) {
  auto sep = h.find_first_of(":=");
  if (sep == std::string::npos || sep == 0)
    return Error::invalid("bad format for add-host: {:?}", h);
  std::string name = h.substr(0, sep), ip = h.substr(sep + 1);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  if (ip == "host-gateway")
    return Error::invalid(
        "add-host {:?}: host-gateway needs bridge networking, which berth does "
        "not have yet",
        h);
  if (!isIpAddress(ip)) return Error::invalid("invalid IP address in add-host: {:?}", ip);
  return std::pair{name, ip};
}

// /etc/resolv.conf as dockerd writes it: on the host's network the host's own; elsewhere the
// host's without loopback nameservers (unreachable from the container), Google's public ones
// when none remains. --dns, --dns-search and --dns-option replace their lines.
std::string resolvConf(const Json& hc, const std::string& host) {
  auto dns = stringList(hc, "Dns"), search = stringList(hc, "DnsSearch"),
       options = stringList(hc, "DnsOptions");
  bool hostNet = hc.value("NetworkMode", "") == "host";
  if (hostNet && dns.empty() && search.empty() && options.empty()) return host;
  std::vector<std::string> servers, hostSearch, hostOptions;
  for (const std::string& line : split(host, '\n', true)) {
    auto f = split(std::string(trim(line)), ' ', true);
    if (f.size() < 2 || f[0][0] == '#' || f[0][0] == ';') continue;
    if (f[0] == "nameserver") {
      bool loopback = startsWith(f[1], "127.") || f[1] == "::1";
      if (hostNet || !loopback) servers.push_back(f[1]);
    } else if (f[0] == "search" || f[0] == "domain") {
      hostSearch.assign(f.begin() + 1, f.end());
    } else if (f[0] == "options") {
      hostOptions.insert(hostOptions.end(), f.begin() + 1, f.end());
    }
  }
  if (!dns.empty()) servers = dns;
  if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
  if (search.empty()) search = hostSearch;
  if (options.empty()) options = hostOptions;
  std::string out;
  for (const std::string& n : servers) out += "nameserver " + n + "\n";
  if (!search.empty() && join(search, " ") != ".") out += "search " + join(search, " ") + "\n";
  if (!options.empty()) out += "options " + join(options, " ") + "\n";
  return out;
}

Status checkHostConfig(Json& hc, const EngineOptions& opts) {
  int64_t mem = intField(hc, "Memory");
  if (mem < 0) return Error::invalid("invalid memory limit {}", mem);
  if (mem > 0 && mem < kMinMemory) return Error::invalid("Minimum memory limit allowed is 6MB");
  int64_t swap = intField(hc, "MemorySwap");
  if (mem > 0 && swap > 0 && swap < mem) {
    return Error::invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
  }
  if (mem == 0 && swap > 0)
    return Error::invalid(
        "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (intField(hc, "NanoCpus") < 0) return Error::invalid("invalid NanoCpus value");
  if (intField(hc, "NanoCpus") > 0 &&
      (intField(hc, "CpuQuota") > 0 || intField(hc, "CpuPeriod") > 0)) {
    return Error::invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  }
  if (long ncpu = ::sysconf(_SC_NPROCESSORS_ONLN); intField(hc, "NanoCpus") > ncpu * 1000000000L) {
    return Error::invalid(
        "range of CPUs is from 0.01 to {}.00, as there are only {} CPUs available", ncpu, ncpu);
  }
  if (intField(hc, "ShmSize") < 0) return Error::invalid("SHM size can not be less than 0");
  if (intField(hc, "ShmSize") == 0) hc["ShmSize"] = 67108864;

  Json& rp = hc["RestartPolicy"];
  if (!rp.is_object()) rp = Json{{"Name", "no"}, {"MaximumRetryCount", 0}};
  std::string policy = rp.value("Name", "");
  if (policy.empty()) rp["Name"] = policy = "no";
  if (policy != "no" && policy != "always" && policy != "unless-stopped" &&
      policy != "on-failure") {
    return Error::invalid("invalid restart policy '{}'", policy);
  }
  int64_t retries = intField(rp, "MaximumRetryCount");
  if (retries < 0)
    return Error::invalid("invalid restart policy: maximum retry count cannot be negative");
  if (retries > 0 && policy != "on-failure") {
    return Error::invalid(
        "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  }
  if (policy != "no" && hc.value("AutoRemove", false)) {
    return Error::invalid("can't create 'AutoRemove' container with restart policy");
  }

  std::string net = hc.value("NetworkMode", "");
  if (net.empty() || net == "default") hc["NetworkMode"] = net = "none";
  if (net != "none" && net != "host") {
    return Error::invalid(
        "network mode {:?} is not supported yet: berth has no bridge networking before P5; use "
        "--network none (the default) or --network host",
        net);
  }
  if (hc.contains("PortBindings") && hc["PortBindings"].is_object() &&
      !hc["PortBindings"].empty()) {
    return Error::invalid(
        "publishing ports needs bridge networking, which berth does not have yet; "
        "use --network host and listen on the host's ports");
  }
  std::string runtime = hc.value("Runtime", "");
  if (runtime.empty()) hc["Runtime"] = runtime = "berth";
  if (runtime != "berth" && !opts.runtimes.count(runtime)) {
    return Error::invalid("unknown or invalid runtime name: {}", runtime);
  }
  std::string logType = hc["LogConfig"].value("Type", "");
  if (logType.empty()) hc["LogConfig"]["Type"] = logType = "json-file";
  if (logType != "json-file" && logType != "none") {
    return Error::invalid("logging driver {:?} is not supported: use json-file or none", logType);
  }
  // Namespace modes: a new namespace, or the host's. Joining another container's is refused
  // rather than silently giving the container its own.
  struct ModeRule {
    const char* key;
    const char* flag;
    std::set<std::string> allowed;
  };
  for (const ModeRule& r :
       {ModeRule{"PidMode", "--pid", {"", "host"}},
        ModeRule{"IpcMode", "--ipc", {"", "private", "shareable", "none", "host"}},
        ModeRule{"UTSMode", "--uts", {"", "host"}},
        ModeRule{"CgroupnsMode", "--cgroupns", {"", "private", "host"}},
        ModeRule{"UsernsMode", "--userns", {"", "host"}}}) {
    std::string mode = hc.value(r.key, "");
    if (r.allowed.count(mode)) continue;
    if (startsWith(mode, "container:"))
      return Error::invalid("{} {}: sharing another container's namespace is not supported yet",
                            r.flag, mode);
    return Error::invalid("invalid {} mode {:?}", r.flag, mode);
  }
  if (hc.value("UTSMode", "") == "host" && net != "host" && !hc.value("Hostname", "").empty())
    return Error::invalid("conflicting options: hostname and the UTS mode");
  TRY(checkCapabilities(hc));
  // The paths masked and made read-only in /proc and /sys, recorded as dockerd records them:
  // its defaults unless --privileged, none with --security-opt systempaths=unconfined.
  bool unconfinedPaths = false;
  for (const std::string& o : stringList(hc, "SecurityOpt"))
    unconfinedPaths |= o == "systempaths=unconfined" || o == "systempaths:unconfined";
  if (unconfinedPaths) {
    hc["MaskedPaths"] = Json::array();
    hc["ReadonlyPaths"] = Json::array();
  } else if (!hc.value("Privileged", false)) {
    // The runtime's defaults are docker's list.
    oci::Spec defaults = oci::defaultSpec();
    if (!hc["MaskedPaths"].is_array()) hc["MaskedPaths"] = defaults.linux->maskedPaths;
    if (!hc["ReadonlyPaths"].is_array()) hc["ReadonlyPaths"] = defaults.linux->readonlyPaths;
  }
  // Modes left empty are recorded as what the container gets (docker's inspect shows them).
  if (hc.value("IpcMode", "").empty()) hc["IpcMode"] = "private";
  if (hc.value("CgroupnsMode", "").empty()) hc["CgroupnsMode"] = "private";
  for (const std::string& h : stringList(hc, "ExtraHosts")) TRY(parseExtraHost(h));
  for (const std::string& d : stringList(hc, "Dns")) {
    if (!isIpAddress(d)) return Error::invalid("{} is not an ip address", d);
  }
  return {};
}

}  // namespace

Result<CreateResult> ContainerService::create(const std::string& requestedName, const Json& body) {
  auto& im = *impl_;
  if (!body.is_object()) return Error::invalid("container config must be a JSON object");
  std::string name = requestedName;
  if (!name.empty()) {
    static const std::regex kName("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
    if (!std::regex_match(name, kName)) {
      return Error::invalid(
          "Invalid container name ({}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name);
    }
    if (name[0] == '/') name = name.substr(1);
  }
  std::string imageRef = body.value("Image", "");
  if (imageRef.empty()) return Error::invalid("config.Image is required");

  Digest imageId;
  oci::ImageConfig imageConfig;
  {
    std::lock_guard g(im.imageMu);
    imageId = TRY(im.images.resolve(imageRef));
    imageConfig = TRY(im.images.config(imageId));
  }

  // Config: the request's top level minus HostConfig/NetworkingConfig.
  Json cfg = body;
  Json hc = defaultHostConfig();
  if (body.contains("HostConfig") && body["HostConfig"].is_object()) {
    for (const auto& [k, v] : body["HostConfig"].items()) {
      if (!v.is_null() || !hc.contains(k)) hc[k] = v;
    }
  }
  cfg.erase("HostConfig");
  cfg.erase("NetworkingConfig");
  TRY(checkHostConfig(hc, im.opts));
  TRY(mergeImageConfig(cfg, imageConfig.config));

  std::vector<std::string> argv;
  for (const char* key : {"Entrypoint", "Cmd"}) {
    if (cfg[key].is_array()) {
      for (const auto& a : cfg[key]) {
        if (!a.is_string()) return Error::invalid("config.{} must be a list of strings", key);
        argv.push_back(a.get<std::string>());
      }
    }
  }
  if (argv.empty()) return Error::invalid("No command specified");

  std::string id = randomHexId();
  if (cfg.value("Hostname", "").empty()) {
    cfg["Hostname"] = hc.value("NetworkMode", "") == "host" || hc.value("UTSMode", "") == "host"
                          ? ""
                          : id.substr(0, 12);
  }
  for (const char* key : {"Domainname", "User", "WorkingDir"}) {
    if (!cfg.contains(key) || !cfg[key].is_string()) cfg[key] = "";
  }
  for (const char* key :
       {"AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce"}) {
    if (!cfg.contains(key) || !cfg[key].is_boolean()) cfg[key] = false;
  }
  cfg["Image"] = imageRef;

  std::string bundle = im.bundleDir(id);
  Json doc = {{"Id", id},
              {"Created", nowRfc3339Nano()},
              {"Path", argv[0]},
              {"Args", std::vector<std::string>(argv.begin() + 1, argv.end())},
              {"State",
               {{"Status", "created"},
                {"Running", false},
                {"Paused", false},
                {"Restarting", false},
                {"OOMKilled", false},
                {"Dead", false},
                {"Pid", 0},
                {"ExitCode", 0},
                {"Error", ""},
                {"StartedAt", "0001-01-01T00:00:00Z"},
                {"FinishedAt", "0001-01-01T00:00:00Z"}}},
              {"Image", imageId.str()},
              {"ResolvConfPath", bundle + "/resolv.conf"},
              {"HostnamePath", bundle + "/hostname"},
              {"HostsPath", bundle + "/hosts"},
              {"LogPath", hc["LogConfig"]["Type"] == "none" ? "" : bundle + "/" + id + "-json.log"},
              {"Name", ""},
              {"RestartCount", 0},
              {"Driver", "overlay"},
              {"Platform", "linux"},
              {"MountLabel", ""},
              {"ProcessLabel", ""},
              {"AppArmorProfile", ""},
              {"ExecIDs", nullptr},
              {"HostConfig", hc},
              {"GraphDriver",
               {{"Name", "overlay"},
                {"Data",
                 {{"UpperDir", bundle + "/upper"},
                  {"WorkDir", bundle + "/work"},
                  {"MergedDir", bundle + "/rootfs"}}}}},
              {"Mounts", Json::array()},
              {"Config", cfg},
              {"NetworkSettings",
               {{"Bridge", ""},
                {"SandboxID", ""},
                {"HairpinMode", false},
                {"Ports", Json::object()},
                {"SandboxKey", ""},
                {"Networks", Json::object()}}}};

  auto c = std::make_shared<Container>();
  c->id = id;
  std::vector<std::string> anonymous, named;
  auto mounts = prepareMounts(im.opts.dataRoot, cfg, hc, anonymous, named);
  if (!mounts) return std::move(mounts).error();
  for (const std::string& v : named) TRY(im.ensureVolume(v, false));
  for (const std::string& v : anonymous) TRY(im.ensureVolume(v, true));
  doc["Mounts"] = *mounts;
  doc["_berth"] = {{"anonymousVolumes", anonymous}, {"volumeCopyUp", volumesToFill(*mounts, hc)}};

  // Files first, then the record: a crash in between leaves a directory without a record,
  // which open() removes.
  auto cleanup = [&] {
    (void)im.snapshots->remove(id);
    (void)storage::removeTree(bundle);
    for (const std::string& v : anonymous) (void)im.removeVolumeRecord(v);
  };
  if (auto st = im.snapshots->create(id); !st) {
    cleanup();
    return std::move(st).error().context("create container");
  }
  std::string hostname = cfg["Hostname"].get<std::string>();
  if (hostname.empty()) {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    hostname = buf;
  }
  bool hostNet = hc["NetworkMode"] == "host";
  // /etc/hosts: the host's own on its network, else docker's standard entries; then --add-host.
  std::string hosts =
      hostNet ? readFile("/etc/hosts").value_or("")
              : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
                "ff02::2\tip6-allrouters\n";
  if (!hosts.empty() && hosts.back() != '\n') hosts += '\n';
  for (const std::string& h : stringList(hc, "ExtraHosts")) {
    auto [hostName, ip] = TRY(parseExtraHost(h));
    hosts += ip + "\t" + hostName + "\n";
  }
  std::string resolv = resolvConf(hc, readFile("/etc/resolv.conf").value_or(""));
  // Atomic, not synced: a crash loses at most files a restart of berthd does not need (Docker
  // writes them without even the rename).
  constexpr auto kVolatile = Durability::Volatile;
  Status files = writeFileAtomic(bundle + "/hostname", hostname + "\n", 0644, kVolatile);
  if (files) files = writeFileAtomic(bundle + "/hosts", hosts, 0644, kVolatile);
  if (files) files = writeFileAtomic(bundle + "/resolv.conf", resolv, 0644, kVolatile);
  if (!files) {
    cleanup();
    return std::move(files).error().context("create container");
  }
  {
    std::lock_guard g(im.imageMu);
    if (auto st = im.images.addUser(imageId, id); !st) {
      cleanup();
      return std::move(st).error().context("create container");
    }
  }

  CreateResult result;
  result.id = id;
  {
    std::lock_guard g(im.mu);
    if (name.empty()) {
      std::set<std::string> taken;
      for (const auto& [n, _] : im.byName) taken.insert(n);
      name = generateName(taken);
    } else if (auto it = im.byName.find("/" + name); it != im.byName.end()) {
      cleanup();
      std::lock_guard ig(im.imageMu);
      (void)im.images.removeUser(imageId, id);
      return Error(
          ErrorKind::Conflict,
          fmt::format("Conflict. The container name \"/{}\" is already in use by container "
                      "\"{}\". You have to remove (or rename) that container to be able "
                      "to reuse that name.",
                      name, it->second));
    }
    doc["Name"] = "/" + name;
    c->doc = std::move(doc);
    if (auto st = im.save(*c); !st) {
      cleanup();
      std::lock_guard ig(im.imageMu);
      (void)im.images.removeUser(imageId, id);
      return std::move(st).error().context("create container");
    }
    im.byId[id] = c;
    im.byName["/" + name] = id;
    im.emit(c->doc, "create");
  }
  return result;
}

}  // namespace berth::engine
