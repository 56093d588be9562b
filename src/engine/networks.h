#pragma once
// The networks berth has until bridge networking (P5): docker's builtin `host` and `none`, as
// the API shows them (GET /networks, a container's NetworkSettings.Networks).

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace berth::engine {

/// The builtin networks' names, in the order `network ls` lists them.
const std::vector<std::string>& builtinNetworks();
/// A builtin network's ID: the same on every daemon and across restarts (sha256 of its name).
std::string networkId(std::string_view name);
/// The builtin network a name, full ID or ID prefix names; NotFound in docker's words.
Result<std::string> resolveNetwork(std::string_view nameOrId);
/// docker's EndpointSettings of a container on a builtin network.
Json endpointSettings(std::string_view network);
/// A container's NetworkSettings.Networks: its network mode's endpoint ({} for another mode).
Json containerNetworks(const Json& hostConfig);
/// docker's NetworkResource; `containers` is its Containers object (ID -> endpoint).
Json networkResource(std::string_view name, const std::string& created, Json containers);

}  // namespace berth::engine
