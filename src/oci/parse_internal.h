#pragma once
// Parsers of the config.json sections, shared by spec_parse.cpp (top level, process) and
// linux_parse.cpp (the "linux" object). Each takes the JSON path of its value for messages.
// Private to src/oci.

#include <string>

#include "oci/spec.h"

namespace berth::oci::detail {

Result<Process> parseProcess(const Json& j, const std::string& path);
Result<Linux> parseLinux(const Json& j, const std::string& path);
Result<Resources> parseResources(const Json& j, const std::string& path);
Result<Seccomp> parseSeccomp(const Json& j, const std::string& path);

}  // namespace berth::oci::detail
