// Volumes and bind mounts of docker create (-v, --mount's bind/volume/tmpfs kinds, the image's
// VOLUME list) as Docker's Mounts entries, and the OCI mounts made from them at start.

#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "base/file.h"
#include "base/strings.h"
#include "engine/container_internal.h"
#include "engine/container_mounts.h"
#include "oci/spec.h"

namespace berth::engine {

namespace {

bool validVolumeName(std::string_view n) {
  if (n.size() < 2) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = std::isalnum(static_cast<unsigned char>(c)) ||
              (i > 0 && (c == '_' || c == '.' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

// One -v entry: "src:dst[:mode]" or "dst" (anonymous).
Result<Json> parseBind(const std::string& spec, const std::string& dataRoot,
                       std::vector<std::string>& anon, std::vector<std::string>& named) {
  std::vector<std::string> parts = split(spec, ':');
  if (parts.empty() || parts.size() > 3)
    return Error::invalid("invalid volume specification: '{}'", spec);
  std::string src, dst, mode;
  if (parts.size() == 1) {
    dst = parts[0];
  } else {
    src = parts[0];
    dst = parts[1];
    if (parts.size() == 3) mode = parts[2];
  }
  if (dst.empty() || dst[0] != '/')
    return Error::invalid(
        "invalid volume specification: '{}': destination must be an absolute path", spec);
  auto clean = oci::cleanPath(dst);
  if (!clean || *clean == "/")
    return Error::invalid("invalid volume specification: '{}': invalid mount path", spec);
  bool rw = true;
  std::string propagation;
  for (const std::string& m : split(mode, ',', true)) {
    if (m == "ro") {
      rw = false;
    } else if (m == "rw" || m == "z" || m == "Z" || m == "nocopy" || m == "copy") {
    } else if (m == "private" || m == "rprivate" || m == "shared" || m == "rshared" ||
               m == "slave" || m == "rslave") {
      propagation = m;
    } else {
      return Error::invalid("invalid mode: {}", m);
    }
  }
  Json entry;
  if (src.empty()) {
    std::string name = randomHexId();
    anon.push_back(name);
    entry = {{"Type", "volume"},
             {"Name", name},
             {"Source", dataRoot + "/volumes/" + name + "/_data"},
             {"Driver", "local"},
             {"Propagation", ""}};
  } else if (src[0] == '/') {
    auto cleanSrc = TRY(oci::cleanPath(src));
    // Docker creates a missing bind source as a directory (only -v, not --mount).
    struct stat st;
    if (::stat(cleanSrc.c_str(), &st) != 0) TRY(ensureDir(cleanSrc, 0755));
    entry = {{"Type", "bind"},
             {"Source", cleanSrc},
             {"Propagation", propagation.empty() ? "rprivate" : propagation}};
  } else {
    if (!validVolumeName(src)) {
      return Error::invalid(
          "create {}: \"{}\" includes invalid characters for a local volume name, only "
          "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
          "use absolute path",
          src, src);
    }
    named.push_back(src);
    entry = {{"Type", "volume"},
             {"Name", src},
             {"Source", dataRoot + "/volumes/" + src + "/_data"},
             {"Driver", "local"},
             {"Propagation", ""}};
  }
  entry["Destination"] = *clean;
  entry["Mode"] = mode;
  entry["RW"] = rw;
  return entry;
}

}  // namespace

Result<Json> prepareMounts(const std::string& dataRoot, const Json& cfg, const Json& hc,
                           std::vector<std::string>& anonymous, std::vector<std::string>& named) {
  Json mounts = Json::array();
  std::set<std::string> destinations;
  auto add = [&](Json m) -> Status {
    std::string d = m["Destination"];
    if (!destinations.insert(d).second) return Error::invalid("Duplicate mount point: {}", d);
    mounts.push_back(std::move(m));
    return {};
  };
  if (hc.contains("Binds") && hc["Binds"].is_array()) {
    for (const auto& b : hc["Binds"]) {
      if (!b.is_string()) return Error::invalid("invalid volume specification: {}", dumpJson(b));
      TRY(add(TRY(parseBind(b.get<std::string>(), dataRoot, anonymous, named))));
    }
  }
  if (hc.contains("Mounts") && hc["Mounts"].is_array()) {
    for (const auto& m : hc["Mounts"]) {
      std::string type = m.value("Type", "");
      std::string target = m.value("Target", "");
      std::string source = m.value("Source", "");
      bool ro = m.value("ReadOnly", false);
      if (target.empty() || target[0] != '/')
        return Error::invalid("invalid mount config: Target must be an absolute path");
      if (type == "bind") {
        struct stat st;
        if (::stat(source.c_str(), &st) != 0)
          return Error::invalid(
              "invalid mount config for type \"bind\": bind source path does not exist: {}",
              source);
        TRY(add(Json{{"Type", "bind"},
                     {"Source", source},
                     {"Destination", target},
                     {"Mode", ""},
                     {"RW", !ro},
                     {"Propagation", "rprivate"}}));
      } else if (type == "volume") {
        std::string spec = (source.empty() ? "" : source + ":") + target + (ro ? ":ro" : "");
        TRY(add(TRY(parseBind(spec, dataRoot, anonymous, named))));
      } else if (type == "tmpfs") {
        TRY(add(Json{{"Type", "tmpfs"},
                     {"Source", ""},
                     {"Destination", target},
                     {"Mode", ""},
                     {"RW", !ro},
                     {"Propagation", ""}}));
      } else {
        return Error::invalid("invalid mount config: mount type {:?} is not supported", type);
      }
    }
  }
  if (cfg.contains("Volumes") && cfg["Volumes"].is_object()) {
    for (const auto& [dst, _] : cfg["Volumes"].items()) {
      auto clean = oci::cleanPath(dst);
      if (!clean || destinations.count(*clean)) continue;
      TRY(add(TRY(parseBind(*clean, dataRoot, anonymous, named))));
    }
  }
  return mounts;
}

Json volumesToFill(const Json& dockerMounts, const Json& hc) {
  std::set<std::string> noCopy;
  if (hc.contains("Mounts") && hc["Mounts"].is_array()) {
    for (const auto& m : hc["Mounts"]) {
      if (m.is_object() && m.contains("VolumeOptions") && m["VolumeOptions"].is_object() &&
          m["VolumeOptions"].value("NoCopy", false))
        noCopy.insert(oci::cleanPath(m.value("Target", "")).value_or(""));
    }
  }
  Json out = Json::array();
  for (const auto& m : dockerMounts) {
    if (m.value("Type", "") != "volume") continue;
    std::string dst = m.value("Destination", "");
    auto modes = split(m.value("Mode", ""), ',', true);
    if (noCopy.count(dst) || std::find(modes.begin(), modes.end(), "nocopy") != modes.end())
      continue;
    out.push_back(dst);
  }
  return out;
}

namespace {

// --mount type=tmpfs's TmpfsOptions (SizeBytes, Mode) as mount options.
std::vector<std::string> tmpfsOptions(const Json& hc, const std::string& target) {
  std::vector<std::string> out;
  if (!hc.contains("Mounts") || !hc["Mounts"].is_array()) return out;
  for (const auto& m : hc["Mounts"]) {
    if (!m.is_object() || m.value("Type", "") != "tmpfs" || m.value("Target", "") != target ||
        !m.contains("TmpfsOptions") || !m["TmpfsOptions"].is_object())
      continue;
    const Json& t = m["TmpfsOptions"];
    if (t.contains("SizeBytes") && t["SizeBytes"].is_number() && t["SizeBytes"].get<int64_t>() > 0)
      out.push_back(fmt::format("size={}", t["SizeBytes"].get<int64_t>()));
    if (t.contains("Mode") && t["Mode"].is_number() && t["Mode"].get<int64_t>() > 0)
      out.push_back(fmt::format("mode={:o}", t["Mode"].get<int64_t>() & 07777));
  }
  return out;
}

}  // namespace

std::vector<oci::Mount> ociMounts(const Json& dockerMounts, const Json& hc) {
  std::vector<oci::Mount> out;
  for (const auto& m : dockerMounts) {
    std::string type = m.value("Type", "");
    oci::Mount om;
    om.destination = m.value("Destination", "");
    if (type == "tmpfs") {
      om.type = "tmpfs";
      om.source = "tmpfs";
      om.options = {"nosuid", "nodev", "noexec", m.value("RW", true) ? "rw" : "ro"};
      for (auto& o : tmpfsOptions(hc, om.destination)) om.options.push_back(std::move(o));
    } else {
      om.type = "bind";
      om.source = m.value("Source", "");
      om.options = {"rbind", m.value("RW", true) ? "rw" : "ro"};
      std::string prop = m.value("Propagation", "");
      om.options.push_back(prop.empty() ? "rprivate" : prop);
    }
    out.push_back(std::move(om));
  }
  if (hc.contains("Tmpfs") && hc["Tmpfs"].is_object()) {
    for (const auto& [dst, opts] : hc["Tmpfs"].items()) {
      oci::Mount om{.destination = dst,
                    .type = "tmpfs",
                    .source = "tmpfs",
                    .options = {"nosuid", "nodev", "noexec"}};
      if (opts.is_string()) {
        for (const std::string& o : split(opts.get<std::string>(), ',', true))
          om.options.push_back(o);
      }
      out.push_back(std::move(om));
    }
  }
  return out;
}

}  // namespace berth::engine
