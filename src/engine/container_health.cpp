// Docker's health checks: the container's Config.Healthcheck (its image's, or the run's
// --health-* options) probed by an exec at each interval while the container runs. State.Health
// keeps the status (starting, healthy, unhealthy), the failing streak and the last five probes;
// a change of status is a "health_status: <status>" event. During the start period a failure
// does not count, and probes come at the start interval.

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "base/strings.h"
#include "engine/container_internal.h"
#include "shim/frame.h"

namespace berth::engine {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLogEntries = 5;
constexpr size_t kMaxOutput = 4096;

struct HealthConfig {
  std::vector<std::string> cmd;
  std::chrono::nanoseconds interval{30s}, timeout{30s}, startPeriod{0}, startInterval{5s};
  int retries = 3;
};

// The probe command from Test (["CMD", args...] or ["CMD-SHELL", "cmd"]); none for ["NONE"],
// an empty Test or no Healthcheck.
std::optional<HealthConfig> healthConfig(const Json& config) {
  if (!config.contains("Healthcheck") || !config["Healthcheck"].is_object()) return std::nullopt;
  const Json& h = config["Healthcheck"];
  auto test = stringList(h, "Test");
  HealthConfig hc;
  if (test.size() >= 2 && test[0] == "CMD") {
    hc.cmd.assign(test.begin() + 1, test.end());
  } else if (test.size() >= 2 && test[0] == "CMD-SHELL") {
    hc.cmd = {"/bin/sh", "-c", join(std::vector<std::string>(test.begin() + 1, test.end()), " ")};
  } else {
    return std::nullopt;
  }
  auto ns = [&](const char* key, std::chrono::nanoseconds dflt) {
    int64_t v = h.contains(key) && h[key].is_number() ? h[key].get<int64_t>() : 0;
    return v > 0 ? std::chrono::nanoseconds(v) : dflt;
  };
  hc.interval = ns("Interval", hc.interval);
  hc.timeout = ns("Timeout", hc.timeout);
  hc.startPeriod = ns("StartPeriod", hc.startPeriod);
  hc.startInterval = ns("StartInterval", hc.startInterval);
  if (h.contains("Retries") && h["Retries"].is_number() && h["Retries"].get<int>() > 0)
    hc.retries = h["Retries"].get<int>();
  return hc;
}

struct ProbeResult {
  int exitCode = -1;
  std::string output, start, end;
};

// Reads an exec's shim stream to its exit frame: the output (its first kMaxOutput bytes) and
// the exit code; past the deadline the process is killed and the probe failed.
ProbeResult readProbe(LaunchedExec& ex, Clock::time_point deadline,
                      std::chrono::nanoseconds timeout) {
  ProbeResult r;
  std::string data;
  char buf[8192];
  for (;;) {
    while (auto h = shim::decodeFrameHeader(data)) {
      if (data.size() < shim::kFrameHeaderSize + h->length) break;
      std::string_view payload(data.data() + shim::kFrameHeaderSize, h->length);
      if (h->stream == shim::kFrameExit) {
        r.exitCode = static_cast<int>(parseInt(payload, "exit code").value_or(-1));
        return r;
      }
      if (r.output.size() < kMaxOutput)
        r.output.append(payload.substr(0, kMaxOutput - r.output.size()));
      data.erase(0, shim::kFrameHeaderSize + h->length);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    struct pollfd p = {ex.stream.get(), POLLIN, 0};
    int n = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      if (ex.pid > 0) ::kill(ex.pid, SIGKILL);
      r.exitCode = -1;
      r.output = fmt::format("Health check exceeded timeout ({}s)",
                             std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
      return r;
    }
    ssize_t got = ::read(ex.stream.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return r;  // the shim went away: no exit code
    data.append(buf, static_cast<size_t>(got));
  }
}

}  // namespace

void ContainerService::Impl::startHealthMonitor(const std::shared_ptr<Container>& c, bool fresh) {
  Json& state = c->doc["State"];
  auto cfg = healthConfig(c->doc["Config"]);
  if (!cfg) {
    state.erase("Health");
    return;
  }
  if (fresh || !state.contains("Health"))
    state["Health"] = {{"Status", "starting"}, {"FailingStreak", 0}, {"Log", Json::array()}};
  uint64_t seq = c->exitSeq;
  std::thread([this, c, seq, cfg = std::move(*cfg)] {
    auto began = Clock::now();
    auto over = [&] { return c->exitSeq != seq || c->removed || closing; };
    for (;;) {
      Json doc;
      {
        std::unique_lock lk(c->mu);
        bool starting = Clock::now() - began < cfg.startPeriod;
        if (c->cv.wait_for(lk, starting ? cfg.startInterval : cfg.interval, over)) return;
        if (c->doc["State"].value("Paused", false)) continue;
        doc = c->doc;
      }
      ExecConfig probe{.cmd = cfg.cmd};
      std::string execId = "health-" + randomHexId().substr(0, 16);
      std::string start = nowRfc3339Nano();
      ProbeResult r;
      auto launched = launchExec(doc, execId, probe, false);
      if (launched) {
        r = readProbe(*launched, Clock::now() + cfg.timeout, cfg.timeout);
        ::unlink((stateDir(c->id) + "/exec-" + execId + ".json").c_str());
      } else {
        r.output = launched.error().message();
      }
      r.start = start;
      r.end = nowRfc3339Nano();
      std::unique_lock lk(c->mu);
      if (over()) return;
      Json& h = c->doc["State"]["Health"];
      std::string before = h.value("Status", "starting");
      Json log = h.value("Log", Json::array());
      log.push_back(
          {{"Start", r.start}, {"End", r.end}, {"ExitCode", r.exitCode}, {"Output", r.output}});
      while (log.size() > kMaxLogEntries) log.erase(log.begin());
      h["Log"] = log;
      if (r.exitCode == 0) {
        h["Status"] = "healthy";
        h["FailingStreak"] = 0;
      } else if (Clock::now() - began >= cfg.startPeriod || before == "healthy") {
        int streak = h.value("FailingStreak", 0) + 1;
        h["FailingStreak"] = streak;
        if (streak >= cfg.retries) h["Status"] = "unhealthy";
      }
      std::string after = h.value("Status", "starting");
      (void)save(*c);
      if (after != before) emit(c->doc, "health_status: " + after);
    }
  }).detach();
}

}  // namespace berth::engine
