#include "cli/commands/inspect.h"

#include "base/strings.h"
#include "cli/commands/common.h"
#include "cli/format/template.h"
#include "cli/output.h"

namespace berth::cli {

namespace {

std::string pathFor(ObjectKind k, const std::string& name) {
  switch (k) {
    case ObjectKind::Container:
      return containerPath(name, "/json");
    case ObjectKind::Image:
      return imagePath(name, "/json");
    case ObjectKind::Volume:
      return "/volumes/" + client::pathEscape(name);
  }
  return "";
}

// The raw JSON of one object, or NotFound when no kind has it.
Result<std::string> fetch(client::Client& c, const InspectRequest& req, const std::string& name) {
  std::optional<Error> first;
  for (ObjectKind k : req.kinds) {
    client::Query q;
    q.flag("size", req.size && k == ObjectKind::Container);
    auto resp = c.call("GET", pathFor(k, name), q);
    if (resp) return resp->readAll();
    if (resp.error().kind() != ErrorKind::NotFound) return std::move(resp).error();
    if (!first) first = resp.error();
  }
  if (req.genericNotFound) return Error::notFound("Error: No such object: {}", name);
  return *first;
}

}  // namespace

Result<int> inspectObjects(Cli& cli, const InspectRequest& req, const Args& names) {
  client::Client* c = TRY(cli.client());
  std::optional<Template> tmpl;
  if (!req.format.empty() && req.format != "json") {
    tmpl = TRY_CTX(Template::parse(req.format), "template parsing error");
  }
  std::vector<std::string> raws, errors;
  for (const auto& n : names) {
    auto raw = fetch(*c, req, n);
    if (!raw) {
      if (raw.error().kind() == ErrorKind::Unavailable) return std::move(raw).error();
      errors.push_back(raw.error().what());
      continue;
    }
    raws.push_back(std::move(*raw));
  }
  if (tmpl) {
    for (const auto& raw : raws) {
      Json obj = TRY(parseJson(raw, "inspect"));
      std::string out = TRY_CTX(tmpl->execute(obj), "template parsing error");
      cli.out(out + "\n");
    }
  } else {
    std::string all = "[";
    for (size_t i = 0; i < raws.size(); ++i) all += (i ? "," : "") + std::string(trim(raws[i]));
    cli.out(indentJson(all + "]") + "\n");
  }
  if (!errors.empty()) return Error(ErrorKind::NotFound, join(errors, "\n"));
  return 0;
}

}  // namespace berth::cli
