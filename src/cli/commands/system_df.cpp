// berth system df: disk usage by images, containers, volumes and build cache (GET /system/df).

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/units.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

struct DfOptions {
  std::string format;
  bool verbose = false;
};

void flags(FlagSet& fs, DfOptions& o) {
  fs.stringVar(&o.format, "format", 0,
               "Format output using a custom template:\n'table':            Print output in "
               "table format with column headers (default)\n'table TEMPLATE':   Print output in "
               "table format using the given Go template\n'json':             Print in JSON "
               "format\n'TEMPLATE':         Print output using the given Go template.");
  fs.boolVar(&o.verbose, "verbose", 'v', "Show detailed information on space usage");
}

std::string reclaimable(int64_t reclaim, int64_t total) {
  std::string s = humanSize(static_cast<double>(reclaim), 4);
  if (total > 0) s += fmt::format(" ({}%)", reclaim * 100 / total);
  return s;
}

Json summary(const std::string& type, size_t total, int active, int64_t size, int64_t reclaim,
             bool percent) {
  return {{"Type", type},
          {"TotalCount", std::to_string(total)},
          {"Active", std::to_string(active)},
          {"Size", humanSize(static_cast<double>(size), 4)},
          {"Reclaimable",
           percent ? reclaimable(reclaim, size) : humanSize(static_cast<double>(reclaim), 4)}};
}

Json arr(const Json& du, const char* k) {
  return du.contains(k) && du[k].is_array() ? du[k] : Json::array();
}

Result<int> run(Cli& cli, DfOptions& o, Args&) {
  client::Client* c = TRY(cli.client());
  Json du = TRY(c->getJson("/system/df"));
  std::vector<Json> rows;
  {
    Json images = arr(du, "Images");
    int active = 0;
    int64_t used = 0, total = du.value("LayersSize", int64_t{0});
    for (const auto& i : images) {
      if (i.value("Containers", int64_t{0}) > 0) {
        ++active;
        int64_t size = i.value("Size", int64_t{0}), shared = i.value("SharedSize", int64_t{-1});
        if (shared != -1) used += size - shared;
      }
    }
    rows.push_back(summary("Images", images.size(), active, total, total - used, true));
  }
  {
    Json cs = arr(du, "Containers");
    int active = 0;
    int64_t size = 0, reclaim = 0;
    for (const auto& ct : cs) {
      std::string state = ct.value("State", "");
      bool on = state.find("running") != std::string::npos ||
                state.find("paused") != std::string::npos ||
                state.find("restarting") != std::string::npos;
      int64_t rw = ct.value("SizeRw", int64_t{0});
      size += rw;
      if (on) {
        ++active;
      } else {
        reclaim += rw;
      }
    }
    rows.push_back(summary("Containers", cs.size(), active, size, reclaim, true));
  }
  {
    Json vs = arr(du, "Volumes");
    int active = 0;
    int64_t size = 0, reclaim = 0;
    for (const auto& v : vs) {
      Json u = v.value("UsageData", Json::object());
      int64_t sz = u.is_object() ? u.value("Size", int64_t{-1}) : -1;
      if (sz > 0) size += sz;
      if (u.is_object() && u.value("RefCount", int64_t{0}) > 0) {
        ++active;
      } else if (sz > 0) {
        reclaim += sz;
      }
    }
    rows.push_back(summary("Local Volumes", vs.size(), active, size, reclaim, true));
  }
  {
    Json bc = arr(du, "BuildCache");
    int active = 0;
    int64_t size = 0, reclaim = 0;
    for (const auto& b : bc) {
      int64_t sz = b.value("Size", int64_t{0});
      size += sz;
      if (b.value("InUse", false)) ++active;
      if (!b.value("InUse", false) && !b.value("Shared", false)) reclaim += sz;
    }
    rows.push_back(summary("Build Cache", bc.size(), active, size, reclaim, false));
  }
  Json headers = {{"Type", "TYPE"},
                  {"TotalCount", "TOTAL"},
                  {"Active", "ACTIVE"},
                  {"Size", "SIZE"},
                  {"Reclaimable", "RECLAIMABLE"}};
  TRY(printRows(cli, o.format,
                "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                std::move(rows), headers));
  return 0;
}

}  // namespace

void registerSystemDf(Registry& r) {
  r.add({.paths = {"system df"},
         .use = "[OPTIONS]",
         .shortHelp = "Show docker disk usage",
         .maxArgs = 0,
         .bind = bindOptions<DfOptions>(flags, run)});
}

}  // namespace berth::cli
