// seccompFromProfile(): Docker's profile format -> OCI linux.seccomp, with moby's rules
// (profiles/seccomp/seccomp_linux.go): the archMap entry of the native architecture only; a rule
// is dropped when any of its excludes matches (native arch listed, a listed capability in the
// bounding set, kernel >= minKernel) or any of its includes does not (native arch not listed, a
// listed capability missing, kernel < minKernel).

#include "engine/seccomp_profile.h"

#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace berth::engine {

namespace {

// The architecture berthd runs as, by libseccomp's (and moby's) name for it.
constexpr std::string_view kNativeArch =
#if defined(__x86_64__)
    "amd64";
#elif defined(__i386__)
    "x86";
#elif defined(__aarch64__)
    "arm64";
#elif defined(__arm__)
    "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    "ppc64le";
#elif defined(__powerpc64__)
    "ppc64";
#elif defined(__s390x__)
    "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    "riscv64";
#elif defined(__loongarch64)
    "loong64";
#else
    "";
#endif

// libseccomp's arch names -> the SCMP_ARCH_ constant that archMap entries are keyed by.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kSeccompArch{{
    {"x86", "SCMP_ARCH_X86"},
    {"amd64", "SCMP_ARCH_X86_64"},
    {"arm", "SCMP_ARCH_ARM"},
    {"arm64", "SCMP_ARCH_AARCH64"},
    {"loong64", "SCMP_ARCH_LOONGARCH64"},
    {"mips64", "SCMP_ARCH_MIPS64"},
    {"mips64n32", "SCMP_ARCH_MIPS64N32"},
    {"mipsel64", "SCMP_ARCH_MIPSEL64"},
    {"mips3l64n32", "SCMP_ARCH_MIPSEL64N32"},
    {"mipsle", "SCMP_ARCH_MIPSEL"},
    {"ppc", "SCMP_ARCH_PPC"},
    {"ppc64", "SCMP_ARCH_PPC64"},
    {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"riscv64", "SCMP_ARCH_RISCV64"},
    {"s390", "SCMP_ARCH_S390"},
    {"s390x", "SCMP_ARCH_S390X"},
}};

std::string_view seccompArchOf(std::string_view arch) {
  for (const auto& [name, scmp] : kSeccompArch) {
    if (name == arch) return scmp;
  }
  return {};
}

struct KernelVersion {
  unsigned kernel = 0, major = 0;
};

// "<kernel>.<major>", each 0-255 and not both 0; "" means 0.0, as moby reads it.
Result<KernelVersion> parseMinKernel(const Json& v) {
  auto bad = [&](std::string_view why) {
    return Error::invalid("invalid kernel version: {}, expected \"<kernel>.<major>\"{}", v.dump(),
                          why);
  };
  if (!v.is_string()) return bad("");
  std::string s = v.get<std::string>();
  KernelVersion k;
  if (s.empty()) return k;
  auto dot = s.find('.');
  if (dot == std::string::npos || s.find('.', dot + 1) != std::string::npos) return bad("");
  auto number = [](std::string_view part, unsigned& out) {
    if (part.empty() || part.size() > 3 ||
        part.find_first_not_of("0123456789") != std::string_view::npos)
      return false;
    out = static_cast<unsigned>(std::stoul(std::string(part)));
    return out <= 255;
  };
  if (!number(std::string_view(s).substr(0, dot), k.kernel) ||
      !number(std::string_view(s).substr(dot + 1), k.major))
    return bad("");
  if (k.kernel == 0 && k.major == 0) return bad(": version cannot be 0.0");
  return k;
}

bool kernelAtLeast(const SeccompTarget& t, KernelVersion min) {
  return t.kernel > min.kernel || (t.kernel == min.kernel && t.major >= min.major);
}

bool hasCap(const SeccompTarget& t, const std::string& cap) {
  return std::find(t.caps.begin(), t.caps.end(), cap) != t.caps.end();
}

bool present(const Json& obj, const char* key) {
  return obj.contains(key) && !obj[key].is_null();
}

bool nonEmpty(const Json& obj, const char* key) {
  return present(obj, key) && !obj[key].empty();
}

// A filter's "caps" or "arches": a list of strings, or absent.
Result<std::vector<std::string>> filterList(const Json& filter, const char* key,
                                            const std::string& where) {
  std::vector<std::string> out;
  if (!present(filter, key)) return out;
  const Json& v = filter[key];
  if (!v.is_array())
    return Error::invalid("seccomp profile: {}.{} must be a list of strings", where, key);
  for (const auto& e : v) {
    if (!e.is_string())
      return Error::invalid("seccomp profile: {}.{} must be a list of strings", where, key);
    out.push_back(e.get<std::string>());
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view want) {
  return std::find(list.begin(), list.end(), want) != list.end();
}

// Whether rule `i` stays in the profile for `t`.
Result<bool> applies(const Json& rule, size_t i, const SeccompTarget& t) {
  if (present(rule, "excludes")) {
    const Json& ex = rule["excludes"];
    std::string where = fmt::format("syscalls[{}].excludes", i);
    if (contains(TRY(filterList(ex, "arches", where)), t.arch)) return false;
    for (const auto& c : TRY(filterList(ex, "caps", where))) {
      if (hasCap(t, c)) return false;
    }
    if (present(ex, "minKernel") && kernelAtLeast(t, TRY(parseMinKernel(ex["minKernel"]))))
      return false;
  }
  if (present(rule, "includes")) {
    const Json& in = rule["includes"];
    std::string where = fmt::format("syscalls[{}].includes", i);
    auto arches = TRY(filterList(in, "arches", where));
    if (!arches.empty() && !contains(arches, t.arch)) return false;
    for (const auto& c : TRY(filterList(in, "caps", where))) {
      if (!hasCap(t, c)) return false;
    }
    if (present(in, "minKernel") && !kernelAtLeast(t, TRY(parseMinKernel(in["minKernel"]))))
      return false;
  }
  return true;
}

// May throw Json::exception on fields of the wrong type; the caller turns that into an Error.
Result<std::optional<Json>> convert(const Json& p, const SeccompTarget& t) {
  bool hasDefault = present(p, "defaultAction") && p["defaultAction"] != "";
  if (!hasDefault && !nonEmpty(p, "syscalls")) return std::optional<Json>();
  if (nonEmpty(p, "architectures") && nonEmpty(p, "archMap")) {
    return Error::invalid(
        "both 'architectures' and 'archMap' are specified in the seccomp profile, use either "
        "'architectures' or 'archMap'");
  }
  Json out = Json::object();
  // OCI's own fields pass through; the runtime checks their values.
  for (const char* key : {"defaultAction", "defaultErrnoRet", "architectures", "flags",
                          "listenerPath", "listenerMetadata"}) {
    if (present(p, key)) out[key] = p[key];
  }
  if (std::string_view native = seccompArchOf(t.arch); !native.empty() && present(p, "archMap")) {
    for (const auto& a : p["archMap"]) {
      if (a.value("architecture", "") != native) continue;
      Json arches = Json::array({a["architecture"]});
      if (present(a, "subArchitectures")) {
        for (const auto& s : a["subArchitectures"]) arches.push_back(s);
      }
      out["architectures"] = std::move(arches);
      break;
    }
  }
  Json calls = Json::array();
  if (present(p, "syscalls")) {
    for (size_t i = 0; i < p["syscalls"].size(); ++i) {
      const Json& s = p["syscalls"][i];
      if (!s.is_object())
        return Error::invalid("seccomp profile: syscalls[{}] is not an object", i);
      if (present(s, "names") &&
          (!s["names"].is_array() || !std::all_of(s["names"].begin(), s["names"].end(),
                                                  [](const Json& n) { return n.is_string(); }))) {
        return Error::invalid("seccomp profile: syscalls[{}].names must be a list of syscall names",
                              i);
      }
      Json names = Json::array();
      if (present(s, "name") && s["name"] != "") {
        if (nonEmpty(s, "names")) {
          return Error::invalid(
              "both 'name' and 'names' are specified in the seccomp profile, use either 'name' "
              "or 'names'");
        }
        names.push_back(s["name"]);
      } else if (present(s, "names")) {
        names = s["names"];
      }
      if (!TRY(applies(s, i, t))) continue;
      Json c = {{"names", std::move(names)}};
      if (present(s, "action")) c["action"] = s["action"];
      if (present(s, "errnoRet")) c["errnoRet"] = s["errnoRet"];
      if (nonEmpty(s, "args")) c["args"] = s["args"];
      calls.push_back(std::move(c));
    }
  }
  out["syscalls"] = std::move(calls);
  return std::optional<Json>(std::move(out));
}

}  // namespace

SeccompTarget hostSeccompTarget(std::vector<std::string> caps) {
  SeccompTarget t{.caps = std::move(caps), .arch = std::string(kNativeArch)};
  struct utsname u {};
  if (::uname(&u) == 0) std::sscanf(u.release, "%u.%u", &t.kernel, &t.major);
  return t;
}

Result<std::optional<Json>> seccompFromProfile(std::string_view text, const SeccompTarget& t) {
  return seccompFromParsedProfile(TRY(parseJson(text, "seccomp profile")), t);
}

Result<std::optional<Json>> seccompFromParsedProfile(const Json& p, const SeccompTarget& t) {
  if (!p.is_object()) return Error::invalid("seccomp profile must be a JSON object");
  try {
    return convert(p, t);
  } catch (const Json::exception& e) {
    return Error::invalid("seccomp profile: {}", e.what());
  }
}

const Json& defaultSeccompProfileJson() {
  // The builtin text is part of the binary and covered by the unit tests: it parses.
  static const Json parsed = Json::parse(defaultSeccompProfile());
  return parsed;
}

}  // namespace berth::engine
