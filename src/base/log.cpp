#include "base/log.h"

#include <fcntl.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <nlohmann/json.hpp>

namespace berth {
namespace {

// Renders a record as a JSON line; the message is escaped by nlohmann.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto tt = std::chrono::system_clock::to_time_t(msg.time);
    auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count() %
        1000000;
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char ts[64];
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(us));
    std::string level(spdlog::level::to_string_view(msg.level).data(),
                      spdlog::level::to_string_view(msg.level).size());
    if (level == "warning") level = "warning";
    if (level == "err") level = "error";
    nlohmann::json j = {{"level", level},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())},
                        {"time", ts}};
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

Status initLogging(const LogOptions& opts) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (opts.path.empty()) {
      logger = std::make_shared<spdlog::logger>(opts.name,
                                                std::make_shared<spdlog::sinks::stderr_sink_st>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          opts.name, std::make_shared<spdlog::sinks::basic_file_sink_st>(opts.path, false));
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Error::make(ErrorKind::Unavailable, "open log {}: {}", opts.path, e.what());
  }
  if (opts.format == LogFormat::Json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (opts.path.empty()) {
    logger->set_pattern("%n: %l: %v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(opts.level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return ok();
}

}  // namespace berth
