// berth info: the daemon's system information in docker's human layout, or --format.

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/format_spec.h"
#include "cli/format/units.h"

namespace berth::cli {

namespace {

struct InfoOptions {
  std::string format;
};

void flags(FlagSet& fs, InfoOptions& o) {
  fs.stringVar(&o.format, "format", 'f',
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
}

std::string s(const Json& j, const char* k) {
  if (!j.contains(k) || j[k].is_null()) return "";
  return j[k].is_string() ? j[k].get<std::string>() : dumpJson(j[k]);
}

std::string title(std::string v) {
  if (!v.empty()) v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  return v;
}

std::string server(const Json& i) {
  std::string o = "Server:\n";
  o += " Containers: " + s(i, "Containers") + "\n";
  o += "  Running: " + s(i, "ContainersRunning") + "\n";
  o += "  Paused: " + s(i, "ContainersPaused") + "\n";
  o += "  Stopped: " + s(i, "ContainersStopped") + "\n";
  o += " Images: " + s(i, "Images") + "\n";
  o += " Server Version: " + s(i, "ServerVersion") + "\n";
  o += " Storage Driver: " + s(i, "Driver") + "\n";
  if (i.contains("DriverStatus") && i["DriverStatus"].is_array()) {
    for (const auto& p : i["DriverStatus"]) {
      if (p.is_array() && p.size() == 2) {
        o += "  " + p[0].get<std::string>() + ": " + p[1].get<std::string>() + "\n";
      }
    }
  }
  o += " Logging Driver: " + s(i, "LoggingDriver") + "\n";
  o += " Cgroup Driver: " + s(i, "CgroupDriver") + "\n";
  o += " Cgroup Version: " + s(i, "CgroupVersion") + "\n";
  o += " Plugins:\n";
  Json plugins = i.value("Plugins", Json::object());
  for (const char* k : {"Volume", "Network", "Authorization", "Log"}) {
    if (!plugins.is_object() || !plugins.contains(k) || !plugins[k].is_array()) continue;
    std::vector<std::string> names;
    for (const auto& n : plugins[k]) names.push_back(n.get<std::string>());
    o += fmt::format("  {}: {}\n", k, join(names, " "));
  }
  std::string swarm = i.value("Swarm", Json::object()).value("LocalNodeState", "inactive");
  o += " Swarm: " + swarm + "\n";
  if (i.contains("Runtimes") && i["Runtimes"].is_object()) {
    std::vector<std::string> names;
    for (const auto& [k, v] : i["Runtimes"].items()) names.push_back(k);
    o += " Runtimes: " + join(names, " ") + "\n";
  }
  o += " Default Runtime: " + s(i, "DefaultRuntime") + "\n";
  o += " Init Binary: " + s(i, "InitBinary") + "\n";
  auto commit = [&](const char* k) {
    return i.contains(k) && i[k].is_object() ? i[k].value("ID", "") : std::string();
  };
  o += " containerd version: " + commit("ContainerdCommit") + "\n";
  o += " runc version: " + commit("RuncCommit") + "\n";
  o += " init version: " + commit("InitCommit") + "\n";
  if (i.contains("SecurityOptions") && i["SecurityOptions"].is_array() &&
      !i["SecurityOptions"].empty()) {
    o += " Security Options:\n";
    for (const auto& opt : i["SecurityOptions"]) {
      for (const auto& kv : split(opt.get<std::string>(), ',')) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
        if (k == "name") {
          o += "  " + v + "\n";
        } else {
          o += "   " + title(k) + ": " + v + "\n";
        }
      }
    }
  }
  o += " Kernel Version: " + s(i, "KernelVersion") + "\n";
  o += " Operating System: " + s(i, "OperatingSystem") + "\n";
  o += " OSType: " + s(i, "OSType") + "\n";
  o += " Architecture: " + s(i, "Architecture") + "\n";
  o += " CPUs: " + s(i, "NCPU") + "\n";
  o += " Total Memory: " + bytesSize(static_cast<double>(i.value("MemTotal", int64_t{0}))) + "\n";
  o += " Name: " + s(i, "Name") + "\n";
  if (!s(i, "ID").empty()) o += " ID: " + s(i, "ID") + "\n";
  o += " Docker Root Dir: " + s(i, "DockerRootDir") + "\n";
  o += " Debug Mode: " + std::string(i.value("Debug", false) ? "true" : "false") + "\n";
  for (const char* k : {"HttpProxy", "HttpsProxy", "NoProxy"}) {
    if (!s(i, k).empty()) {
      std::string name = k == std::string("HttpProxy")    ? "HTTP Proxy"
                         : k == std::string("HttpsProxy") ? "HTTPS Proxy"
                                                          : "No Proxy";
      o += " " + name + ": " + s(i, k) + "\n";
    }
  }
  if (i.contains("Labels") && i["Labels"].is_array() && !i["Labels"].empty()) {
    o += " Labels:\n";
    for (const auto& l : i["Labels"]) o += "  " + l.get<std::string>() + "\n";
  }
  o += " Experimental: " + std::string(i.value("ExperimentalBuild", false) ? "true" : "false") +
       "\n";
  Json reg = i.value("RegistryConfig", Json());
  if (reg.is_object() && reg.contains("InsecureRegistryCIDRs") &&
      reg["InsecureRegistryCIDRs"].is_array() && !reg["InsecureRegistryCIDRs"].empty()) {
    o += " Insecure Registries:\n";
    for (const auto& r : reg["InsecureRegistryCIDRs"]) o += "  " + r.get<std::string>() + "\n";
  }
  o += " Live Restore Enabled: " +
       std::string(i.value("LiveRestoreEnabled", false) ? "true" : "false") + "\n\n";
  return o;
}

Result<int> run(Cli& cli, InfoOptions& o, Args&) {
  client::Client* c = TRY(cli.client());
  std::string context = cli.options().context.empty() ? "default" : cli.options().context;
  Json clientInfo = {
      {"Version", BERTH_VERSION}, {"Context", context}, {"Debug", cli.options().debug}};
  auto info = c->getJson("/info");
  if (!o.format.empty()) {
    Json doc = info ? *info : Json::object();
    doc["ClientInfo"] = clientInfo;
    if (!info) doc["ServerErrors"] = Json::array({info.error().what()});
    FormatSpec spec = TRY(FormatSpec::parse(o.format));
    cli.out(TRY(spec.render({doc})));
    if (!info) return std::move(info).error();
    return 0;
  }
  std::string out = "Client:\n Version:    " + std::string(BERTH_VERSION) +
                    "\n Context:    " + context +
                    "\n Debug Mode: " + (cli.options().debug ? "true" : "false") + "\n\n";
  cli.out(out);
  if (!info) {
    cli.out("Server:\n");
    return std::move(info).error();
  }
  cli.out(server(*info));
  if (info->contains("Warnings") && (*info)["Warnings"].is_array()) {
    for (const auto& w : (*info)["Warnings"]) cli.err(w.get<std::string>() + "\n");
  }
  return 0;
}

}  // namespace

void registerSystemInfo(Registry& r) {
  r.add({.paths = {"system info", "info"},
         .use = "[OPTIONS]",
         .shortHelp = "Display system-wide information",
         .maxArgs = 0,
         .bind = bindOptions<InfoOptions>(flags, run)});
}

}  // namespace berth::cli
