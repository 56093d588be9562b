#include "cli/commands/container_config.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "base/file.h"
#include "base/strings.h"
#include "cli/commands/common.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

Json keyValues(const std::vector<std::string>& items) {
  Json m = Json::object();
  for (const auto& kv : items) {
    auto eq = kv.find('=');
    m[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return m;
}

Json list(const std::vector<std::string>& v) {
  return v.empty() ? Json::array() : Json(v);
}

bool changed(const ContainerOptions& o, std::string_view name) {
  return o.flags && o.flags->changed(name);
}

// --security-opt seccomp=<file> carries the profile itself, as docker reads it client side.
Result<std::vector<std::string>> securityOpts(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& opt : in) {
    std::string s = opt;
    auto sep = s.find_first_of("=:");
    if (sep != std::string::npos && s.substr(0, sep) == "seccomp") {
      std::string file = s.substr(sep + 1);
      if (file != "unconfined" && file != "builtin") {
        std::string text = TRY_CTX(readFile(file), "opening seccomp profile ({}) failed", file);
        Json profile =
            TRY_CTX(parseJson(text, file), "compacting json for seccomp profile ({}) failed", file);
        s = "seccomp=" + dumpJson(profile);
      }
    }
    out.push_back(s);
  }
  return out;
}

// -v SRC:DST[:MODE] binds (a relative SRC made absolute, as docker 23+ does) and -v DST
// anonymous volumes.
Status addVolumes(const std::vector<std::string>& specs, Json& binds, Json& volumes) {
  for (const auto& v : specs) {
    auto parts = split(v, ':');
    if (parts.size() == 1) {
      if (!startsWith(v, "/")) {
        return Error::invalid("invalid volume specification: '{}'", v);
      }
      volumes[v] = Json::object();
      continue;
    }
    if (parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
      return Error::invalid("invalid volume specification: '{}'", v);
    }
    if (startsWith(parts[0], ".")) {
      std::error_code ec;
      auto abs = std::filesystem::absolute(parts[0], ec);
      if (!ec) parts[0] = abs.lexically_normal().string();
      while (parts[0].size() > 1 && parts[0].back() == '/') parts[0].pop_back();
    }
    binds.push_back(join(parts, ":"));
  }
  return {};
}

Result<Json> gpuRequests(const std::string& spec) {
  Json req = {{"Driver", ""},
              {"Count", 0},
              {"DeviceIDs", nullptr},
              {"Capabilities", Json::array({Json::array({"gpu"})})},
              {"Options", nullptr}};
  std::string s = spec;
  if (startsWith(s, "\"") && endsWith(s, "\"") && s.size() >= 2) s = s.substr(1, s.size() - 2);
  if (s == "all") {
    req["Count"] = -1;
    return Json::array({req});
  }
  // "device=0,1" lists devices; other fields are key=value, comma separated.
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    std::string field = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? s.size() : comma + 1;
    auto eq = field.find('=');
    std::string key = field.substr(0, eq),
                val = eq == std::string::npos ? "" : field.substr(eq + 1);
    if (eq == std::string::npos) {
      if (key == "all") {
        req["Count"] = -1;
        continue;
      }
      auto n = parseInt(key, "count");
      if (!n) return Error::invalid("unexpected key '{}' in '{}'", key, spec);
      req["Count"] = *n;
    } else if (key == "count") {
      if (val == "all") {
        req["Count"] = -1;
      } else {
        req["Count"] = TRY(parseInt(val, "count"));
      }
    } else if (key == "device") {
      req["DeviceIDs"] = Json::array();
      req["DeviceIDs"].push_back(val);
      // Following bare values belong to the device list ("device=0,1").
      while (pos < s.size() && s.find('=', pos) > s.find(',', pos)) {
        size_t c2 = s.find(',', pos);
        req["DeviceIDs"].push_back(s.substr(pos, c2 - pos));
        pos = c2 + 1;
      }
      if (pos < s.size() && s.find('=', pos) == std::string::npos) {
        req["DeviceIDs"].push_back(s.substr(pos));
        pos = s.size();
      }
    } else if (key == "driver") {
      req["Driver"] = val;
    } else if (key == "capabilities") {
      req["Capabilities"] = Json::array({Json::array({val})});
    } else {
      return Error::invalid("unexpected key '{}' in '{}'", key, spec);
    }
  }
  return Json::array({req});
}

// A flag kept as text but checked when given, as docker's typed flags (bytes, decimal,
// ulimit) reject a bad value while parsing, with the flag named in the error.
template <typename Check>
void checkedVar(FlagSet& fs, std::string* p, const char* name, char shorthand, const char* type,
                const char* usage, Check check) {
  fs.funcVar(name, shorthand, type, usage, [p, check](std::string_view v) -> Status {
    TRY(check(v));
    *p = std::string(v);
    return {};
  });
}

template <typename Check>
void checkedList(FlagSet& fs, std::vector<std::string>* p, const char* name, const char* type,
                 const char* usage, Check check) {
  fs.funcVar(name, 0, type, usage, [p, check](std::string_view v) -> Status {
    TRY(check(v));
    p->emplace_back(v);
    return {};
  });
}

Result<int64_t> durationFlag(const std::string& v) {
  if (v.empty()) return int64_t{0};
  return parseGoDuration(v);
}

}  // namespace

void addContainerFlags(FlagSet& fs, ContainerOptions& o) {
  o.flags = &fs;
  fs.listVar(&o.addHost, "add-host", 0, "Add a custom host-to-IP mapping (host:ip)");
  fs.listVar(&o.attach, "attach", 'a', "Attach to STDIN, STDOUT or STDERR");
  fs.int64Var(&o.blkioWeight, "blkio-weight", 0,
              "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)");
  fs.listVar(&o.capAdd, "cap-add", 0, "Add Linux capabilities");
  fs.listVar(&o.capDrop, "cap-drop", 0, "Drop Linux capabilities");
  fs.stringVar(&o.cgroupParent, "cgroup-parent", 0, "Optional parent cgroup for the container");
  fs.stringVar(&o.cgroupns, "cgroupns", 0, "Cgroup namespace to use (host|private)");
  fs.stringVar(&o.cidfile, "cidfile", 0, "Write the container ID to the file");
  fs.int64Var(&o.cpuPeriod, "cpu-period", 0, "Limit CPU CFS (Completely Fair Scheduler) period");
  fs.int64Var(&o.cpuQuota, "cpu-quota", 0, "Limit CPU CFS (Completely Fair Scheduler) quota");
  fs.int64Var(&o.cpuShares, "cpu-shares", 'c', "CPU shares (relative weight)");
  checkedVar(fs, &o.cpus, "cpus", 0, "decimal", "Number of CPUs", parseNanoCpus);
  fs.stringVar(&o.cpusetCpus, "cpuset-cpus", 0, "CPUs in which to allow execution (0-3, 0,1)");
  fs.stringVar(&o.cpusetMems, "cpuset-mems", 0, "MEMs in which to allow execution (0-3, 0,1)");
  checkedList(fs, &o.devices, "device", "list", "Add a host device to the container", parseDevice);
  fs.listVar(&o.dns, "dns", 0, "Set custom DNS servers");
  fs.listVar(&o.dnsOption, "dns-option", 0, "Set DNS options");
  fs.listVar(&o.dnsSearch, "dns-search", 0, "Set custom DNS search domains");
  fs.stringVar(&o.domainname, "domainname", 0, "Container NIS domain name");
  fs.stringVar(&o.entrypoint, "entrypoint", 0, "Overwrite the default ENTRYPOINT of the image");
  fs.listVar(&o.env, "env", 'e', "Set environment variables");
  fs.listVar(&o.envFile, "env-file", 0, "Read in a file of environment variables");
  fs.listVar(&o.expose, "expose", 0, "Expose a port or a range of ports");
  fs.stringVar(&o.gpus, "gpus", 0, "GPU devices to add to the container ('all' to pass all GPUs)");
  fs.listVar(&o.groupAdd, "group-add", 0, "Add additional groups to join");
  fs.stringVar(&o.healthCmd, "health-cmd", 0, "Command to run to check health");
  fs.stringVar(&o.healthInterval, "health-interval", 0,
               "Time between running the check (ms|s|m|h) (default 0s)");
  fs.intVar(&o.healthRetries, "health-retries", 0,
            "Consecutive failures needed to report unhealthy");
  fs.stringVar(&o.healthStartPeriod, "health-start-period", 0,
               "Start period for the container to initialize before starting health-retries "
               "countdown (ms|s|m|h) (default 0s)");
  fs.stringVar(&o.healthTimeout, "health-timeout", 0,
               "Maximum time to allow one check to run (ms|s|m|h) (default 0s)");
  fs.stringVar(&o.hostname, "hostname", 'h', "Container host name");
  fs.boolVar(&o.init, "init", 0,
             "Run an init inside the container that forwards signals and reaps processes");
  fs.boolVar(&o.interactive, "interactive", 'i', "Keep STDIN open even if not attached");
  fs.stringVar(&o.ipc, "ipc", 0, "IPC mode to use");
  fs.stringVar(&o.isolation, "isolation", 0, "Container isolation technology");
  fs.listVar(&o.label, "label", 'l', "Set meta data on a container");
  fs.listVar(&o.labelFile, "label-file", 0, "Read in a line delimited file of labels");
  fs.stringVar(&o.logDriver, "log-driver", 0, "Logging driver for the container");
  fs.listVar(&o.logOpt, "log-opt", 0, "Log driver options");
  fs.stringVar(&o.macAddress, "mac-address", 0, "Container MAC address (e.g., 92:d0:c6:0a:29:33)");
  checkedVar(fs, &o.memory, "memory", 'm', "bytes", "Memory limit", parseRamBytes);
  checkedVar(fs, &o.memoryReservation, "memory-reservation", 0, "bytes", "Memory soft limit",
             parseRamBytes);
  checkedVar(fs, &o.memorySwap, "memory-swap", 0, "bytes",
             "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
             [](std::string_view v) -> Result<int64_t> {
               return v == "-1" ? int64_t{-1} : parseRamBytes(v);
             });
  checkedList(fs, &o.mounts, "mount", "mount", "Attach a filesystem mount to the container",
              parseMount);
  fs.stringVar(&o.name, "name", 0, "Assign a name to the container");
  fs.stringVar(&o.network, "network", 0, "Connect a container to a network");
  fs.funcVar("net", 0, "string", "Connect a container to a network",
             [&o](std::string_view v) -> Status {
               o.network = std::string(v);
               return {};
             });
  fs.hide("net");
  fs.boolVar(&o.noHealthcheck, "no-healthcheck", 0, "Disable any container-specified HEALTHCHECK");
  fs.boolVar(&o.oomKillDisable, "oom-kill-disable", 0, "Disable OOM Killer");
  fs.int64Var(&o.oomScoreAdj, "oom-score-adj", 0, "Tune host's OOM preferences (-1000 to 1000)");
  fs.stringVar(&o.pid, "pid", 0, "PID namespace to use");
  fs.int64Var(&o.pidsLimit, "pids-limit", 0, "Tune container pids limit (set -1 for unlimited)");
  fs.stringVar(&o.platform, "platform", 0, "Set platform if server is multi-platform capable");
  fs.boolVar(&o.privileged, "privileged", 0, "Give extended privileges to this container");
  fs.listVar(&o.publish, "publish", 'p', "Publish a container's port(s) to the host");
  fs.boolVar(&o.publishAll, "publish-all", 'P', "Publish all exposed ports to random ports");
  fs.stringVar(&o.pull, "pull", 0,
               "Pull image before creating (\"always\", \"missing\", \"never\")");
  fs.boolVar(&o.quiet, "quiet", 'q', "Suppress the pull output");
  fs.boolVar(&o.readOnly, "read-only", 0, "Mount the container's root filesystem as read only");
  o.restart = "no";
  fs.stringVar(&o.restart, "restart", 0, "Restart policy to apply when a container exits");
  fs.boolVar(&o.autoRemove, "rm", 0,
             "Automatically remove the container and its associated anonymous volumes when it "
             "exits");
  fs.stringVar(&o.runtime, "runtime", 0, "Runtime to use for this container");
  fs.listVar(&o.securityOpt, "security-opt", 0, "Security Options");
  checkedVar(fs, &o.shmSize, "shm-size", 0, "bytes", "Size of /dev/shm", parseRamBytes);
  fs.stringVar(&o.stopSignal, "stop-signal", 0, "Signal to stop the container");
  fs.intVar(&o.stopTimeout, "stop-timeout", 0, "Timeout (in seconds) to stop a container");
  fs.listVar(&o.storageOpt, "storage-opt", 0, "Storage driver options for the container");
  fs.listVar(&o.sysctl, "sysctl", 0, "Sysctl options", "map");
  fs.listVar(&o.tmpfs, "tmpfs", 0, "Mount a tmpfs directory");
  fs.boolVar(&o.tty, "tty", 't', "Allocate a pseudo-TTY");
  checkedList(fs, &o.ulimits, "ulimit", "ulimit", "Ulimit options", parseUlimit);
  fs.stringVar(&o.user, "user", 'u', "Username or UID (format: <name|uid>[:<group|gid>])");
  fs.stringVar(&o.userns, "userns", 0, "User namespace to use");
  fs.stringVar(&o.uts, "uts", 0, "UTS namespace to use");
  fs.listVar(&o.volumes, "volume", 'v', "Bind mount a volume");
  fs.listVar(&o.volumesFrom, "volumes-from", 0, "Mount volumes from the specified container(s)");
  fs.stringVar(&o.workdir, "workdir", 'w', "Working directory inside the container");
}

Result<CreateRequest> buildCreateRequest(const ContainerOptions& o, const Args& args) {
  CreateRequest req;
  req.image = args[0];
  bool attachIn = false, attachOut = false, attachErr = false;
  for (const auto& a : o.attach) {
    std::string s = toLower(a);
    if (s == "stdin") {
      attachIn = true;
    } else if (s == "stdout") {
      attachOut = true;
    } else if (s == "stderr") {
      attachErr = true;
    } else {
      return Error::invalid(
          "invalid argument \"{}\" for \"-a, --attach\" flag: valid streams "
          "are STDIN, STDOUT and STDERR",
          a);
    }
  }
  if (o.interactive) attachIn = true;
  if (o.attach.empty()) attachOut = attachErr = true;

  std::vector<std::string> env;
  for (const auto& f : o.envFile) {
    auto lines = TRY(readKvFile(f, true));
    env.insert(env.end(), lines.begin(), lines.end());
  }
  for (const auto& e : o.env) {
    if (e.empty() || e[0] == '=') return Error::invalid("invalid environment variable: {}", e);
    env.push_back(resolveEnv(e));
  }
  std::vector<std::string> labels;
  for (const auto& f : o.labelFile) {
    auto lines = TRY(readKvFile(f, false));
    labels.insert(labels.end(), lines.begin(), lines.end());
  }
  labels.insert(labels.end(), o.label.begin(), o.label.end());

  Json exposed = Json::object(), bindings = Json::object();
  for (const auto& p : o.publish) TRY(parsePort(p, exposed, bindings));
  for (const auto& e : o.expose) {
    Json ignore = Json::object();
    TRY(parsePort(e, exposed, ignore));
  }
  Json binds = Json::array(), volumes = Json::object();
  TRY(addVolumes(o.volumes, binds, volumes));
  Json mounts = Json::array();
  for (const auto& m : o.mounts) mounts.push_back(TRY(parseMount(m)));
  Json tmpfs = Json::object();
  for (const auto& t : o.tmpfs) {
    auto colon = t.find(':');
    tmpfs[t.substr(0, colon)] = colon == std::string::npos ? "" : t.substr(colon + 1);
  }
  Json devices = Json::array();
  for (const auto& d : o.devices) devices.push_back(TRY(parseDevice(d)));
  Json ulimits = Json::array();
  for (const auto& u : o.ulimits) ulimits.push_back(TRY(parseUlimit(u)));
  Json restart = TRY(parseRestart(o.restart));
  if (o.autoRemove && restart["Name"] != "no") {
    return Error::invalid("conflicting options: cannot specify both --restart and --rm");
  }

  Json config = {
      {"Hostname", o.hostname},
      {"Domainname", o.domainname},
      {"User", o.user},
      {"AttachStdin", attachIn},
      {"AttachStdout", attachOut},
      {"AttachStderr", attachErr},
      {"Tty", o.tty},
      {"OpenStdin", o.interactive},
      // docker: when stdin is attached, close it once the client disconnects.
      {"StdinOnce", o.interactive && attachIn},
      {"Env", env},
      {"Cmd", args.size() > 1 ? Json(Args(args.begin() + 1, args.end())) : Json(nullptr)},
      {"Image", req.image},
      {"Volumes", volumes.empty() ? Json(nullptr) : volumes},
      {"WorkingDir", o.workdir},
      {"Entrypoint", nullptr},
      {"Labels", keyValues(labels)},
  };
  if (!exposed.empty()) config["ExposedPorts"] = exposed;
  if (!o.entrypoint.empty()) {
    config["Entrypoint"] = Json::array({o.entrypoint});
  } else if (changed(o, "entrypoint")) {
    // `--entrypoint=` resets the image's entrypoint.
    config["Entrypoint"] = Json::array({""});
  }
  if (!o.stopSignal.empty()) config["StopSignal"] = o.stopSignal;
  if (changed(o, "stop-timeout")) config["StopTimeout"] = o.stopTimeout;
  if (!o.macAddress.empty()) config["MacAddress"] = o.macAddress;
  if (o.noHealthcheck) {
    config["Healthcheck"] = {{"Test", Json::array({"NONE"})}};
  } else if (!o.healthCmd.empty() || !o.healthInterval.empty() || !o.healthTimeout.empty() ||
             !o.healthStartPeriod.empty() || o.healthRetries != 0) {
    Json hc = Json::object();
    if (!o.healthCmd.empty()) hc["Test"] = Json::array({"CMD-SHELL", o.healthCmd});
    hc["Interval"] = TRY(durationFlag(o.healthInterval));
    hc["Timeout"] = TRY(durationFlag(o.healthTimeout));
    hc["StartPeriod"] = TRY(durationFlag(o.healthStartPeriod));
    hc["Retries"] = o.healthRetries;
    config["Healthcheck"] = hc;
  }

  Json host = {
      {"Binds", binds},
      {"ContainerIDFile", o.cidfile},
      {"LogConfig", {{"Type", o.logDriver}, {"Config", keyValues(o.logOpt)}}},
      {"NetworkMode", o.network.empty() ? "default" : o.network},
      {"PortBindings", bindings},
      {"RestartPolicy", restart},
      {"AutoRemove", o.autoRemove},
      {"VolumeDriver", ""},
      {"VolumesFrom", list(o.volumesFrom)},
      {"CapAdd", list(o.capAdd)},
      {"CapDrop", list(o.capDrop)},
      {"CgroupnsMode", o.cgroupns},
      {"Dns", list(o.dns)},
      {"DnsOptions", list(o.dnsOption)},
      {"DnsSearch", list(o.dnsSearch)},
      {"ExtraHosts", list(o.addHost)},
      {"GroupAdd", list(o.groupAdd)},
      {"IpcMode", o.ipc},
      {"Cgroup", ""},
      {"OomScoreAdj", o.oomScoreAdj},
      {"PidMode", o.pid},
      {"Privileged", o.privileged},
      {"PublishAllPorts", o.publishAll},
      {"ReadonlyRootfs", o.readOnly},
      {"SecurityOpt", TRY(securityOpts(o.securityOpt))},
      {"UTSMode", o.uts},
      {"UsernsMode", o.userns},
      {"ShmSize", o.shmSize.empty() ? 0 : TRY(parseRamBytes(o.shmSize))},
      {"Isolation", o.isolation},
      {"CpuShares", o.cpuShares},
      {"Memory", o.memory.empty() ? 0 : TRY(parseRamBytes(o.memory))},
      {"NanoCpus", o.cpus.empty() ? 0 : TRY(parseNanoCpus(o.cpus))},
      {"CgroupParent", o.cgroupParent},
      {"BlkioWeight", o.blkioWeight},
      {"CpuPeriod", o.cpuPeriod},
      {"CpuQuota", o.cpuQuota},
      {"CpusetCpus", o.cpusetCpus},
      {"CpusetMems", o.cpusetMems},
      {"Devices", devices},
      {"MemoryReservation",
       o.memoryReservation.empty() ? 0 : TRY(parseRamBytes(o.memoryReservation))},
      {"MemorySwap", o.memorySwap.empty()   ? 0
                     : o.memorySwap == "-1" ? -1
                                            : TRY(parseRamBytes(o.memorySwap))},
      {"OomKillDisable", o.oomKillDisable},
      {"Ulimits", ulimits},
      {"Mounts", mounts},
  };
  if (!tmpfs.empty()) host["Tmpfs"] = tmpfs;
  if (!o.sysctl.empty()) host["Sysctls"] = keyValues(o.sysctl);
  if (!o.storageOpt.empty()) host["StorageOpt"] = keyValues(o.storageOpt);
  if (!o.runtime.empty()) host["Runtime"] = o.runtime;
  if (changed(o, "init")) host["Init"] = o.init;
  if (changed(o, "pids-limit")) host["PidsLimit"] = o.pidsLimit;
  if (!o.gpus.empty()) host["DeviceRequests"] = TRY(gpuRequests(o.gpus));

  config["HostConfig"] = host;
  Json endpoints = Json::object();
  if (!o.network.empty() && o.network != "default" && o.network != "host" && o.network != "none" &&
      o.network != "bridge" && !startsWith(o.network, "container:")) {
    endpoints[o.network] = Json::object();
  }
  config["NetworkingConfig"] = {{"EndpointsConfig", endpoints}};
  req.body = std::move(config);
  return req;
}

namespace {

// busybox -> busybox:latest, as docker names what it could not find.
std::string withTag(const std::string& ref) {
  if (ref.find('@') != std::string::npos || splitRepoTag(ref).tag) return ref;
  return ref + ":latest";
}

Status pullImage(Cli& cli, client::Client& c, const std::string& ref, const std::string& platform,
                 bool quiet) {
  std::string image = ref, tag;
  if (auto at = ref.find('@'); at != std::string::npos) {
    image = ref.substr(0, at);
    tag = ref.substr(at + 1);
  } else {
    auto split = splitRepoTag(ref);
    image = split.repo;
    tag = split.tag.value_or("latest");
  }
  client::Query q;
  q.add("fromImage", image).add("tag", tag).opt("platform", platform);
  client::Response resp = TRY(c.call("POST", "/images/create", q));
  // Progress goes to stderr: stdout is the container's.
  for (;;) {
    auto line = TRY(resp.readLine());
    if (!line) break;
    auto j = parseJson(*line, "progress");
    if (!j || !j->is_object()) continue;
    if (j->contains("errorDetail") || j->contains("error")) {
      std::string msg = j->value("error", "");
      if (j->contains("errorDetail") && (*j)["errorDetail"].is_object()) {
        msg = (*j)["errorDetail"].value("message", msg);
      }
      return Error(ErrorKind::Internal, msg);
    }
    if (!quiet && j->contains("status")) {
      std::string id = j->contains("id") ? j->value("id", "") + ": " : "";
      cli.err(id + j->value("status", "") + "\n");
    }
  }
  return {};
}

}  // namespace

Result<std::string> createContainer(Cli& cli, const ContainerOptions& o, const CreateRequest& req) {
  client::Client* c = TRY(cli.client());
  if (!o.cidfile.empty() && ::access(o.cidfile.c_str(), F_OK) == 0) {
    return Error(ErrorKind::AlreadyExists,
                 fmt::format("container ID file found, make sure the other container isn't "
                             "running or delete {}",
                             o.cidfile));
  }
  if (o.pull != "missing" && o.pull != "always" && o.pull != "never") {
    return Error::invalid(
        "invalid pull option: '{}': must be one of \"always\", \"missing\" or "
        "\"never\"",
        o.pull);
  }
  client::Query q;
  q.opt("name", o.name).opt("platform", o.platform);
  if (o.pull == "always") TRY(pullImage(cli, *c, req.image, o.platform, o.quiet));
  auto create = [&]() -> Result<Json> {
    client::Response resp =
        TRY(c->call("POST", "/containers/create", q, client::Client::jsonBody(req.body)));
    std::string body = TRY(resp.readAll());
    return parseJson(body, "create response");
  };
  auto res = create();
  if (!res && res.error().kind() == ErrorKind::NotFound && o.pull == "missing" &&
      res.error().message().find("image") != std::string::npos) {
    cli.err(fmt::format("Unable to find image '{}' locally\n", withTag(req.image)));
    TRY(pullImage(cli, *c, req.image, o.platform, o.quiet));
    res = create();
  }
  Json out = TRY(std::move(res));
  if (out.contains("Warnings") && out["Warnings"].is_array()) {
    for (const auto& w : out["Warnings"]) {
      if (w.is_string()) cli.err("WARNING: " + w.get<std::string>() + "\n");
    }
  }
  std::string id = out.value("Id", "");
  if (!o.cidfile.empty()) {
    TRY_CTX(writeFileAtomic(o.cidfile, id, 0644, Durability::Volatile),
            "failed to write the container ID to the file");
  }
  return id;
}

int startErrorCode(const Error& e) {
  std::string m = e.message();
  if (m.find("executable file not found") != std::string::npos ||
      m.find("no such file or directory") != std::string::npos ||
      m.find("system cannot find the file specified") != std::string::npos) {
    return 127;
  }
  if (m.find("permission denied") != std::string::npos ||
      m.find("is a directory") != std::string::npos) {
    return 126;
  }
  return 125;
}

}  // namespace berth::cli
