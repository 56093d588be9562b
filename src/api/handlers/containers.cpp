// /containers/*: create, list, inspect, start, stop, restart, kill, pause, unpause, wait,
// attach, logs, top, changes, export, rename, resize, prune, delete.

#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "api/api.h"
#include "api/pipes.h"
#include "api/stream_pump.h"
#include "apitypes/filters.h"
#include "base/file.h"
#include "base/strings.h"

namespace berth::api {

namespace {

const std::string& idParam(Exchange& ex) {
  return ex.request().params[0];
}

std::optional<int> optInt(const Request& q, const char* key) {
  if (!q.hasQuery(key) || q.queryValue(key).empty()) return std::nullopt;
  auto v = parseInt(q.queryValue(key), key);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// Docker's since/until: unix seconds with optional fraction, or RFC 3339.
Result<int64_t> timeParam(const std::string& v, const char* what) {
  if (v.empty()) return int64_t{0};
  if (v.find_first_not_of("0123456789.") == std::string::npos) {
    auto dot = v.find('.');
    int64_t secs = TRY(parseInt(v.substr(0, dot), what));
    int64_t nanos = 0;
    if (dot != std::string::npos) {
      std::string frac = v.substr(dot + 1);
      frac.resize(9, '0');
      nanos = TRY(parseInt(frac, what));
    }
    return secs * 1000000000 + nanos;
  }
  return Error::invalid("invalid value for {}: {:?}", what, v);
}

}  // namespace

void registerContainerRoutes(Router& r, Services& s) {
  auto& cs = s.containers;

  r.add("POST", "/containers/create", [&cs](Exchange& ex) -> Status {
    Json body = TRY(ex.jsonBody());
    auto res = TRY(cs.create(ex.request().queryValue("name"), body));
    return ex.reply(201, Json{{"Id", res.id}, {"Warnings", res.warnings}});
  });

  r.add("GET", "/containers/json", [&cs](Exchange& ex) -> Status {
    const Request& q = ex.request();
    engine::ListOptions o;
    o.all = q.queryBool("all");
    o.size = q.queryBool("size");
    if (auto n = optInt(q, "limit")) o.limit = *n;
    o.filters = TRY(apitypes::Filters::parse(
        q.queryValue("filters"),
        {"ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label",
         "name", "network", "publish", "since", "status", "volume"}));
    return ex.reply(200, Json(TRY(cs.list(o))));
  });

  r.add("GET", "/containers/{id}/json", [&cs](Exchange& ex) -> Status {
    return ex.reply(200, TRY(cs.inspect(idParam(ex), ex.request().queryBool("size"))));
  });

  r.add("POST", "/containers/{id}/start", [&cs](Exchange& ex) -> Status {
    TRY(cs.start(idParam(ex)));
    return ex.replyEmpty(204);
  });

  r.add("POST", "/containers/{id}/stop", [&cs](Exchange& ex) -> Status {
    const Request& q = ex.request();
    auto t = optInt(q, "t");
    TRY(cs.stop(idParam(ex), t, q.queryValue("signal")));
    return ex.replyEmpty(204);
  });

  r.add("POST", "/containers/{id}/restart", [&cs](Exchange& ex) -> Status {
    TRY(cs.restart(idParam(ex), optInt(ex.request(), "t")));
    return ex.replyEmpty(204);
  });

  r.add("POST", "/containers/{id}/kill", [&cs](Exchange& ex) -> Status {
    TRY(cs.kill(idParam(ex), ex.request().queryValue("signal", "KILL")));
    return ex.replyEmpty(204);
  });

  r.add("POST", "/containers/{id}/pause", [&cs](Exchange& ex) -> Status {
    TRY(cs.pause(idParam(ex)));
    return ex.replyEmpty(204);
  });
  r.add("POST", "/containers/{id}/unpause", [&cs](Exchange& ex) -> Status {
    TRY(cs.unpause(idParam(ex)));
    return ex.replyEmpty(204);
  });

  r.add("POST", "/containers/{id}/wait", [&cs](Exchange& ex) -> Status {
    std::string id = TRY(cs.resolve(idParam(ex)));
    std::string cond = ex.request().queryValue("condition");
    if (!cond.empty() && cond != "not-running" && cond != "next-exit" && cond != "removed") {
      return Error::invalid("invalid condition: \"{}\"", cond);
    }
    // Headers first: the docker CLI starts the container only once the wait is in place.
    TRY(ex.beginStream(200, "application/json"));
    auto res = cs.wait(id, cond, [&ex] { return ex.clientGone(); });
    if (!res) return res.error();
    Json body = {{"StatusCode", res->statusCode}};
    body["Error"] = nullptr;
    return ex.endStreamWith(dumpJson(body) + "\n");
  });

  r.add("POST", "/containers/{id}/attach", [&cs](Exchange& ex) -> Status {
    const Request& q = ex.request();
    std::string id = TRY(cs.resolve(idParam(ex)));
    bool tty = TRY(cs.isTty(id));
    bool in = q.queryBool("stdin"), out = q.queryBool("stdout"), err = q.queryBool("stderr");
    bool logs = q.queryBool("logs");
    // As dockerd: a tty client that types the detach keys (ctrl-p ctrl-q by default) is let go,
    // the container runs on.
    std::string keys = TRY(detachKeysFor(q.queryValue("detachKeys"), tty && in));
    Conn* conn = TRY(ex.hijack(tty ? "application/vnd.docker.raw-stream"
                                   : "application/vnd.docker.multiplexed-stream"));
    if (logs) {
      engine::LogOptions lo{.stdoutStream = out, .stderrStream = err};
      (void)cs.logs(id, lo,
                    [&](const engine::LogEntry& e) {
                      return conn->writeAll(tty ? e.line : frame(e.stream, e.line)).has_value();
                    },
                    {});
    }
    if (!q.queryBool("stream", false)) return {};
    auto fd = cs.attach(id, in, out, err, [&ex] { return ex.clientGone(); });
    if (!fd) {
      (void)conn->writeAll(frame(2, "Error: " + fd.error().what() + "\n"));
      return {};
    }
    if (!fd->valid()) return {};
    pumpShimStream(*conn, fd->get(), tty, in, std::move(keys));
    return {};
  });

  r.add("GET", "/containers/{id}/logs", [&cs](Exchange& ex) -> Status {
    const Request& q = ex.request();
    std::string id = TRY(cs.resolve(idParam(ex)));
    Json info = TRY(cs.inspect(id));
    bool tty = info["Config"].value("Tty", false);
    // Refused before the stream begins, as dockerd does (501).
    if (info["HostConfig"]["LogConfig"].value("Type", "json-file") != "json-file")
      return Error(ErrorKind::NotImplemented, "configured logging driver does not support reading");
    engine::LogOptions o;
    o.stdoutStream = q.queryBool("stdout");
    o.stderrStream = q.queryBool("stderr");
    if (!o.stdoutStream && !o.stderrStream) {
      return Error::invalid("Bad parameters: you must choose at least one stream");
    }
    o.follow = q.queryBool("follow");
    o.timestamps = q.queryBool("timestamps");
    o.sinceNs = TRY(timeParam(q.queryValue("since"), "since"));
    o.untilNs = TRY(timeParam(q.queryValue("until"), "until"));
    std::string tail = q.queryValue("tail", "all");
    if (tail != "all" && !tail.empty()) {
      auto n = parseInt(tail, "tail");
      o.tail = n && *n >= 0 ? *n : -1;
    }
    TRY(ex.beginStream(200, tty ? "application/vnd.docker.raw-stream"
                                : "application/vnd.docker.multiplexed-stream"));
    auto st = cs.logs(
        id, o,
        [&](const engine::LogEntry& e) {
          std::string line = o.timestamps ? e.time + " " + e.line : e.line;
          return ex.writeChunk(tty ? line : frame(e.stream, line)).has_value();
        },
        [&ex] { return ex.clientGone(); });
    if (!st) return st;
    return ex.endStream();
  });

  r.add("GET", "/containers/{id}/top", [&cs](Exchange& ex) -> Status {
    return ex.reply(200, TRY(cs.top(idParam(ex), ex.request().queryValue("ps_args"))));
  });

  r.add("GET", "/containers/{id}/changes", [&cs](Exchange& ex) -> Status {
    Json c = TRY(cs.changes(idParam(ex)));
    return ex.reply(200, c.empty() ? Json(nullptr) : c);
  });

  r.add("GET", "/containers/{id}/export", [&cs](Exchange& ex) -> Status {
    std::string id = TRY(cs.resolve(idParam(ex)));
    return streamOutput(ex, "application/x-tar", [&](int fd) { return cs.exportFs(id, fd); });
  });

  r.add("GET", "/containers/{id}/stats", [&cs](Exchange& ex) -> Status {
    const Request& q = ex.request();
    std::string id = TRY(cs.resolve(idParam(ex)));
    bool stream = q.queryBool("stream", true);
    bool oneShot = q.queryBool("one-shot");
    Json prev = TRY(cs.statsSample(id));
    auto fill = [&](Json cur) {
      cur["precpu_stats"] = prev["cpu_stats"];
      cur["preread"] = prev["read"];
      prev = cur;
      return cur;
    };
    if (!stream) {
      if (oneShot) return ex.reply(200, prev);
      // Docker waits for a second sample so that the CPU percentage can be computed.
      std::this_thread::sleep_for(std::chrono::seconds(1));
      return ex.reply(200, fill(TRY(cs.statsSample(id))));
    }
    TRY(ex.beginStream(200, "application/json"));
    TRY(ex.writeChunk(dumpJson(prev) + "\n"));
    for (;;) {
      for (int i = 0; i < 10; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (ex.clientGone()) return {};
      }
      auto cur = cs.statsSample(id);
      if (!cur) break;  // removed
      TRY(ex.writeChunk(dumpJson(fill(*cur)) + "\n"));
      auto ins = cs.inspect(id);
      if (!ins || !(*ins)["State"].value("Running", false)) break;
    }
    return ex.endStream();
  });

  r.add("POST", "/containers/{id}/rename", [&cs](Exchange& ex) -> Status {
    TRY(cs.rename(idParam(ex), ex.request().queryValue("name")));
    return ex.replyEmpty(204);
  });

  r.add("POST", "/containers/{id}/resize", [&cs](Exchange& ex) -> Status {
    auto h = optInt(ex.request(), "h"), w = optInt(ex.request(), "w");
    if (!h || !w) return Error::invalid("resize needs h and w");
    TRY(cs.resize(idParam(ex), *h, *w));
    return ex.replyEmpty(200);
  });

  r.add("POST", "/containers/prune", [&cs](Exchange& ex) -> Status {
    auto f = TRY(
        apitypes::Filters::parse(ex.request().queryValue("filters"), {"label", "label!", "until"}));
    return ex.reply(200, TRY(cs.prune(f)));
  });

  r.add("DELETE", "/containers/{id}", [&cs](Exchange& ex) -> Status {
    const Request& q = ex.request();
    if (q.queryBool("link")) return Error::invalid("links are not supported");
    TRY(cs.remove(idParam(ex), q.queryBool("force"), q.queryBool("v")));
    return ex.replyEmpty(204);
  });
}

}  // namespace berth::api

namespace berth::api {

namespace {

std::string base64(std::string_view in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

}  // namespace

void registerArchiveRoutes(Router& r, Services& s) {
  auto& cs = s.containers;
  auto stat = [&cs](Exchange& ex) -> Result<std::map<std::string, std::string>> {
    std::string path = ex.request().queryValue("path");
    if (path.empty()) return Error::invalid("path must not be empty");
    Json st = TRY(cs.archiveStat(ex.request().params[0], path));
    return std::map<std::string, std::string>{
        {"X-Docker-Container-Path-Stat", base64(dumpJson(st))}};
  };
  r.add("HEAD", "/containers/{id}/archive", [stat](Exchange& ex) -> Status {
    auto h = TRY(stat(ex));
    TRY(ex.beginStream(200, "application/x-tar", h));
    return ex.endStream();
  });
  r.add("GET", "/containers/{id}/archive", [&cs, stat](Exchange& ex) -> Status {
    auto h = TRY(stat(ex));
    std::string id = ex.request().params[0], path = ex.request().queryValue("path");
    return streamOutput(
        ex, "application/x-tar", [&](int fd) { return cs.archiveGet(id, path, fd); }, h);
  });
  r.add("PUT", "/containers/{id}/archive", [&cs](Exchange& ex) -> Status {
    std::string path = ex.request().queryValue("path");
    if (path.empty()) return Error::invalid("path must not be empty");
    auto body = TRY(pipeBody(ex));
    Status st = cs.archivePut(ex.request().params[0], path, body->readEnd.get());
    body.reset();  // the feeder is done with the connection before the answer
    TRY(st);
    return ex.replyEmpty(200);
  });
}

}  // namespace berth::api
