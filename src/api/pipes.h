#pragma once
// Engine calls that read or write an fd, bridged to HTTP through a pipe and a thread: a request
// body fed into a pipe (load, import, archive PUT), and a pipe's output streamed as the response
// as it comes (save, export, archive GET).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "api/http.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::api {

// A request body streamed into a pipe; destroying it closes the read end and joins the feeder,
// which must happen before the handler answers (both use the connection).
struct BodyPipe {
  UniqueFd readEnd;
  std::thread feeder;
  ~BodyPipe() {
    readEnd.reset();
    if (feeder.joinable()) feeder.join();
  }
};
Result<std::unique_ptr<BodyPipe>> pipeBody(Exchange& ex);

/// Runs fn(fd) writing into a pipe while the response (200, contentType, headers) is streamed
/// to the client as it comes; an error of fn before its first byte is the response instead.
Status streamOutput(Exchange& ex, std::string_view contentType,
                    const std::function<Status(int)>& fn,
                    const std::map<std::string, std::string>& headers = {});

}  // namespace berth::api
