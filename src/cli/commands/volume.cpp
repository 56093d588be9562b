// berth volume create / ls / inspect / rm / prune.

#include <algorithm>

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/inspect.h"
#include "cli/commands/prune.h"
#include "cli/format/units.h"
#include "cli/opts.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

struct CreateOptions {
  std::string driver = "local", name;
  std::vector<std::string> labels, opts;
};

void createFlags(FlagSet& fs, CreateOptions& o) {
  fs.stringVar(&o.driver, "driver", 'd', "Specify volume driver name");
  fs.listVar(&o.labels, "label", 0, "Set metadata for a volume");
  fs.stringVar(&o.name, "name", 0, "Specify volume name");
  fs.hide("name");
  fs.listVar(&o.opts, "opt", 'o', "Set driver specific options", "map");
}

Json keyValues(const std::vector<std::string>& items) {
  Json m = Json::object();
  for (const auto& kv : items) {
    auto eq = kv.find('=');
    m[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return m;
}

Result<int> create(Cli& cli, CreateOptions& o, Args& args) {
  if (!args.empty()) {
    if (!o.name.empty() && o.name != args[0]) {
      return Error::invalid(
          "conflicting options: cannot specify a volume-name through both "
          "--name and as a positional arg");
    }
    o.name = args[0];
  }
  client::Client* c = TRY(cli.client());
  Json body = {{"Name", o.name},
               {"Driver", o.driver},
               {"DriverOpts", keyValues(o.opts)},
               {"Labels", keyValues(o.labels)}};
  Json v = TRY(c->postJson("/volumes/create", {}, &body));
  cli.out(v.value("Name", "") + "\n");
  return 0;
}

struct LsOptions {
  bool quiet = false;
  std::vector<std::string> filters;
  std::string format;
};

void lsFlags(FlagSet& fs, LsOptions& o) {
  fs.listVar(&o.filters, "filter", 'f', "Provide filter values (e.g. \"dangling=true\")", "filter");
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'table':            Print output in "
               "table format with column headers (default)\n'table TEMPLATE':   Print output in "
               "table format using the given Go template\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.quiet, "quiet", 'q', "Only display volume names");
}

// sortorder.NaturalLess: digit runs compare as numbers.
bool naturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

Result<int> ls(Cli& cli, LsOptions& o, Args&) {
  client::Client* c = TRY(cli.client());
  client::Query q;
  q.opt("filters", TRY(filtersJson(o.filters)));
  Json res = TRY(c->getJson("/volumes", q));
  std::vector<Json> vols;
  if (res.contains("Volumes") && res["Volumes"].is_array()) {
    for (const auto& v : res["Volumes"]) vols.push_back(v);
  }
  std::sort(vols.begin(), vols.end(), [](const Json& a, const Json& b) {
    return naturalLess(a.value("Name", ""), b.value("Name", ""));
  });
  std::vector<Json> rows;
  for (const auto& v : vols) {
    Json r = Json::object();
    r["Name"] = v.value("Name", "");
    r["Driver"] = v.value("Driver", "");
    r["Scope"] = v.value("Scope", "");
    r["Mountpoint"] = v.value("Mountpoint", "");
    Json labels = v.contains("Labels") && v["Labels"].is_object() ? v["Labels"] : Json::object();
    std::vector<std::string> kv;
    for (const auto& [k, val] : labels.items())
      kv.push_back(k + "=" + (val.is_string() ? val.get<std::string>() : ""));
    r["Labels"] = join(kv, ",");
    r["Label"] = labels;
    Json usage = v.value("UsageData", Json());
    r["Links"] = usage.is_object() ? std::to_string(usage.value("RefCount", -1)) : "N/A";
    int64_t size = usage.is_object() ? usage.value("Size", int64_t{-1}) : -1;
    r["Size"] = size < 0 ? "N/A" : humanSize(static_cast<double>(size), 4);
    r["Availability"] = "N/A";
    r["Group"] = "N/A";
    r["Status"] = "N/A";
    rows.push_back(std::move(r));
  }
  std::string format = o.format;
  if (format.empty()) {
    const Json& cfg = cli.config();
    format = !o.quiet && cfg.contains("volumesFormat") && cfg["volumesFormat"].is_string()
                 ? cfg["volumesFormat"].get<std::string>()
                 : "table";
  }
  if (o.quiet && format == "table") format = "{{.Name}}";
  Json headers = {{"Name", "VOLUME NAME"}, {"Driver", "DRIVER"},
                  {"Scope", "SCOPE"},      {"Mountpoint", "MOUNTPOINT"},
                  {"Labels", "LABELS"},    {"Links", "LINKS"},
                  {"Size", "SIZE"},        {"Availability", "AVAILABILITY"},
                  {"Group", "GROUP"}};
  TRY(printRows(cli, format, "table {{.Driver}}\t{{.Name}}", std::move(rows), headers));
  return 0;
}

struct InspectOptions {
  std::string format;
};

void inspectFlags(FlagSet& fs, InspectOptions& o) {
  fs.stringVar(&o.format, "format", 'f',
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
}

Result<int> inspect(Cli& cli, InspectOptions& o, Args& args) {
  return inspectObjects(cli, {.kinds = {ObjectKind::Volume}, .format = o.format}, args);
}

struct RmOptions {
  bool force = false;
};

void rmFlags(FlagSet& fs, RmOptions& o) {
  fs.boolVar(&o.force, "force", 'f', "Force the removal of one or more volumes");
}

Result<int> rm(Cli& cli, RmOptions& o, Args& args) {
  client::Query q;
  q.flag("force", o.force);
  return forEachTarget(cli, args, [&](client::Client& c, const std::string& name) -> Status {
    TRY(c.deleteJson("/volumes/" + client::pathEscape(name), q));
    return {};
  });
}

void pruneFlags(FlagSet& fs, PruneOptions& o) {
  fs.boolVar(&o.all, "all", 'a', "Remove all unused volumes, not just anonymous ones");
  fs.listVar(&o.filters, "filter", 0, "Provide filter values (e.g. \"label=<label>\")", "filter");
  fs.boolVar(&o.force, "force", 'f', "Do not prompt for confirmation");
}

Result<int> prune(Cli& cli, PruneOptions& o, Args&) {
  std::string warning = o.all ? "WARNING! This will remove all local volumes not used by at least "
                                "one container."
                              : "WARNING! This will remove anonymous local volumes not used by at "
                                "least one container.";
  if (!o.force && !confirm(cli, warning + "\nAre you sure you want to continue?")) return 0;
  auto [space, out] = TRY(pruneVolumes(cli, o.filters, o.all));
  if (!out.empty()) cli.out(out + "\n");
  cli.out(totalReclaimed(space));
  return 0;
}

}  // namespace

void registerVolumeCommands(Registry& r) {
  r.add({.paths = {"volume create"},
         .use = "[OPTIONS] [VOLUME]",
         .shortHelp = "Create a volume",
         .maxArgs = 1,
         .bind = bindOptions<CreateOptions>(createFlags, create)});
  r.add({.paths = {"volume ls", "volume list"},
         .use = "[OPTIONS]",
         .shortHelp = "List volumes",
         .maxArgs = 0,
         .bind = bindOptions<LsOptions>(lsFlags, ls)});
  r.add({.paths = {"volume inspect"},
         .use = "[OPTIONS] VOLUME [VOLUME...]",
         .shortHelp = "Display detailed information on one or more volumes",
         .minArgs = 1,
         .bind = bindOptions<InspectOptions>(inspectFlags, inspect)});
  r.add({.paths = {"volume rm", "volume remove"},
         .use = "[OPTIONS] VOLUME [VOLUME...]",
         .shortHelp = "Remove one or more volumes",
         .minArgs = 1,
         .bind = bindOptions<RmOptions>(rmFlags, rm)});
  r.add({.paths = {"volume prune"},
         .use = "[OPTIONS]",
         .shortHelp = "Remove unused local volumes",
         .maxArgs = 0,
         .bind = bindOptions<PruneOptions>(pruneFlags, prune)});
}

}  // namespace berth::cli
