#pragma once
// A request body read from a file (sent with its length) or stdin (chunked): load and import.

#include <memory>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "client/http.h"

namespace berth::cli {

/// Sets req's body source to path ("" or "-": stdin). The returned fd must outlive the request.
Result<std::shared_ptr<UniqueFd>> bodyFromFile(client::Request& req, const std::string& path);

}  // namespace berth::cli
