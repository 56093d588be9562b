// berth version: client and server versions (docker's version template), or --format.

#include <sys/utsname.h>

#include <algorithm>

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/format_spec.h"
#include "cli/format/tabwriter.h"

namespace berth::cli {

namespace {

struct VersionOptions {
  std::string format;
};

void flags(FlagSet& fs, VersionOptions& o) {
  fs.stringVar(&o.format, "format", 'f',
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
}

std::string arch() {
  struct utsname u;
  if (::uname(&u) != 0) return "amd64";
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  return m;
}

std::string render(const Json& v, bool serverOk) {
  const Json& cl = v["Client"];
  std::string out = "Client:\n";
  out += " Version:\t" + cl.value("Version", "") + "\n";
  out += " API version:\t" + cl.value("ApiVersion", "");
  if (cl.value("ApiVersion", "") != cl.value("DefaultAPIVersion", "")) {
    out += " (downgraded from " + cl.value("DefaultAPIVersion", "") + ")";
  }
  out += "\n Go version:\t" + cl.value("GoVersion", "") + "\n";
  out += " Git commit:\t" + cl.value("GitCommit", "") + "\n";
  out += " Built:\t" + cl.value("BuildTime", "") + "\n";
  out += " OS/Arch:\t" + cl.value("Os", "") + "/" + cl.value("Arch", "") + "\n";
  out += " Context:\t" + cl.value("Context", "") + "\n";
  if (!serverOk) return out;
  const Json& sv = v["Server"];
  std::string platform = sv.value("Platform", Json::object()).value("Name", "");
  out += "\nServer:" + (platform.empty() ? "" : " " + platform) + "\n";
  Json comps = sv.value("Components", Json::array());
  if (!comps.is_array()) comps = Json::array();
  for (const auto& c : comps) {
    std::string name = c.value("Name", "");
    Json d = c.value("Details", Json::object());
    if (!d.is_object()) d = Json::object();
    auto det = [&](const char* k) {
      return d.contains(k) && d[k].is_string() ? d[k].get<std::string>() : "";
    };
    out += " " + name + ":\n";
    if (name == "Engine") {
      out += "  Version:\t" + c.value("Version", "") + "\n";
      out += "  API version:\t" + det("ApiVersion") + " (minimum version " + det("MinAPIVersion") +
             ")\n";
      out += "  Go version:\t" + det("GoVersion") + "\n";
      out += "  Git commit:\t" + det("GitCommit") + "\n";
      out += "  Built:\t" + det("BuildTime") + "\n";
      out += "  OS/Arch:\t" + det("Os") + "/" + det("Arch") + "\n";
      out += "  Experimental:\t" + det("Experimental") + "\n";
    } else {
      out += "  Version:\t" + c.value("Version", "") + "\n";
      for (const auto& [k, val] : d.items()) {
        out += "  " + k + ":\t" + (val.is_string() ? val.get<std::string>() : dumpJson(val)) + "\n";
      }
    }
  }
  return out;
}

Result<int> run(Cli& cli, VersionOptions& o, Args&) {
  client::Client* c = TRY(cli.client());
  Json v = Json::object();
  std::string context = cli.options().context.empty() ? "default" : cli.options().context;
  Json server;
  auto api = c->apiVersion();
  if (api) {
    auto sv = c->getJson("/version");
    if (sv)
      server = std::move(*sv);
    else
      api = std::move(sv).error();
  }
  v["Client"] = {{"Version", BERTH_VERSION},
                 {"ApiVersion", api ? *api : std::string(client::kMaxApiVersion)},
                 {"DefaultAPIVersion", std::string(client::kMaxApiVersion)},
                 {"GitCommit", ""},
                 {"GoVersion", "n/a (C++20)"},
                 {"Os", "linux"},
                 {"Arch", arch()},
                 {"BuildTime", ""},
                 {"Context", context}};
  v["Server"] = server.is_object() ? server : Json(nullptr);
  if (!o.format.empty()) {
    FormatSpec spec = TRY(FormatSpec::parse(o.format));
    cli.out(TRY(spec.render({v})));
  } else {
    TabWriter tw(20, 1, 1);
    tw.write(render(v, server.is_object()));
    cli.out(tw.flush());
  }
  if (!api) return std::move(api).error();
  return 0;
}

}  // namespace

void registerSystemVersion(Registry& r) {
  r.add({.paths = {"version"},
         .use = "[OPTIONS]",
         .shortHelp = "Show the berth version information",
         .maxArgs = 0,
         .bind = bindOptions<VersionOptions>(flags, run)});
}

}  // namespace berth::cli
