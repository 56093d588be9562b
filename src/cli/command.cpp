#include "cli/command.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "base/strings.h"

namespace berth::cli {

namespace {

constexpr const char* kCommonCommands[] = {"run",    "exec",   "ps",      "build",
                                           "pull",   "push",   "images",  "login",
                                           "logout", "search", "version", "info"};

bool isCommon(const std::string& name) {
  return std::find(std::begin(kCommonCommands), std::end(kCommonCommands), name) !=
         std::end(kCommonCommands);
}

// docker wraps flag usages to the terminal's width less one, 80 columns without a terminal.
int usageColumns() {
  winsize ws{};
  int width = 80;
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
  return width - 1;
}

std::string rpad(const std::string& s, size_t n) {
  return s.size() >= n ? s : s + std::string(n - s.size(), ' ');
}

std::string useLine(const CommandNode& n, const std::string& prog) {
  std::string line = n.path(prog);
  if (n.def && !n.def->use.empty()) line += " " + n.def->use;
  return line;
}

void listCommands(std::string& out, const std::string& title,
                  const std::vector<const CommandNode*>& nodes) {
  if (nodes.empty()) return;
  size_t pad = 11;
  for (const auto* n : nodes) pad = std::max(pad, n->name.size());
  out += "\n" + title + ":\n";
  for (const auto* n : nodes) out += "  " + rpad(n->name, pad + 1) + n->shortHelp + "\n";
}

std::string groupHelp(const CommandNode& n, const std::string& prog, const FlagSet* globals) {
  bool root = n.parent == nullptr;
  std::string out = "Usage:  " + n.path(prog) + (root ? " [OPTIONS]" : "") + " COMMAND\n\n";
  out += n.shortHelp + "\n";
  std::vector<const CommandNode*> common, management, plain;
  for (const auto& c : n.children) {
    if (root && !c->def) {
      management.push_back(c.get());
    } else if (root && isCommon(c->name)) {
      common.push_back(c.get());
    } else {
      plain.push_back(c.get());
    }
  }
  auto byName = [](const CommandNode* a, const CommandNode* b) { return a->name < b->name; };
  std::sort(management.begin(), management.end(), byName);
  std::sort(plain.begin(), plain.end(), byName);
  std::sort(common.begin(), common.end(), [](const CommandNode* a, const CommandNode* b) {
    auto pos = [](const std::string& s) {
      return std::find(std::begin(kCommonCommands), std::end(kCommonCommands), s) -
             std::begin(kCommonCommands);
    };
    return pos(a->name) < pos(b->name);
  });
  listCommands(out, "Common Commands", common);
  listCommands(out, "Management Commands", management);
  listCommands(out, "Commands", plain);
  if (globals) out += "\nGlobal Options:\n" + globals->usages(usageColumns());
  out += "\nRun '" + n.path(prog) + " COMMAND --help' for more information on a command.\n";
  return out;
}

std::string leafHelp(const CommandNode& n, const std::string& prog, const FlagSet& fs) {
  std::string out = "Usage:  " + useLine(n, prog) + "\n\n" + n.def->shortHelp + "\n";
  // Every place the command appears, as docker's "Aliases:" lists them.
  std::vector<std::string> all;
  for (const auto& p : n.def->paths) all.push_back(prog + " " + p);
  if (all.size() > 1) out += "\nAliases:\n  " + join(all, ", ") + "\n";
  if (fs.hasVisible()) out += "\nOptions:\n" + fs.usages(usageColumns());
  return out;
}

std::string plural(int n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// docker's cli/required.go wording; "accepts no arguments" alone ends with "Run".
std::string argCountError(const CommandDef& d, size_t got, const std::string& path) {
  int n = static_cast<int>(got);
  if (d.maxArgs == 0 && n > 0) return fmt::format("'{}' accepts no arguments", path);
  if (d.minArgs == d.maxArgs) {
    return fmt::format("'{}' requires {}", path, plural(d.minArgs, "argument"));
  }
  if (d.maxArgs >= 0 && d.minArgs > 0) {
    return fmt::format("'{}' requires at least {} and at most {}", path, d.minArgs,
                       plural(d.maxArgs, "argument"));
  }
  if (n < d.minArgs) {
    return fmt::format("'{}' requires at least {}", path, plural(d.minArgs, "argument"));
  }
  return fmt::format("'{}' requires at most {}", path, plural(d.maxArgs, "argument"));
}

}  // namespace

CommandNode* CommandNode::child(std::string_view name) {
  for (auto& c : children) {
    if (c->name == name) return c.get();
    for (const auto& a : c->aliases) {
      if (a == name) return c.get();
    }
  }
  return nullptr;
}

std::string CommandNode::path(std::string_view prog) const {
  if (!parent) return std::string(prog);
  return parent->path(prog) + " " + name;
}

Registry::Registry() {
  root_.shortHelp = "A Docker-compatible container engine";
}

void Registry::group(const std::string& name, const std::string& shortHelp) {
  if (CommandNode* n = root_.child(name)) {
    n->shortHelp = shortHelp;
    return;
  }
  auto n = std::make_unique<CommandNode>();
  n->name = name;
  n->shortHelp = shortHelp;
  n->parent = &root_;
  root_.children.push_back(std::move(n));
}

void Registry::add(CommandDef def) {
  defs_.push_back(std::make_unique<CommandDef>(std::move(def)));
  const CommandDef* d = defs_.back().get();
  for (const auto& path : d->paths) {
    std::vector<std::string> parts = split(path, ' ', true);
    CommandNode* parent = &root_;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      CommandNode* next = parent->child(parts[i]);
      if (!next) {
        group(parts[i], "");
        next = parent->child(parts[i]);
      }
      parent = next;
    }
    // A second name under the same parent is an alias of the first.
    CommandNode* existing = nullptr;
    for (auto& c : parent->children) {
      if (c->def == d) existing = c.get();
    }
    if (existing) {
      existing->aliases.push_back(parts.back());
      continue;
    }
    auto n = std::make_unique<CommandNode>();
    n->name = parts.back();
    n->shortHelp = d->shortHelp;
    n->def = d;
    n->parent = parent;
    parent->children.push_back(std::move(n));
  }
}

int dispatch(Registry& r, Cli& cli, const FlagSet& globalFlags, const Args& argsIn) {
  Args args = argsIn;
  const std::string& prog = cli.prog;
  CommandNode* node = &r.root();
  bool helpCommand = false;
  if (!args.empty() && args[0] == "help") {
    helpCommand = true;
    args.erase(args.begin());
  }
  size_t i = 0;
  while (i < args.size() && !node->children.empty()) {
    CommandNode* next = node->child(args[i]);
    if (!next) break;
    node = next;
    ++i;
  }
  if (!node->def) {
    bool help = helpCommand || i == args.size() || args[i] == "--help" || args[i] == "-h";
    if (help) {
      cli.out(groupHelp(*node, prog, node->parent ? nullptr : &globalFlags));
      return 0;
    }
    std::string msg =
        fmt::format("{}: unknown command: {} {}\n\n", prog, node->path(prog), args[i]);
    if (node->parent) msg += "Usage:  " + node->path(prog) + "\n\n";
    msg += "Run '" + node->path(prog) + " --help' for more information\n";
    cli.err(msg);
    return 1;
  }
  const CommandDef& def = *node->def;
  std::string path = node->path(prog);
  FlagSet fs;
  Action action = def.bind(fs);
  bool help = false;
  fs.boolVar(&help, "help", fs.hasShorthand('h') ? 0 : 'h', "Print usage");
  fs.hide("help");
  fs.setInterspersed(def.interspersed);
  if (helpCommand) {
    cli.out(leafHelp(*node, prog, fs));
    return 0;
  }
  auto positional = fs.parse(Args(args.begin() + static_cast<long>(i), args.end()));
  if (!positional) {
    cli.err(positional.error().message() + "\n\nUsage:  " + useLine(*node, prog) + "\n\nRun '" +
            path + " --help' for more information\n");
    return 125;
  }
  if (help) {
    cli.out(leafHelp(*node, prog, fs));
    return 0;
  }
  int n = static_cast<int>(positional->size());
  if (n < def.minArgs || (def.maxArgs >= 0 && n > def.maxArgs)) {
    cli.err(fmt::format("{}: {}\n\nUsage:  {}\n\n{} '{} --help' for more information\n", prog,
                        argCountError(def, positional->size(), path), useLine(*node, prog),
                        def.maxArgs == 0 ? "Run" : "See", path));
    return 1;
  }
  cli.commandPath = path;
  cli.exitCode = def.errorCode;
  auto rc = action(cli, *positional);
  cli.flush();
  if (!rc) {
    std::string msg = rc.error().what();
    // run's own failures (125) and its command's (126, 127) read "berth: ..." with a hint.
    if (cli.exitCode >= 125) {
      msg = prog + ": " + msg;
      if (cli.usageHint) msg += "\n\nRun '" + path + " --help' for more information";
    }
    cli.err(msg + "\n");
    return cli.exitCode;
  }
  return *rc;
}

}  // namespace berth::cli
