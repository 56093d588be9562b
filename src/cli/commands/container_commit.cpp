// berth commit: a new image from a container's changes; prints its ID.

#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/opts.h"

namespace berth::cli {

namespace {

struct CommitOptions {
  std::string author, message;
  std::vector<std::string> changes;
  bool pause = true;
};

void flags(FlagSet& fs, CommitOptions& o) {
  fs.stringVar(&o.author, "author", 'a',
               "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  fs.listVar(&o.changes, "change", 'c', "Apply Dockerfile instruction to the created image");
  fs.stringVar(&o.message, "message", 'm', "Commit message");
  fs.boolVar(&o.pause, "pause", 'p', "Pause container during commit");
}

Result<int> run(Cli& cli, CommitOptions& o, Args& args) {
  client::Client* c = TRY(cli.client());
  client::Query q;
  q.add("container", args[0]);
  if (args.size() > 1) {
    auto [repo, tag] = splitRepoTag(args[1]);
    q.add("repo", repo);
    if (tag) q.add("tag", *tag);
  }
  q.opt("comment", o.message).opt("author", o.author);
  for (const auto& ch : o.changes) q.add("changes", ch);
  if (!o.pause) q.add("pause", "0");
  Json body = nullptr;
  Json res = TRY(c->postJson("/commit", q, &body));
  cli.out(res.value("Id", "") + "\n");
  return 0;
}

}  // namespace

void registerContainerCommit(Registry& r) {
  r.add({.paths = {"container commit", "commit"},
         .use = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
         .shortHelp = "Create a new image from a container's changes",
         .minArgs = 1,
         .maxArgs = 2,
         .bind = bindOptions<CommitOptions>(flags, run)});
}

}  // namespace berth::cli
