// berth stats: CPU, memory, network and block I/O per container from GET
// /containers/{id}/stats?stream=0, computed as docker's stats formatter does. Without
// --no-stream the table is redrawn every second.

#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/units.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

struct StatsOptions {
  bool all = false, noStream = false, noTrunc = false;
  std::string format;
};

void flags(FlagSet& fs, StatsOptions& o) {
  fs.boolVar(&o.all, "all", 'a', "Show all containers (default shows just running)");
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'table':            Print output in "
               "table format with column headers (default)\n'table TEMPLATE':   Print output in "
               "table format using the given Go template\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.noStream, "no-stream", 0, "Disable streaming stats and only pull the first result");
  fs.boolVar(&o.noTrunc, "no-trunc", 0, "Do not truncate output");
}

double num(const Json& j, std::initializer_list<const char*> path) {
  const Json* cur = &j;
  for (const char* k : path) {
    if (!cur->is_object() || !cur->contains(k)) return 0;
    cur = &(*cur)[k];
  }
  return cur->is_number() ? cur->get<double>() : 0;
}

Json statsRow(const std::string& target, const Json& s, bool trunc) {
  double cpuDelta = num(s, {"cpu_stats", "cpu_usage", "total_usage"}) -
                    num(s, {"precpu_stats", "cpu_usage", "total_usage"});
  double sysDelta =
      num(s, {"cpu_stats", "system_cpu_usage"}) - num(s, {"precpu_stats", "system_cpu_usage"});
  double cpus = num(s, {"cpu_stats", "online_cpus"});
  if (cpus == 0 && s.contains("cpu_stats") && s["cpu_stats"].contains("cpu_usage") &&
      s["cpu_stats"]["cpu_usage"].contains("percpu_usage") &&
      s["cpu_stats"]["cpu_usage"]["percpu_usage"].is_array()) {
    cpus = static_cast<double>(s["cpu_stats"]["cpu_usage"]["percpu_usage"].size());
  }
  double cpu = sysDelta > 0 && cpuDelta > 0 ? cpuDelta / sysDelta * cpus * 100.0 : 0;
  double usage = num(s, {"memory_stats", "usage"});
  // docker subtracts the page cache: total_inactive_file (cgroup v1), inactive_file (v2).
  double inactive = num(s, {"memory_stats", "stats", "total_inactive_file"});
  if (inactive == 0) inactive = num(s, {"memory_stats", "stats", "inactive_file"});
  if (inactive < usage) usage -= inactive;
  double limit = num(s, {"memory_stats", "limit"});
  double memPerc = limit > 0 ? usage / limit * 100.0 : 0;
  double rx = 0, tx = 0;
  if (s.contains("networks") && s["networks"].is_object()) {
    for (const auto& [k, n] : s["networks"].items()) {
      rx += num(n, {"rx_bytes"});
      tx += num(n, {"tx_bytes"});
    }
  }
  double rd = 0, wr = 0;
  if (s.contains("blkio_stats") && s["blkio_stats"].is_object() &&
      s["blkio_stats"].contains("io_service_bytes_recursive") &&
      s["blkio_stats"]["io_service_bytes_recursive"].is_array()) {
    for (const auto& e : s["blkio_stats"]["io_service_bytes_recursive"]) {
      std::string op = toLower(e.value("op", ""));
      if (op == "read") rd += num(e, {"value"});
      if (op == "write") wr += num(e, {"value"});
    }
  }
  std::string id = s.value("id", target);
  std::string name = s.value("name", "");
  if (startsWith(name, "/")) name = name.substr(1);
  return {{"Container", target},
          {"ID", trunc ? shortId(id) : id},
          {"Name", name.empty() ? "--" : name},
          {"CPUPerc", fmt::format("{:.2f}%", cpu)},
          {"MemUsage", bytesSize(usage) + " / " + bytesSize(limit)},
          {"MemPerc", fmt::format("{:.2f}%", memPerc)},
          {"NetIO", humanSize(rx) + " / " + humanSize(tx)},
          {"BlockIO", humanSize(rd) + " / " + humanSize(wr)},
          {"PIDs", fmt::format("{}", static_cast<int64_t>(num(s, {"pids_stats", "current"})))}};
}

Result<int> run(Cli& cli, StatsOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  Json headers = {{"Container", "CONTAINER"},
                  {"ID", "CONTAINER ID"},
                  {"Name", "NAME"},
                  {"CPUPerc", "CPU %"},
                  {"MemUsage", "MEM USAGE / LIMIT"},
                  {"MemPerc", "MEM %"},
                  {"NetIO", "NET I/O"},
                  {"BlockIO", "BLOCK I/O"},
                  {"PIDs", "PIDS"}};
  std::string table =
      "table "
      "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{."
      "PIDs}}";
  for (;;) {
    Args targets = args;
    if (targets.empty()) {
      client::Query q;
      q.flag("all", o.all);
      Json list = TRY(c->getJson("/containers/json", q));
      for (const auto& ct : list) targets.push_back(ct.value("Id", ""));
    }
    std::vector<Json> rows;
    for (const auto& t : targets) {
      client::Query q;
      q.add("stream", "0");
      Json s = TRY(c->getJson(containerPath(t, "/stats"), q));
      rows.push_back(statsRow(t, s, !o.noTrunc));
    }
    if (!o.noStream && cli.stdoutIsTty()) cli.out("\033[2J\033[H");
    TRY(printRows(cli, o.format, table, std::move(rows), headers));
    cli.flush();
    if (o.noStream) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

void registerContainerStats(Registry& r) {
  r.add({.paths = {"container stats", "stats"},
         .use = "[OPTIONS] [CONTAINER...]",
         .shortHelp = "Display a live stream of container(s) resource usage statistics",
         .bind = bindOptions<StatsOptions>(flags, run)});
}

}  // namespace berth::cli
