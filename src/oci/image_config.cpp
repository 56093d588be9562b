// Image configs (Docker's image JSON and the OCI image config share one shape) and the
// container config they carry.
//
// Round trip: `extra` starts as the whole source object and every modelled key is taken out of
// it once its member holds a non-empty value. A modelled key whose value was empty keeps its
// source spelling in `extra`, so "Cmd": null (Docker), an absent Cmd (OCI) and "Cmd": [] stay
// three different documents, and "User": "" or "Labels": {} come back as they were. Rendering
// starts from `extra` and writes every non-empty member over it. Keys come out sorted (the
// JSON object is a std::map), so equal values render to equal bytes.

#include <cstdio>

#include "oci/image.h"
#include "oci/json_read.h"

namespace berth::oci {
namespace {

using detail::fieldPath;
using detail::indexPath;

bool isEmpty(const std::string& v) {
  return v.empty();
}
bool isEmpty(bool v) {
  return !v;
}
template <typename T>
bool isEmpty(const std::vector<T>& v) {
  return v.empty();
}
template <typename T>
bool isEmpty(const std::set<T>& v) {
  return v.empty();
}
template <typename K, typename V>
bool isEmpty(const std::map<K, V>& v) {
  return v.empty();
}
template <typename T>
bool isEmpty(const std::optional<T>& v) {
  return !v.has_value();
}

// Parses obj[key] (present and not null) with parse(value, path, out); drops the key from
// `extra` unless the result is empty.
template <typename T, typename F>
Status readKept(const Json& obj, std::string_view key, std::string_view parent, Json& extra, T& out,
                F&& parse) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return ok();
  TRY(parse(*it, fieldPath(parent, key), out));
  if (!isEmpty(out)) extra.erase(std::string(key));
  return ok();
}

template <typename T>
Status readKept(const Json& obj, std::string_view key, std::string_view parent, Json& extra,
                T& out) {
  return readKept(obj, key, parent, extra, out, [](const Json& j, const std::string& path, T& o) {
    return detail::convert(j, path, o);
  });
}

// Docker's strslice.StrSlice: an array of strings, or one string meaning a one-element array.
Status convertStrSlice(const Json& j, const std::string& path, std::vector<std::string>& out) {
  if (j.is_string()) {
    out = {j.get<std::string>()};
    return ok();
  }
  return detail::convert(j, path, out);
}

Status convertOptionalStrSlice(const Json& j, const std::string& path,
                               std::optional<std::vector<std::string>>& out) {
  std::vector<std::string> v;
  TRY(convertStrSlice(j, path, v));
  out = std::move(v);
  return ok();
}

// {"80/tcp": {}, ...}: Go's map[string]struct{}, whose values may be objects or null.
Status convertKeySet(const Json& j, const std::string& path, std::set<std::string>& out) {
  TRY(detail::expectObject(j, path));
  std::set<std::string> keys;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_object() && !v.is_null())
      return Error::invalid("{}: expected object, got {}", fieldPath(path, k), detail::describe(v));
    keys.insert(k);
  }
  out = std::move(keys);
  return ok();
}

Json keySetToJson(const std::set<std::string>& keys) {
  Json out = Json::object();
  for (const std::string& k : keys) out[k] = Json::object();
  return out;
}

bool digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// RFC 3339 as Go's time.Time unmarshals it: 2006-01-02T15:04:05[.999999999](Z|+07:00).
bool isRfc3339(std::string_view s) {
  if (!digits(s, 0, 4) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2) || s[10] != 'T' || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) ||
      s[16] != ':' || !digits(s, 17, 2))
    return false;
  int month = number(s, 5, 2), day = number(s, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || number(s, 11, 2) > 23 ||
      number(s, 14, 2) > 59 || number(s, 17, 2) > 59)
    return false;
  size_t i = 19;
  if (s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  std::string_view zone = s.substr(i);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2) &&
         zone[3] == ':' && digits(zone, 4, 2) && number(zone, 1, 2) < 24 && number(zone, 4, 2) < 60;
}

Status convertTime(const Json& j, const std::string& path, std::string& out) {
  TRY(detail::convert(j, path, out));
  if (!out.empty() && !isRfc3339(out))
    return Error::invalid("{}: {:?} is not an RFC 3339 time", path, out);
  return ok();
}

Result<HealthConfig> parseHealthcheck(const Json& j, const std::string& path) {
  TRY(detail::expectObject(j, path));
  HealthConfig h;
  TRY(detail::read(j, "Test", path, h.test));
  TRY(detail::read(j, "Interval", path, h.intervalNs));
  TRY(detail::read(j, "Timeout", path, h.timeoutNs));
  TRY(detail::read(j, "StartPeriod", path, h.startPeriodNs));
  TRY(detail::read(j, "StartInterval", path, h.startIntervalNs));
  TRY(detail::read(j, "Retries", path, h.retries));
  return h;
}

Json healthcheckToJson(const HealthConfig& h) {
  Json out = Json::object();
  if (!h.test.empty()) out["Test"] = h.test;
  if (h.intervalNs) out["Interval"] = h.intervalNs;
  if (h.timeoutNs) out["Timeout"] = h.timeoutNs;
  if (h.startPeriodNs) out["StartPeriod"] = h.startPeriodNs;
  if (h.startIntervalNs) out["StartInterval"] = h.startIntervalNs;
  if (h.retries) out["Retries"] = h.retries;
  return out;
}

Result<ContainerConfig> parseContainerConfig(const Json& j, const std::string& path) {
  TRY(detail::expectObject(j, path));
  ContainerConfig c;
  Json& extra = c.extra;
  extra = j;
  TRY(readKept(j, "User", path, extra, c.user));
  TRY(readKept(j, "ExposedPorts", path, extra, c.exposedPorts, convertKeySet));
  TRY(readKept(j, "Env", path, extra, c.env));
  TRY(readKept(j, "Entrypoint", path, extra, c.entrypoint, convertOptionalStrSlice));
  TRY(readKept(j, "Cmd", path, extra, c.cmd, convertOptionalStrSlice));
  TRY(readKept(j, "Volumes", path, extra, c.volumes, convertKeySet));
  TRY(readKept(j, "WorkingDir", path, extra, c.workingDir));
  TRY(readKept(j, "Labels", path, extra, c.labels));
  TRY(readKept(j, "StopSignal", path, extra, c.stopSignal));
  TRY(readKept(j, "ArgsEscaped", path, extra, c.argsEscaped));
  TRY(readKept(j, "Healthcheck", path, extra, c.healthcheck,
               [](const Json& v, const std::string& p, std::optional<HealthConfig>& out) -> Status {
                 out = TRY(parseHealthcheck(v, p));
                 return ok();
               }));
  TRY(readKept(j, "OnBuild", path, extra, c.onBuild));
  TRY(readKept(j, "Shell", path, extra, c.shell, convertStrSlice));
  return c;
}

bool isEmpty(const ContainerConfig& c) {
  return c.user.empty() && c.exposedPorts.empty() && c.env.empty() && !c.entrypoint && !c.cmd &&
         c.volumes.empty() && c.workingDir.empty() && c.labels.empty() && c.stopSignal.empty() &&
         !c.argsEscaped && !c.healthcheck && c.onBuild.empty() && c.shell.empty() &&
         (!c.extra.is_object() || c.extra.empty());
}

Result<HistoryEntry> parseHistory(const Json& j, const std::string& path) {
  TRY(detail::expectObject(j, path));
  HistoryEntry h;
  if (const Json* v = detail::member(j, "created"))
    TRY(convertTime(*v, fieldPath(path, "created"), h.created));
  TRY(detail::read(j, "created_by", path, h.createdBy));
  TRY(detail::read(j, "author", path, h.author));
  TRY(detail::read(j, "comment", path, h.comment));
  TRY(detail::read(j, "empty_layer", path, h.emptyLayer));
  return h;
}

Json historyToJson(const HistoryEntry& h) {
  Json out = Json::object();
  if (!h.created.empty()) out["created"] = h.created;
  if (!h.createdBy.empty()) out["created_by"] = h.createdBy;
  if (!h.author.empty()) out["author"] = h.author;
  if (!h.comment.empty()) out["comment"] = h.comment;
  if (h.emptyLayer) out["empty_layer"] = true;
  return out;
}

struct RootFs {
  std::string type;
  std::vector<Digest> diffIds;
};

Status convertRootFs(const Json& j, const std::string& path, RootFs& out) {
  TRY(detail::expectObject(j, path));
  const Json* type = detail::member(j, "type");
  if (type == nullptr) return Error::invalid("{}: missing", fieldPath(path, "type"));
  TRY(detail::convert(*type, fieldPath(path, "type"), out.type));
  // Docker and the OCI spec know only "layers" ("layers+base" was Windows-only, long gone).
  if (out.type != "layers")
    return Error::invalid("{}: unsupported type {:?}, want \"layers\"", fieldPath(path, "type"),
                          out.type);
  std::vector<std::string> ids;
  TRY(detail::read(j, "diff_ids", path, ids));
  std::string idsPath = fieldPath(path, "diff_ids");
  for (size_t i = 0; i < ids.size(); ++i) {
    auto d = Digest::parse(ids[i]);
    if (!d) return Error::invalid("{}: {}", indexPath(idsPath, i), d.error().message());
    out.diffIds.push_back(*d);
  }
  return ok();
}

Result<ImageConfig> imageConfigFromJson(const Json& j) {
  if (!j.is_object()) return Error::invalid("expected a JSON object, got {}", detail::describe(j));
  ImageConfig c;
  Json& extra = c.extra;
  extra = j;
  TRY(readKept(j, "created", "", extra, c.created, convertTime));
  TRY(readKept(j, "author", "", extra, c.author));
  TRY(readKept(j, "architecture", "", extra, c.architecture));
  TRY(readKept(j, "os", "", extra, c.os));
  TRY(readKept(j, "variant", "", extra, c.variant));
  TRY(readKept(j, "os.version", "", extra, c.osVersion));
  if (const Json* config = detail::member(j, "config")) {
    c.config = TRY(parseContainerConfig(*config, "config"));
    if (!isEmpty(c.config)) extra.erase("config");
  }
  // Docker refuses an image without one ("invalid image JSON, no RootFS key").
  const Json* rootfs = detail::member(j, "rootfs");
  if (rootfs == nullptr) return Error::invalid("rootfs: missing");
  RootFs fs;
  TRY(convertRootFs(*rootfs, "rootfs", fs));
  c.rootfsType = fs.type;
  c.diffIds = std::move(fs.diffIds);
  if (!c.diffIds.empty()) extra.erase("rootfs");
  TRY(readKept(j, "history", "", extra, c.history,
               [](const Json& v, const std::string& p, std::vector<HistoryEntry>& out) -> Status {
                 TRY(detail::expectArray(v, p));
                 for (size_t i = 0; i < v.size(); ++i)
                   out.push_back(TRY(parseHistory(v[i], indexPath(p, i))));
                 return ok();
               }));
  return c;
}

}  // namespace

Json containerConfigToJson(const ContainerConfig& c) {
  Json out = c.extra.is_object() ? c.extra : Json::object();
  if (!c.user.empty()) out["User"] = c.user;
  if (!c.exposedPorts.empty()) out["ExposedPorts"] = keySetToJson(c.exposedPorts);
  if (!c.env.empty()) out["Env"] = c.env;
  if (c.entrypoint) out["Entrypoint"] = *c.entrypoint;
  if (c.cmd) out["Cmd"] = *c.cmd;
  if (!c.volumes.empty()) out["Volumes"] = keySetToJson(c.volumes);
  if (!c.workingDir.empty()) out["WorkingDir"] = c.workingDir;
  if (!c.labels.empty()) out["Labels"] = c.labels;
  if (!c.stopSignal.empty()) out["StopSignal"] = c.stopSignal;
  if (c.argsEscaped) out["ArgsEscaped"] = true;
  if (c.healthcheck) out["Healthcheck"] = healthcheckToJson(*c.healthcheck);
  if (!c.onBuild.empty()) out["OnBuild"] = c.onBuild;
  if (!c.shell.empty()) out["Shell"] = c.shell;
  return out;
}

Result<ContainerConfig> containerConfigFromJson(const Json& j) {
  return parseContainerConfig(j, "config");
}

Result<ImageConfig> parseImageConfig(std::string_view json) {
  Json j = TRY(parseJson(json, "image config"));
  return TRY_CTX(imageConfigFromJson(j), "image config");
}

std::string renderImageConfig(const ImageConfig& c) {
  Json out = c.extra.is_object() ? c.extra : Json::object();
  if (!c.created.empty()) out["created"] = c.created;
  if (!c.author.empty()) out["author"] = c.author;
  if (!c.architecture.empty()) out["architecture"] = c.architecture;
  if (!c.os.empty()) out["os"] = c.os;
  if (!c.variant.empty()) out["variant"] = c.variant;
  if (!c.osVersion.empty()) out["os.version"] = c.osVersion;
  if (!isEmpty(c.config)) out["config"] = containerConfigToJson(c.config);
  // Both formats require rootfs; an empty one keeps its source spelling when it has one.
  if (!c.diffIds.empty() || c.rootfsType != "layers" || !out.contains("rootfs")) {
    Json ids = Json::array();
    for (const Digest& d : c.diffIds) ids.push_back(d.str());
    out["rootfs"] = Json{{"type", c.rootfsType}, {"diff_ids", std::move(ids)}};
  }
  if (!c.history.empty()) {
    Json history = Json::array();
    for (const HistoryEntry& h : c.history) history.push_back(historyToJson(h));
    out["history"] = std::move(history);
  }
  return dumpJson(out);
}

}  // namespace berth::oci
