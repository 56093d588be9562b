// berth images / image ls: the list request and the table; the rows (one per
// repository:tag, docker's imageFormatTaggedAndDigest) are cli/rows.h's.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/rows.h"

namespace berth::cli {

namespace {

struct ImagesOptions {
  bool all = false, digests = false, noTrunc = false, quiet = false;
  std::vector<std::string> filters;
  std::string format;
};

void flags(FlagSet& fs, ImagesOptions& o) {
  fs.boolVar(&o.all, "all", 'a', "Show all images (default hides intermediate images)");
  fs.boolVar(&o.digests, "digests", 0, "Show digests");
  fs.listVar(&o.filters, "filter", 'f', "Filter output based on conditions provided", "filter");
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'table':            Print output in "
               "table format with column headers (default)\n'table TEMPLATE':   Print output in "
               "table format using the given Go template\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.noTrunc, "no-trunc", 0, "Don't truncate output");
  fs.boolVar(&o.quiet, "quiet", 'q', "Only show image IDs");
}

Result<int> run(Cli& cli, ImagesOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  std::vector<std::string> filters = o.filters;
  if (!args.empty()) filters.push_back("reference=" + args[0]);
  client::Query q;
  q.flag("all", o.all).opt("filters", TRY(filtersJson(filters)));
  Json list = TRY(c->getJson("/images/json", q));
  std::string format = o.format;
  if (format.empty()) {
    const Json& cfg = cli.config();
    format = !o.quiet && cfg.contains("imagesFormat") && cfg["imagesFormat"].is_string()
                 ? cfg["imagesFormat"].get<std::string>()
                 : "table";
  }
  std::string table =
      o.digests
          ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
          : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  if (o.quiet && format == "table") format = "{{.ID}}";
  std::vector<Json> rows;
  if (list.is_array()) {
    for (const auto& img : list) addImageRows(rows, img, o.digests, !o.noTrunc);
  }
  TRY(printRows(cli, format, table, std::move(rows), imageHeaders()));
  return 0;
}

}  // namespace

void registerImageLs(Registry& r) {
  r.add({.paths = {"image ls", "image list", "images"},
         .use = "[OPTIONS] [REPOSITORY[:TAG]]",
         .shortHelp = "List images",
         .maxArgs = 1,
         .bind = bindOptions<ImagesOptions>(flags, run)});
}

}  // namespace berth::cli
