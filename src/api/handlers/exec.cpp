// /containers/{id}/exec and /exec/*: create, start (hijacked), resize, inspect.

#include "api/api.h"
#include "api/stream_pump.h"
#include "apitypes/detach_keys.h"
#include "base/strings.h"

namespace berth::api {

namespace {

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& v : j[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  } else if (j.contains(key) && j[key].is_string()) {
    out.push_back(j[key].get<std::string>());
  }
  return out;
}

}  // namespace

void registerExecRoutes(Router& r, Services& s) {
  auto& cs = s.containers;

  r.add("POST", "/containers/{id}/exec", [&cs](Exchange& ex) -> Status {
    Json b = TRY(ex.jsonBody());
    engine::ExecConfig cfg;
    cfg.cmd = strings(b, "Cmd");
    cfg.env = strings(b, "Env");
    cfg.user = b.value("User", "");
    cfg.workingDir = b.value("WorkingDir", "");
    cfg.tty = b.value("Tty", false);
    cfg.attachStdin = b.value("AttachStdin", false);
    cfg.attachStdout = b.value("AttachStdout", false);
    cfg.attachStderr = b.value("AttachStderr", false);
    cfg.privileged = b.value("Privileged", false);
    cfg.detachKeys = b.value("DetachKeys", "");
    if (!cfg.detachKeys.empty()) TRY(apitypes::parseDetachKeys(cfg.detachKeys));
    std::string id = TRY(cs.execCreate(ex.request().params[0], cfg));
    return ex.reply(201, Json{{"Id", id}});
  });

  r.add("POST", "/exec/{id}/start", [&cs](Exchange& ex) -> Status {
    Json b = TRY(ex.jsonBody());
    std::string execId = ex.request().params[0];
    bool detach = b.value("Detach", false);
    Json info = TRY(cs.execInspect(execId));
    bool tty = info["ProcessConfig"].value("tty", false) || b.value("Tty", false);
    bool in = info.value("OpenStdin", false);
    std::string keys = TRY(detachKeysFor(info.value("DetachKeys", ""), tty && in));
    auto fd = cs.execStart(execId, detach);
    const char* contentType =
        tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
    if (!fd) {
      // As dockerd: a process that could not be started is reported on the upgraded stream,
      // and the exec's exit code (126) tells the client it failed.
      if (detach || !cs.execLaunchFailed(execId)) return std::move(fd).error();
      Conn* conn = TRY(ex.hijack(contentType));
      std::string text = fd.error().message() + "\r\n";
      (void)conn->writeAll(tty ? text : frame(1, text));
      return {};
    }
    if (detach) return ex.replyEmpty(204);
    Conn* conn = TRY(ex.hijack(contentType));
    PumpResult res = pumpShimStream(*conn, fd->get(), tty, in, std::move(keys));
    if (res.detached) {
      cs.execDrain(execId, std::move(*fd), std::move(res.pending));  // it runs on
    } else {
      cs.execExited(execId, res.exitCode.value_or(126));
    }
    return {};
  });

  r.add("POST", "/exec/{id}/resize", [&cs](Exchange& ex) -> Status {
    auto h = parseInt(ex.request().queryValue("h"), "h");
    auto w = parseInt(ex.request().queryValue("w"), "w");
    if (!h || !w) return Error::invalid("resize needs h and w");
    TRY(cs.execResize(ex.request().params[0], static_cast<int>(*h), static_cast<int>(*w)));
    return ex.replyEmpty(201);
  });

  r.add("GET", "/exec/{id}/json", [&cs](Exchange& ex) -> Status {
    return ex.reply(200, TRY(cs.execInspect(ex.request().params[0])));
  });
}

}  // namespace berth::api
