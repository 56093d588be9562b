// Route matching: Docker's paths are short, so a linear scan over split segments is plenty.

#include <chrono>

#include "api/server.h"
#include "base/log.h"
#include "base/strings.h"

namespace berth::api {

void Router::add(std::string method, std::string pattern, Handler h) {
  routes_.push_back({std::move(method), split(pattern, '/', true), std::move(h)});
}

namespace {

bool isParam(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
bool isGreedy(const std::string& seg) {
  return isParam(seg) && seg[seg.size() - 2] == '*';
}

// Matches path segments against a pattern; a greedy segment takes as many as leave the rest of
// the pattern matching (so "/images/{name*}/json" takes "localhost:5000/a/b").
bool match(const std::vector<std::string>& pat, const std::vector<std::string>& segs,
           std::vector<std::string>& params) {
  size_t greedy = pat.size();
  for (size_t i = 0; i < pat.size(); ++i) {
    if (isGreedy(pat[i])) greedy = i;
  }
  if (greedy == pat.size()) {
    if (pat.size() != segs.size()) return false;
  } else if (segs.size() < pat.size()) {
    return false;
  }
  size_t tail = pat.size() - greedy - 1;  // fixed segments after the greedy one
  std::vector<std::string> out;
  for (size_t i = 0, j = 0; i < pat.size(); ++i) {
    if (i == greedy) {
      size_t take = segs.size() - j - tail;
      std::vector<std::string> part(segs.begin() + j, segs.begin() + j + take);
      out.push_back(join(part, "/"));
      j += take;
      continue;
    }
    if (isParam(pat[i])) {
      out.push_back(segs[j]);
    } else if (pat[i] != segs[j]) {
      return false;
    }
    ++j;
  }
  params = std::move(out);
  return true;
}

}  // namespace

void Router::dispatch(Exchange& ex, Request& req) const {
  std::vector<std::string> segs = split(req.path, '/', true);
  bool pathMatched = false;
  std::string method = req.method == "HEAD" ? "GET" : req.method;
  for (const Route& r : routes_) {
    std::vector<std::string> params;
    if (!match(r.segments, segs, params)) continue;
    pathMatched = true;
    if (r.method != req.method && r.method != method) continue;
    req.params = std::move(params);
    // A trace of every request at debug level, begun and ended, so that a request that never
    // ends shows in the log (streams and hijacks run as long as their client keeps them).
    bool trace = spdlog::should_log(spdlog::level::debug);
    auto t0 = trace ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    if (trace) spdlog::debug("> {} {}", req.method, req.target);
    Status st;
    try {
      st = r.handler(ex);
    } catch (const std::exception& e) {
      st = Error::internal("{} {}: {}", req.method, req.path, e.what());
    }
    if (trace) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      spdlog::debug("< {} {} {} in {:.1f} ms", req.method, req.target, st ? "done" : "failed",
                    static_cast<double>(us) / 1000.0);
    }
    if (!st) {
      spdlog::info("{} {}: {}", req.method, req.target, st.error().what());
      writeError(ex, st.error());
    }
    return;
  }
  if (pathMatched) {
    (void)ex.reply(
        405, Json{{"message", fmt::format("method {} not allowed for {}", req.method, req.path)}});
  } else {
    (void)ex.reply(404,
                   Json{{"message", fmt::format("page not found: {} {}", req.method, req.path)}});
  }
}

}  // namespace berth::api
