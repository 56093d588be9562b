#include "engine/networks.h"

#include "base/digest.h"
#include "base/strings.h"

namespace berth::engine {

const std::vector<std::string>& builtinNetworks() {
  static const std::vector<std::string> names = {"host", "none"};
  return names;
}

std::string networkId(std::string_view name) {
  return sha256Of("berth network " + std::string(name)).hex();
}

Result<std::string> resolveNetwork(std::string_view nameOrId) {
  for (const std::string& n : builtinNetworks())
    if (nameOrId == n) return n;
  // An ID or an unambiguous prefix of one (docker takes a prefix too).
  if (!nameOrId.empty() && nameOrId.size() <= 64 &&
      nameOrId.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
    for (const std::string& n : builtinNetworks())
      if (startsWith(networkId(n), nameOrId)) return n;
  }
  return Error::notFound("network {} not found", std::string(nameOrId));
}

Json endpointSettings(std::string_view network) {
  return Json{
      {"IPAMConfig", nullptr},    {"Links", nullptr},      {"Aliases", nullptr},
      {"MacAddress", ""},         {"DriverOpts", nullptr}, {"NetworkID", networkId(network)},
      {"EndpointID", ""},         {"Gateway", ""},         {"IPAddress", ""},
      {"IPPrefixLen", 0},         {"IPv6Gateway", ""},     {"GlobalIPv6Address", ""},
      {"GlobalIPv6PrefixLen", 0}, {"DNSNames", nullptr}};
}

Json containerNetworks(const Json& hostConfig) {
  Json out = Json::object();
  std::string mode = hostConfig.is_object() ? hostConfig.value("NetworkMode", "none") : "none";
  for (const std::string& n : builtinNetworks())
    if (mode == n) out[n] = endpointSettings(n);
  return out;
}

Json networkResource(std::string_view name, const std::string& created, Json containers) {
  return Json{{"Name", name},
              {"Id", networkId(name)},
              {"Created", created},
              {"Scope", "local"},
              {"Driver", name == "none" ? "null" : std::string(name)},
              {"EnableIPv4", false},
              {"EnableIPv6", false},
              {"IPAM", {{"Driver", "default"}, {"Options", nullptr}, {"Config", Json::array()}}},
              {"Internal", false},
              {"Attachable", false},
              {"Ingress", false},
              {"ConfigFrom", {{"Network", ""}}},
              {"ConfigOnly", false},
              {"Containers", std::move(containers)},
              {"Options", Json::object()},
              {"Labels", Json::object()}};
}

}  // namespace berth::engine
