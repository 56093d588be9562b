#pragma once
// Parsers for docker's option values: sizes (go-units RAMInBytes), CPUs, ulimits, env and
// label files, --mount, -p, --device, --restart, --filter, durations and --since/--until
// timestamps. Error texts are docker's so scripts that match them keep working.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apitypes/timestamp.h"
#include "base/error.h"
#include "base/json.h"

namespace berth::cli {

/// An image reference split at its tag: "a/b:1" -> {"a/b", "1"}; "localhost:5000/a" has no
/// tag (the colon is the registry's port). A digest ("@sha256:...") is not split off here.
struct RepoTag {
  std::string repo;
  std::optional<std::string> tag;
};
RepoTag splitRepoTag(const std::string& ref);

/// go-units RAMInBytes: "512m", "1.5g", "1024", "2GiB" (binary units). "invalid size: 'x'".
Result<int64_t> parseRamBytes(std::string_view s);
/// --cpus: a decimal number of CPUs as nano CPUs ("1.5" -> 1500000000).
Result<int64_t> parseNanoCpus(std::string_view s);
/// --ulimit name=soft[:hard] as the API's {"Name","Soft","Hard"}.
Result<Json> parseUlimit(std::string_view s);
/// -e KEY=VALUE, or KEY alone taking the value from this environment when it is set.
std::string resolveEnv(std::string_view s);
/// An --env-file or --label-file: KEY=VALUE lines, '#' comments and blank lines skipped; with
/// env, a bare KEY takes its value from this environment (and is dropped when unset).
Result<std::vector<std::string>> readKvFile(const std::string& path, bool env);
/// --mount type=bind,source=/a,target=/b,readonly as an API Mount object.
Result<Json> parseMount(std::string_view s);
/// -p [ip:][hostPort:]containerPort[/proto] into ExposedPorts and PortBindings objects.
Status parsePort(std::string_view s, Json& exposed, Json& bindings);
/// --device /host[:/container[:perms]].
Result<Json> parseDevice(std::string_view s);
/// --restart no|always|unless-stopped|on-failure[:N] as {"Name","MaximumRetryCount"}.
Result<Json> parseRestart(std::string_view s);
/// --filter name=value values as the API's JSON ({"name":{"value":true}}); empty for none.
Result<std::string> filtersJson(const std::vector<std::string>& args);
using apitypes::parseGoDuration;
using apitypes::parseTimestamp;

}  // namespace berth::cli
