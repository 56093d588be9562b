#include "cli/opts.h"

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>

#include "base/file.h"
#include "base/strings.h"
#include "cli/flags.h"

namespace berth::cli {

namespace {

bool isDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

Result<bool> parseBoolValue(std::string_view key, std::string_view v) {
  std::string l = toLower(v);
  if (l == "1" || l == "true") return true;
  if (l == "0" || l == "false") return false;
  return Error::invalid("invalid value for {}: {}", std::string(key), std::string(v));
}

}  // namespace

Result<int64_t> parseRamBytes(std::string_view s) {
  auto bad = [&] { return Error::invalid("invalid size: '{}'", std::string(s)); };
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string num(s.substr(0, i));
  if (num.empty() || num[0] == '.' || num.back() == '.') return bad();
  std::string_view suffix = s.substr(i);
  if (!suffix.empty() && suffix[0] == ' ') suffix.remove_prefix(1);
  std::string unit = toLower(suffix);
  double mult = 1;
  if (!unit.empty()) {
    static const std::map<char, double> k{{'b', 1},
                                          {'k', 1024.0},
                                          {'m', 1024.0 * 1024},
                                          {'g', 1024.0 * 1024 * 1024},
                                          {'t', 1024.0 * 1024 * 1024 * 1024},
                                          {'p', 1024.0 * 1024 * 1024 * 1024 * 1024}};
    auto it = k.find(unit[0]);
    if (it == k.end()) return bad();
    mult = it->second;
    std::string rest = unit.substr(1);
    if (unit[0] == 'b') {
      if (!rest.empty()) return bad();
    } else if (!(rest.empty() || rest == "b" || rest == "i" || rest == "ib")) {
      return bad();
    }
  }
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (*end != '\0') return bad();
  return static_cast<int64_t>(v * mult);
}

Result<int64_t> parseNanoCpus(std::string_view s) {
  std::string v(trim(s));
  auto bad = [&] {
    return Error::invalid("failed to parse {} as a rational number", std::string(s));
  };
  if (v.empty()) return bad();
  size_t dot = v.find('.');
  std::string whole = v.substr(0, dot), frac = dot == std::string::npos ? "" : v.substr(dot + 1);
  if ((!whole.empty() && !isDigits(whole)) || (!frac.empty() && !isDigits(frac)) ||
      (whole.empty() && frac.empty())) {
    return bad();
  }
  if (frac.size() > 9) return Error::invalid("value is too precise");
  frac.resize(9, '0');
  int64_t n = (whole.empty() ? 0 : std::stoll(whole)) * 1000000000 + std::stoll(frac);
  return n;
}

Result<Json> parseUlimit(std::string_view s) {
  static const char* kNames[] = {"core",    "cpu",      "data",   "fsize",      "locks",
                                 "memlock", "msgqueue", "nice",   "nofile",     "nproc",
                                 "rss",     "rtprio",   "rttime", "sigpending", "stack"};
  auto eq = s.find('=');
  if (eq == std::string_view::npos) {
    return Error::invalid("invalid ulimit argument: {}", std::string(s));
  }
  std::string name(s.substr(0, eq));
  bool known = false;
  for (const char* n : kNames) known = known || name == n;
  if (!known) return Error::invalid("invalid ulimit type: {}", name);
  auto parts = split(s.substr(eq + 1), ':');
  if (parts.size() > 2) {
    return Error::invalid(
        "too many limit value arguments - {}, can only have up to two, `soft[:hard]`",
        std::string(s.substr(eq + 1)));
  }
  auto soft = parseInt(parts[0], "soft limit");
  if (!soft) return Error::invalid("invalid ulimit soft value: {}", parts[0]);
  int64_t hard = *soft;
  if (parts.size() == 2) {
    auto h = parseInt(parts[1], "hard limit");
    if (!h) return Error::invalid("invalid ulimit hard value: {}", parts[1]);
    hard = *h;
    if (*soft > hard) {
      return Error::invalid("ulimit soft limit must be less than or equal to hard limit: {} > {}",
                            *soft, hard);
    }
  }
  return Json{{"Name", name}, {"Soft", *soft}, {"Hard", hard}};
}

std::string resolveEnv(std::string_view s) {
  if (s.find('=') != std::string_view::npos) return std::string(s);
  const char* v = std::getenv(std::string(s).c_str());
  return v ? std::string(s) + "=" + v : std::string(s);
}

Result<std::vector<std::string>> readKvFile(const std::string& path, bool env) {
  std::string text = TRY(readFile(path));
  std::vector<std::string> out;
  int lineNo = 0;
  for (std::string line : split(text, '\n')) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    if (line[0] == '#') continue;
    auto eq = line.find('=');
    std::string key = line.substr(0, eq);
    if (key.empty()) {
      return Error::invalid("no variable name on line '{}'", line);
    }
    if (key.find_first_of(" \t") != std::string::npos) {
      return Error::invalid("variable '{}' contains whitespaces", key);
    }
    if (eq != std::string::npos) {
      out.push_back(line);
    } else if (env) {
      if (const char* v = std::getenv(key.c_str())) out.push_back(key + "=" + v);
    } else {
      out.push_back(key);
    }
  }
  (void)lineNo;
  return out;
}

Result<Json> parseMount(std::string_view s) {
  Json m = {{"Type", "volume"}};
  Json bindOpts = Json::object(), volOpts = Json::object(), tmpfsOpts = Json::object();
  for (const std::string& field : split(s, ',', true)) {
    auto eq = field.find('=');
    std::string key = toLower(trim(field.substr(0, eq)));
    if (eq == std::string::npos) {
      // Boolean fields may stand alone.
      if (key == "readonly" || key == "ro") {
        m["ReadOnly"] = true;
        continue;
      }
      if (key == "volume-nocopy") {
        volOpts["NoCopy"] = true;
        continue;
      }
      return Error::invalid("invalid field '{}' must be a key=value pair", field);
    }
    std::string val = field.substr(eq + 1);
    if (key == "type") {
      if (val != "bind" && val != "volume" && val != "tmpfs" && val != "npipe" &&
          val != "cluster" && val != "image") {
        return Error::invalid("invalid mount type: {}", val);
      }
      m["Type"] = val;
    } else if (key == "source" || key == "src") {
      m["Source"] = val;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m["Target"] = val;
    } else if (key == "readonly" || key == "ro") {
      m["ReadOnly"] = TRY(parseBoolValue(key, val));
    } else if (key == "consistency") {
      m["Consistency"] = val;
    } else if (key == "bind-propagation") {
      bindOpts["Propagation"] = val;
    } else if (key == "bind-nonrecursive") {
      bindOpts["NonRecursive"] = TRY(parseBoolValue(key, val));
    } else if (key == "volume-nocopy") {
      volOpts["NoCopy"] = TRY(parseBoolValue(key, val));
    } else if (key == "volume-label") {
      auto e = val.find('=');
      volOpts["Labels"][val.substr(0, e)] = e == std::string::npos ? "" : val.substr(e + 1);
    } else if (key == "volume-driver") {
      volOpts["DriverConfig"]["Name"] = val;
    } else if (key == "volume-subpath") {
      volOpts["Subpath"] = val;
    } else if (key == "volume-opt") {
      auto e = val.find('=');
      volOpts["DriverConfig"]["Options"][val.substr(0, e)] =
          e == std::string::npos ? "" : val.substr(e + 1);
    } else if (key == "tmpfs-size") {
      tmpfsOpts["SizeBytes"] = TRY(parseRamBytes(val));
    } else if (key == "tmpfs-mode") {
      char* end = nullptr;
      long mode = std::strtol(val.c_str(), &end, 8);
      if (val.empty() || *end) return Error::invalid("invalid value for {}: {}", key, val);
      tmpfsOpts["Mode"] = mode;
    } else {
      return Error::invalid("unexpected key '{}' in '{}'", key, field);
    }
  }
  std::string type = m["Type"];
  if (!m.contains("Target")) return Error::invalid("target is required");
  if (!bindOpts.empty()) {
    if (type != "bind")
      return Error::invalid("cannot mix 'bind-*' options with mount type '{}'", type);
    m["BindOptions"] = bindOpts;
  }
  if (!volOpts.empty()) {
    if (type != "volume") {
      return Error::invalid("cannot mix 'volume-*' options with mount type '{}'", type);
    }
    m["VolumeOptions"] = volOpts;
  }
  if (!tmpfsOpts.empty()) {
    if (type != "tmpfs") {
      return Error::invalid("cannot mix 'tmpfs-*' options with mount type '{}'", type);
    }
    m["TmpfsOptions"] = tmpfsOpts;
  }
  return m;
}

namespace {

Result<std::pair<int, int>> portRange(std::string_view s, std::string_view whole) {
  auto dash = s.find('-');
  auto lo = parseInt(s.substr(0, dash), "port");
  auto hi = dash == std::string_view::npos ? lo : parseInt(s.substr(dash + 1), "port");
  if (!lo || !hi || *lo < 0 || *hi > 65535 || *hi < *lo) {
    return Error::invalid("invalid containerPort: {}", std::string(whole));
  }
  return std::pair<int, int>(static_cast<int>(*lo), static_cast<int>(*hi));
}

}  // namespace

Status parsePort(std::string_view s, Json& exposed, Json& bindings) {
  std::string spec(s), proto = "tcp";
  if (auto slash = spec.rfind('/'); slash != std::string::npos) {
    proto = toLower(spec.substr(slash + 1));
    spec = spec.substr(0, slash);
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      return Error::invalid("invalid proto: {}", proto);
    }
  }
  // [ip:]hostPort:containerPort, with an IPv6 ip in brackets.
  std::string ip, hostPort, containerPort;
  std::string rest = spec;
  if (startsWith(rest, "[")) {
    auto close = rest.find(']');
    if (close == std::string::npos) return Error::invalid("invalid IP address: {}", spec);
    ip = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!startsWith(rest, ":")) return Error::invalid("invalid port format: {}", spec);
    rest = rest.substr(1);
  }
  auto parts = split(rest, ':');
  if (!ip.empty()) parts.insert(parts.begin(), ip);
  if (parts.size() == 1) {
    containerPort = parts[0];
  } else if (parts.size() == 2) {
    hostPort = parts[0];
    containerPort = parts[1];
  } else if (parts.size() == 3) {
    ip = parts[0];
    hostPort = parts[1];
    containerPort = parts[2];
  } else {
    return Error::invalid("invalid port format: {}", spec);
  }
  if (containerPort.empty()) return Error::invalid("no port specified: {}<empty>", spec);
  auto [clo, chi] = TRY(portRange(containerPort, spec));
  int hlo = 0, hhi = 0;
  if (!hostPort.empty()) {
    auto r = portRange(hostPort, spec);
    if (!r) return Error::invalid("invalid hostPort: {}", hostPort);
    hlo = r->first;
    hhi = r->second;
    if (hhi - hlo != chi - clo && hlo != hhi) {
      return Error::invalid("invalid ranges specified for container and host Ports: {} and {}",
                            containerPort, hostPort);
    }
  }
  for (int p = clo; p <= chi; ++p) {
    std::string key = fmt::format("{}/{}", p, proto);
    exposed[key] = Json::object();
    std::string hp;
    if (!hostPort.empty()) {
      hp = hlo == hhi ? (chi == clo ? std::to_string(hlo) : fmt::format("{}-{}", hlo, hhi))
                      : std::to_string(hlo + (p - clo));
    }
    bindings[key].push_back(Json{{"HostIp", ip}, {"HostPort", hp}});
  }
  return {};
}

Result<Json> parseDevice(std::string_view s) {
  auto parts = split(s, ':');
  std::string src = parts[0], dst, perms = "rwm";
  auto validPerms = [](const std::string& p) {
    return !p.empty() && p.size() <= 3 && p.find_first_not_of("rwm") == std::string::npos;
  };
  if (parts.size() == 3) {
    dst = parts[1];
    perms = parts[2];
    if (!validPerms(perms)) return Error::invalid("bad mode specified: {}", perms);
  } else if (parts.size() == 2) {
    if (validPerms(parts[1])) {
      perms = parts[1];
    } else {
      dst = parts[1];
    }
  } else if (parts.size() != 1) {
    return Error::invalid("invalid device specification: {}", std::string(s));
  }
  if (dst.empty()) dst = src;
  if (!startsWith(dst, "/")) {
    return Error::invalid("bad format for path: {}", dst);
  }
  return Json{{"PathOnHost", src}, {"PathInContainer", dst}, {"CgroupPermissions", perms}};
}

Result<Json> parseRestart(std::string_view s) {
  Json p = {{"Name", "no"}, {"MaximumRetryCount", 0}};
  if (s.empty()) return p;
  auto colon = s.find(':');
  std::string name(s.substr(0, colon));
  if (name != "no" && name != "always" && name != "unless-stopped" && name != "on-failure") {
    return Error::invalid(
        "invalid restart policy: unknown policy '{}'; use one of 'no', "
        "'always', 'on-failure', or 'unless-stopped'",
        name);
  }
  p["Name"] = name;
  if (colon != std::string_view::npos) {
    if (name != "on-failure") {
      return Error::invalid(
          "invalid restart policy: maximum retry count can only be used with "
          "'on-failure'");
    }
    auto n = parseInt(s.substr(colon + 1), "count");
    if (!n || *n < 0) {
      return Error::invalid("invalid restart policy: invalid count '{}'",
                            std::string(s.substr(colon + 1)));
    }
    p["MaximumRetryCount"] = *n;
  }
  return p;
}

Result<std::string> filtersJson(const std::vector<std::string>& args) {
  if (args.empty()) return std::string();
  Json f = Json::object();
  for (const auto& a : args) {
    auto eq = a.find('=');
    if (eq == std::string::npos)
      return Error::invalid("bad format of filter (expected name=value)");
    std::string name = toLower(trim(a.substr(0, eq)));
    std::string value(trim(a.substr(eq + 1)));
    f[name][value] = true;
  }
  return dumpJson(f);
}

RepoTag splitRepoTag(const std::string& ref) {
  auto colon = ref.rfind(':');
  auto slash = ref.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {ref.substr(0, colon), ref.substr(colon + 1)};
  return {ref, std::nullopt};
}

}  // namespace berth::cli
