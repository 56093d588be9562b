#pragma once
// The command tree: a command is declared once (CommandDef) and may appear at several paths
// (`container ls`, `container ps`, `ps`); names under one parent become aliases. The
// dispatcher walks argv down the tree, parses the command's flags, checks the argument count
// and runs it, printing help, usage errors and returned errors as docker does.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/flags.h"

namespace berth::cli {

using Args = std::vector<std::string>;
// What a command does once parsed; returns the exit status (0, or a container's own code).
using Action = std::function<Result<int>(Cli&, Args&)>;

struct CommandDef {
  std::vector<std::string> paths;  // full paths, first the canonical one: {"container ls", "ps"}
  std::string use;                 // what follows the path in Usage: "[OPTIONS] CONTAINER..."
  std::string shortHelp;
  int minArgs = 0;
  int maxArgs = -1;  // -1: no limit
  bool interspersed = true;
  int errorCode = 1;
  // Declares the flags on a fresh options object and returns the action bound to it.
  std::function<Action(FlagSet&)> bind;
};

// Binds a command's options struct, flag declarations and run function into a CommandDef.
template <typename Opts>
std::function<Action(FlagSet&)> bindOptions(void (*flags)(FlagSet&, Opts&),
                                            Result<int> (*run)(Cli&, Opts&, Args&)) {
  return [flags, run](FlagSet& fs) -> Action {
    auto o = std::make_shared<Opts>();
    flags(fs, *o);
    return [o, run](Cli& cli, Args& args) { return run(cli, *o, args); };
  };
}

struct CommandNode {
  std::string name;
  std::vector<std::string> aliases;
  std::string shortHelp;  // groups: their own; leaves: the def's
  const CommandDef* def = nullptr;
  std::vector<std::unique_ptr<CommandNode>> children;
  CommandNode* parent = nullptr;

  CommandNode* child(std::string_view name);
  std::string path(std::string_view prog) const;
};

class Registry {
 public:
  Registry();
  void add(CommandDef def);
  /// A management command (`container`, `image`...).
  void group(const std::string& name, const std::string& shortHelp);
  CommandNode& root() { return root_; }

 private:
  std::vector<std::unique_ptr<CommandDef>> defs_;
  CommandNode root_;
};

/// Registers every command (commands/all.cpp).
void registerAll(Registry& r);

/// Runs argv (after the global flags) on the tree; globalFlags are listed in the root help.
int dispatch(Registry& r, Cli& cli, const FlagSet& globalFlags, const Args& args);

}  // namespace berth::cli
