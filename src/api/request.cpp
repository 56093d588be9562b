// Request accessors, target parsing and the error -> status mapping.

#include <sys/socket.h>

#include "api/http.h"
#include "api/server.h"
#include "base/strings.h"

namespace berth::api {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percentDecode(std::string_view s, bool plusIsSpace) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) {
        return Error::invalid("malformed percent-encoding in {:?}", std::string(s));
      }
      int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0)
        return Error::invalid("malformed percent-encoding in {:?}", std::string(s));
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// "1.41" -> {1, 41}; anything else -> {0, 0}.
std::pair<int, int> versionParts(std::string_view v) {
  auto dot = v.find('.');
  if (dot == std::string_view::npos) return {0, 0};
  auto major = parseInt(v.substr(0, dot), "version");
  auto minor = parseInt(v.substr(dot + 1), "version");
  if (!major || !minor) return {0, 0};
  return {static_cast<int>(*major), static_cast<int>(*minor)};
}

}  // namespace

std::string Request::queryValue(std::string_view key, std::string_view fallback) const {
  auto [b, e] = query.equal_range(std::string(key));
  if (b == e) return std::string(fallback);
  return std::prev(e)->second;
}

bool Request::hasQuery(std::string_view key) const {
  return query.count(std::string(key)) > 0;
}

bool Request::queryBool(std::string_view key, bool fallback) const {
  if (!hasQuery(key)) return fallback;
  std::string v = toLower(queryValue(key));
  return !(v.empty() || v == "0" || v == "false" || v == "no");
}

std::string Request::header(std::string_view lowerName) const {
  auto it = headers.find(std::string(lowerName));
  return it == headers.end() ? std::string() : it->second;
}

bool Request::versionBelow(std::string_view v) const {
  return versionParts(apiVersion) < versionParts(v);
}

Result<Json> Exchange::jsonBody() {
  std::string text = TRY(body());
  if (trim(text).empty()) return Json::object();
  auto j = parseJson(text, "request body");
  if (!j) return Error::invalid("invalid JSON in request body: {}", j.error().message());
  return j;
}

Status parseTarget(std::string_view target, Request& req, std::string_view defaultVersion) {
  std::string_view rawPath = target, rawQuery;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    rawPath = target.substr(0, q);
    rawQuery = target.substr(q + 1);
  }
  req.path = TRY(percentDecode(rawPath, false));
  req.apiVersion = std::string(defaultVersion);
  // "/v1.43/containers/json": the version prefix is optional, as in Docker.
  if (req.path.size() > 2 && req.path[0] == '/' && req.path[1] == 'v') {
    size_t end = req.path.find('/', 1);
    std::string_view v = std::string_view(req.path).substr(
        2, (end == std::string::npos ? req.path.size() : end) - 2);
    if (versionParts(v) != std::pair<int, int>{0, 0}) {
      req.apiVersion = std::string(v);
      req.path = end == std::string::npos ? "/" : req.path.substr(end);
    }
  }
  for (const std::string& kv : split(rawQuery, '&', true)) {
    auto eq = kv.find('=');
    std::string key = TRY(percentDecode(kv.substr(0, eq), true));
    std::string value = eq == std::string::npos ? "" : TRY(percentDecode(kv.substr(eq + 1), true));
    req.query.emplace(std::move(key), std::move(value));
  }
  return {};
}

int statusForError(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::NotFound:
      return 404;
    case ErrorKind::AlreadyExists:
    case ErrorKind::Conflict:
      return 409;
    case ErrorKind::InvalidArgument:
      return 400;
    case ErrorKind::PermissionDenied:
      return 403;
    case ErrorKind::NotModified:
      return 304;
    case ErrorKind::NotImplemented:
      return 501;
    case ErrorKind::Unavailable:
      return 503;
    default:
      return 500;
  }
}

void writeError(Exchange& ex, const Error& e) {
  if (ex.answered()) return;
  int status = statusForError(e);
  if (status == 304) {
    (void)ex.replyEmpty(304);
    return;
  }
  (void)ex.reply(status, Json{{"message", e.what()}});
}

}  // namespace berth::api
