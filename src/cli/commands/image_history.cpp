// berth history: the image's layers, newest first, with docker's history columns.

#include <ctime>

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/units.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

struct HistoryOptions {
  bool human = true, noTrunc = false, quiet = false;
  std::string format, platform;
};

void flags(FlagSet& fs, HistoryOptions& o) {
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'table':            Print output in "
               "table format with column headers (default)\n'table TEMPLATE':   Print output in "
               "table format using the given Go template\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.human, "human", 'H', "Print sizes and dates in human readable format");
  fs.boolVar(&o.noTrunc, "no-trunc", 0, "Don't truncate output");
  fs.stringVar(&o.platform, "platform", 0, "Show history for the given platform");
  fs.boolVar(&o.quiet, "quiet", 'q', "Only show image IDs");
}

// Go's time.RFC3339 in local time: 2006-01-02T15:04:05Z07:00.
std::string rfc3339(int64_t t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm;
  ::localtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  std::string s = buf;
  if (endsWith(s, "+0000")) return s.substr(0, s.size() - 5) + "Z";
  return s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2);
}

Result<int> run(Cli& cli, HistoryOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  client::Query q;
  q.opt("platform", o.platform);
  Json list = TRY(c->getJson(imagePath(args[0], "/history"), q));
  bool trunc = !o.noTrunc;
  std::vector<Json> rows;
  if (list.is_array()) {
    for (const auto& h : list) {
      Json r = Json::object();
      std::string id = h.value("Id", "");
      r["ID"] = trunc && id != "<missing>" ? shortId(id) : id;
      int64_t created = h.value("Created", int64_t{0});
      r["CreatedAt"] = rfc3339(created);
      r["CreatedSince"] = o.human ? timeAgo(created) : rfc3339(created);
      std::string by = h.value("CreatedBy", "");
      for (auto& ch : by) {
        if (ch == '\t') ch = ' ';
      }
      r["CreatedBy"] = trunc ? ellipsis(by, 45) : by;
      int64_t size = h.value("Size", int64_t{0});
      r["Size"] = o.human ? humanSize(static_cast<double>(size)) : std::to_string(size);
      r["Comment"] = h.value("Comment", "");
      rows.push_back(std::move(r));
    }
  }
  std::string format = o.format.empty() ? "table" : o.format;
  if (o.quiet && format == "table") format = "{{.ID}}";
  Json headers = {{"ID", "IMAGE"},
                  {"CreatedSince", "CREATED"},
                  {"CreatedAt", "CREATED AT"},
                  {"CreatedBy", "CREATED BY"},
                  {"Size", "SIZE"},
                  {"Comment", "COMMENT"}};
  TRY(printRows(cli, format,
                "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                std::move(rows), headers));
  return 0;
}

}  // namespace

void registerImageHistory(Registry& r) {
  r.add({.paths = {"image history", "history"},
         .use = "[OPTIONS] IMAGE",
         .shortHelp = "Show the history of an image",
         .minArgs = 1,
         .maxArgs = 1,
         .bind = bindOptions<HistoryOptions>(flags, run)});
}

}  // namespace berth::cli
