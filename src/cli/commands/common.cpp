#include "cli/commands/common.h"

#include "base/file.h"
#include "base/strings.h"

namespace berth::cli {

std::string containerPath(std::string_view id, std::string_view rest) {
  return "/containers/" + client::pathEscape(id) + std::string(rest);
}

std::string imagePath(std::string_view name, std::string_view rest) {
  return "/images/" + client::pathEscape(name) + std::string(rest);
}

Result<int> forEachTarget(Cli& cli, const Args& targets,
                          const std::function<Status(client::Client&, const std::string&)>& fn,
                          bool printTarget) {
  client::Client* c = TRY(cli.client());
  std::vector<std::string> errors;
  for (const auto& t : targets) {
    auto st = fn(*c, t);
    if (!st && st.error().kind() == ErrorKind::Cancelled) continue;  // reported, not failed
    if (!st) {
      // Nothing listens: every other target would fail the same way.
      if (st.error().kind() == ErrorKind::Unavailable) return std::move(st).error();
      errors.push_back(st.error().what());
      continue;
    }
    if (printTarget) {
      cli.out(t + "\n");
      cli.flush();
    }
  }
  if (!errors.empty()) return Error(ErrorKind::Internal, join(errors, "\n"));
  return 0;
}

Result<Json> inspectContainer(client::Client& c, std::string_view id) {
  return c.getJson(containerPath(id, "/json"));
}

Status post(client::Client& c, const std::string& path, const client::Query& q) {
  auto resp = TRY(c.call("POST", path, q));
  TRY(resp.readAll());
  return {};
}

Status copyBody(client::Response& resp, int fd, std::string_view what) {
  std::vector<char> buf(256 * 1024);
  for (;;) {
    size_t n = TRY(resp.read(buf.data(), buf.size()));
    if (n == 0) return {};
    TRY(writeAll(fd, std::string_view(buf.data(), n), what));
  }
}

Status printJsonMessages(Cli& cli, client::Response& resp, bool quiet) {
  for (;;) {
    auto line = TRY(resp.readLine());
    if (!line) return {};
    if (trim(*line).empty()) continue;
    auto j = parseJson(*line, "progress message");
    if (!j || !j->is_object()) continue;
    if (j->contains("errorDetail") || j->contains("error")) {
      std::string msg;
      if (j->contains("errorDetail") && (*j)["errorDetail"].is_object()) {
        msg = (*j)["errorDetail"].value("message", "");
      }
      if (msg.empty()) msg = j->value("error", "");
      return Error(ErrorKind::Internal, msg);
    }
    if (quiet) continue;
    if (j->contains("stream") && (*j)["stream"].is_string()) {
      cli.out((*j)["stream"].get<std::string>());
      continue;
    }
    std::string out;
    if (j->contains("id") && (*j)["id"].is_string()) out += (*j)["id"].get<std::string>() + ": ";
    out += j->value("status", "");
    if (j->contains("progress") && (*j)["progress"].is_string()) {
      out += " " + (*j)["progress"].get<std::string>();
    }
    cli.out(out + "\n");
    cli.flush();
  }
}

}  // namespace berth::cli

#include <iostream>

#include "cli/format/units.h"

namespace berth::cli {

bool confirm(Cli& cli, const std::string& message) {
  cli.out(message + " [y/N] ");
  cli.flush();
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  std::string a(trim(answer));
  return a == "y" || a == "Y";
}

std::string totalReclaimed(int64_t bytes) {
  return "Total reclaimed space: " + humanSize(static_cast<double>(bytes), 4) + "\n";
}

}  // namespace berth::cli
