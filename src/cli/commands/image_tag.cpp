// berth tag SOURCE TARGET.

#include "base/strings.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

struct NoOptions {};
void flags(FlagSet&, NoOptions&) {}

Result<int> run(Cli& cli, NoOptions&, Args& args) {
  client::Client* c = TRY(cli.client());
  const std::string& target = args[1];
  if (target.find('@') != std::string::npos) {
    return Error::invalid("refusing to create a tag with a digest reference");
  }
  auto split = splitRepoTag(target);
  std::string repo = split.repo, tag = split.tag.value_or("");
  if (repo.empty()) {
    return Error::invalid(
        "Error parsing reference: \"{}\" is not a valid repository/tag: invalid reference format",
        target);
  }
  if (toLower(repo) != repo) {
    // The message names the path as docker normalizes it: a domain dropped, "library/" added.
    std::string path = repo;
    auto slash = path.find('/');
    std::string first = path.substr(0, slash);
    if (slash == std::string::npos) {
      path = "library/" + path;
    } else if (first.find_first_of(".:") != std::string::npos || first == "localhost") {
      path = path.substr(slash + 1);
    }
    return Error::invalid(
        "Error parsing reference: \"{}\" is not a valid repository/tag: invalid "
        "reference format: repository name ({}) must be lowercase",
        target, path);
  }
  client::Query q;
  q.add("repo", repo).opt("tag", tag);
  TRY(post(*c, imagePath(args[0], "/tag"), q));
  return 0;
}

}  // namespace

void registerImageTag(Registry& r) {
  r.add({.paths = {"image tag", "tag"},
         .use = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
         .shortHelp = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
         .minArgs = 2,
         .maxArgs = 2,
         .bind = bindOptions<NoOptions>(flags, run)});
}

}  // namespace berth::cli
