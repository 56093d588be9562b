#include "shim/request.h"

#include <vector>

#include "shim/util.h"

namespace berth::shim {
namespace {

Result<uint16_t> parseDimension(std::string_view s, std::string_view what) {
  auto v = parseDecimal(s);
  if (!v || *v < 0 || *v > 0xffff || s.front() == '-') {
    return invalidArgument(std::string(what) + " '" + std::string(s) + "' is not within 0..65535");
  }
  return static_cast<uint16_t>(*v);
}

Status parseStreams(std::string_view list, Request& r) {
  for (std::string_view s : splitOn(list, ',')) {
    bool* flag = s == "stdin"    ? &r.stdin
                 : s == "stdout" ? &r.stdout
                 : s == "stderr" ? &r.stderr
                                 : nullptr;
    if (!flag) return invalidArgument("unknown stream '" + std::string(s) + "'");
    if (*flag) return invalidArgument("stream " + std::string(s) + " given twice");
    *flag = true;
  }
  return ok();
}

Status parseExecFlags(std::string_view list, Request& r) {
  if (list == "-") return ok();
  for (std::string_view f : splitOn(list, ',')) {
    bool* flag = f == "tty" ? &r.tty : f == "stdin" ? &r.openStdin : nullptr;
    if (!flag) return invalidArgument("unknown exec flag '" + std::string(f) + "'");
    if (*flag) return invalidArgument("exec flag " + std::string(f) + " given twice");
    *flag = true;
  }
  return ok();
}

Status checkExecId(std::string_view id) {
  if (id.size() > kMaxExecId) return invalidArgument("exec id is too long");
  for (char c : id) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-';
    if (!plain) {
      return invalidArgument("exec id '" + std::string(id) +
                             "' has characters outside [A-Za-z0-9_.-]");
    }
  }
  return ok();
}

}  // namespace

Result<Request> parseRequest(std::string_view line) {
  if (line.size() > kMaxRequestLine) return invalidArgument("request line too long");
  std::vector<std::string_view> w = splitOn(line, ' ');
  for (std::string_view word : w) {
    if (word.empty()) return invalidArgument("malformed request: empty word");
  }
  std::string_view verb = w[0];
  auto arity = [&](size_t n) -> Status {
    if (w.size() != n) {
      return invalidArgument(std::string(verb) + " takes " + std::to_string(n - 1) + " argument" +
                             (n == 2 ? "" : "s"));
    }
    return ok();
  };
  Request r;
  if (verb == "start" || verb == "status" || verb == "wait") {
    TRY(arity(1));
    r.kind = verb == "start"    ? RequestKind::Start
             : verb == "status" ? RequestKind::Status
                                : RequestKind::Wait;
  } else if (verb == "resize") {
    TRY(arity(3));
    r.kind = RequestKind::Resize;
    r.rows = TRY(parseDimension(w[1], "rows"));
    r.cols = TRY(parseDimension(w[2], "cols"));
  } else if (verb == "attach") {
    TRY(arity(2));
    r.kind = RequestKind::Attach;
    TRY(parseStreams(w[1], r));
  } else if (verb == "exec") {
    TRY(arity(4));
    r.kind = RequestKind::Exec;
    TRY(checkExecId(w[1]));
    r.execId = w[1];
    if (w[2].front() != '/') {
      return invalidArgument("process file " + std::string(w[2]) + " is not absolute");
    }
    r.processFile = w[2];
    TRY(parseExecFlags(w[3], r));
  } else if (verb == "exec-resize") {
    TRY(arity(4));
    r.kind = RequestKind::ExecResize;
    TRY(checkExecId(w[1]));
    r.execId = w[1];
    r.rows = TRY(parseDimension(w[2], "rows"));
    r.cols = TRY(parseDimension(w[3], "cols"));
  } else {
    return invalidArgument("unknown request '" + std::string(verb) + "'");
  }
  return r;
}

}  // namespace berth::shim
