// berth events: the daemon's event stream, one line per event (docker's prettyPrintEvent)
// or through --format.

#include <ctime>

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/format_spec.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

struct EventsOptions {
  std::string since, until, format;
  std::vector<std::string> filters;
};

void flags(FlagSet& fs, EventsOptions& o) {
  fs.listVar(&o.filters, "filter", 'f', "Filter output based on conditions provided", "filter");
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.stringVar(&o.since, "since", 0, "Show all events created since timestamp");
  fs.stringVar(&o.until, "until", 0, "Stream events until this timestamp");
}

// jsonmessage.RFC3339NanoFixed in local time: 2006-01-02T15:04:05.000000000Z07:00.
std::string eventTime(int64_t nanos) {
  time_t t = static_cast<time_t>(nanos / 1000000000);
  struct tm tm;
  ::localtime_r(&t, &tm);
  char buf[64], zone[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::strftime(zone, sizeof zone, "%z", &tm);
  std::string z = zone;
  z = z == "+0000" ? "Z" : z.substr(0, 3) + ":" + z.substr(3);
  return fmt::format("{}.{:09d}{}", buf, nanos % 1000000000, z);
}

std::string pretty(const Json& e) {
  std::string out;
  int64_t nanos = e.value("timeNano", int64_t{0});
  if (nanos == 0) nanos = e.value("time", int64_t{0}) * 1000000000;
  if (nanos != 0) out += eventTime(nanos) + " ";
  Json actor = e.value("Actor", Json::object());
  out += e.value("Type", "") + " " + e.value("Action", "") + " " + actor.value("ID", "");
  Json attrs = actor.value("Attributes", Json::object());
  if (attrs.is_object() && !attrs.empty()) {
    std::vector<std::string> kv;
    for (const auto& [k, v] : attrs.items())
      kv.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : dumpJson(v)));
    out += " (" + join(kv, ", ") + ")";
  }
  return out + "\n";
}

Result<int> run(Cli& cli, EventsOptions& o, Args&) {
  client::Client* c = TRY(cli.client());
  std::optional<FormatSpec> spec;
  if (!o.format.empty()) spec = TRY(FormatSpec::parse(o.format));
  client::Query q;
  q.opt("since", TRY(parseTimestamp(o.since))).opt("until", TRY(parseTimestamp(o.until)));
  q.opt("filters", TRY(filtersJson(o.filters)));
  client::Response resp = TRY(c->call("GET", "/events", q));
  for (;;) {
    auto line = TRY(resp.readLine());
    if (!line) break;
    if (trim(*line).empty()) continue;
    Json e = TRY(parseJson(*line, "event"));
    if (spec) {
      cli.out(TRY(spec->render({e})));
    } else {
      cli.out(pretty(e));
    }
    cli.flush();
  }
  return 0;
}

}  // namespace

void registerSystemEvents(Registry& r) {
  r.add({.paths = {"system events", "events"},
         .use = "[OPTIONS]",
         .shortHelp = "Get real time events from the server",
         .maxArgs = 0,
         .bind = bindOptions<EventsOptions>(flags, run)});
}

}  // namespace berth::cli
