// /networks/*: the builtin host and none networks (bridge networks come with P5). Listing,
// inspecting and pruning work as on docker, so `docker network ls` and `docker system prune`
// do; creating, removing and connecting are refused with a message that says why.

#include <ctime>

#include "api/api.h"
#include "apitypes/filters.h"
#include "base/strings.h"
#include "engine/networks.h"

namespace berth::api {

namespace {

std::string createdText(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm;
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The running containers on a network, as docker's NetworkResource.Containers shows them.
Json containersOn(Services& s, const std::string& network) {
  Json out = Json::object();
  auto list = s.containers.list(engine::ListOptions{});
  if (!list) return out;
  for (const Json& c : *list) {
    if (c["HostConfig"].value("NetworkMode", "") != network) continue;
    std::string name = c["Names"].empty() ? "" : c["Names"][0].get<std::string>();
    if (startsWith(name, "/")) name.erase(0, 1);
    out[c.value("Id", "")] = {{"Name", name},
                              {"EndpointID", ""},
                              {"MacAddress", ""},
                              {"IPv4Address", ""},
                              {"IPv6Address", ""}};
  }
  return out;
}

Error notSupported(std::string_view what) {
  return Error(
      ErrorKind::NotImplemented,
      fmt::format("{} is not supported: berth has only the builtin host and none networks", what));
}

}  // namespace

void registerNetworkRoutes(Router& r, Services& s) {
  r.add("GET", "/networks", [&s](Exchange& ex) -> Status {
    auto f = TRY(
        apitypes::Filters::parse(ex.request().queryValue("filters"),
                                 {"dangling", "driver", "id", "label", "name", "scope", "type"}));
    for (const std::string& t : f.values("type"))
      if (t != "builtin" && t != "custom") return Error::invalid("invalid filter: 'type'='{}'", t);
    bool dangling = TRY(f.boolValue("dangling"));
    Json out = Json::array();
    for (const std::string& n : engine::builtinNetworks()) {
      Json net = engine::networkResource(n, createdText(s.started), Json::object());
      auto matches = [&](std::string_view filter, const std::string& v) {
        if (!f.has(filter)) return true;
        for (const std::string& want : f.values(filter))
          if (v.find(want) != std::string::npos) return true;
        return false;
      };
      // Builtin networks have no labels and are never dangling (docker's own rule).
      if (!matches("name", n) || !matches("id", net.value("Id", "")) ||
          !f.matchAny("driver", net.value("Driver", "")) || !f.matchAny("scope", "local") ||
          !f.matchAny("type", "builtin") || f.has("label") || (f.has("dangling") && dangling))
        continue;
      out.push_back(std::move(net));
    }
    return ex.reply(200, out);
  });

  r.add("GET", "/networks/{id}", [&s](Exchange& ex) -> Status {
    std::string n = TRY(engine::resolveNetwork(ex.request().params[0]));
    return ex.reply(200, engine::networkResource(n, createdText(s.started), containersOn(s, n)));
  });

  r.add("POST", "/networks/create", [](Exchange& ex) -> Status {
    Json b = TRY(ex.jsonBody());
    std::string name = b.is_object() ? b.value("Name", "") : "";
    if (name.empty()) return Error::invalid("network name is required");
    if (engine::resolveNetwork(name))
      return Error(ErrorKind::Conflict, fmt::format("network with name {} already exists", name));
    return notSupported("network create");
  });

  r.add("DELETE", "/networks/{id}", [](Exchange& ex) -> Status {
    std::string n = TRY(engine::resolveNetwork(ex.request().params[0]));
    return Error(ErrorKind::PermissionDenied,
                 fmt::format("{} is a pre-defined network and cannot be removed", n));
  });

  r.add("POST", "/networks/{id}/connect", [](Exchange& ex) -> Status {
    TRY(engine::resolveNetwork(ex.request().params[0]));
    return notSupported("network connect");
  });
  r.add("POST", "/networks/{id}/disconnect", [](Exchange& ex) -> Status {
    TRY(engine::resolveNetwork(ex.request().params[0]));
    return notSupported("network disconnect");
  });

  // Only builtin networks exist, and those are never pruned.
  r.add("POST", "/networks/prune", [](Exchange& ex) -> Status {
    TRY(apitypes::Filters::parse(ex.request().queryValue("filters"), {"label", "label!", "until"}));
    return ex.reply(200, Json{{"NetworksDeleted", nullptr}});
  });
}

}  // namespace berth::api
