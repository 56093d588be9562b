// berth ps / container ls: the list request and the table; the rows are cli/rows.h's.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/rows.h"

namespace berth::cli {

namespace {

constexpr std::string_view kDefaultTable =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

struct PsOptions {
  bool all = false, latest = false, noTrunc = false, quiet = false, size = false;
  int last = -1;
  std::vector<std::string> filters;
  std::string format;
};

void flags(FlagSet& fs, PsOptions& o) {
  fs.boolVar(&o.all, "all", 'a', "Show all containers (default shows just running)");
  fs.listVar(&o.filters, "filter", 'f', "Filter output based on conditions provided", "filter");
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'table':            Print output in "
               "table format with column headers (default)\n'table TEMPLATE':   Print output in "
               "table format using the given Go template\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.intVar(&o.last, "last", 'n', "Show n last created containers (includes all states)");
  fs.boolVar(&o.latest, "latest", 'l', "Show the latest created container (includes all states)");
  fs.boolVar(&o.noTrunc, "no-trunc", 0, "Don't truncate output");
  fs.boolVar(&o.quiet, "quiet", 'q', "Only display container IDs");
  fs.boolVar(&o.size, "size", 's', "Display total file sizes");
}

Result<int> run(Cli& cli, PsOptions& o, Args&) {
  client::Client* c = TRY(cli.client());
  std::string format = o.format;
  if (format.empty()) {
    const Json& cfg = cli.config();
    format = !o.quiet && cfg.contains("psFormat") && cfg["psFormat"].is_string()
                 ? cfg["psFormat"].get<std::string>()
                 : "table";
  }
  bool size = o.size || (format != "table" && format.find(".Size") != std::string::npos);
  int limit = o.last;
  if (o.latest && limit == -1) limit = 1;
  client::Query q;
  q.flag("all", o.all).flag("size", size);
  if (limit > 0) q.add("limit", std::to_string(limit));
  q.opt("filters", TRY(filtersJson(o.filters)));
  Json list = TRY(c->getJson("/containers/json", q));
  std::string table(kDefaultTable);
  if (format == "table" || format.empty()) {
    if (o.quiet) {
      format = "{{.ID}}";
    } else if (o.size) {
      table += "\t{{.Size}}";
    }
  }
  std::vector<Json> rows;
  if (list.is_array()) {
    for (const auto& ct : list) rows.push_back(containerRow(ct, !o.noTrunc));
  }
  TRY(printRows(cli, format, table, std::move(rows), containerHeaders()));
  return 0;
}

}  // namespace

void registerContainerLs(Registry& r) {
  r.add({.paths = {"container ls", "container list", "container ps", "ps"},
         .use = "[OPTIONS]",
         .shortHelp = "List containers",
         .maxArgs = 0,
         .bind = bindOptions<PsOptions>(flags, run)});
}

}  // namespace berth::cli
