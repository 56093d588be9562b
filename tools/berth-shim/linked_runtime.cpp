#include "linked_runtime.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>

#include "base/file.h"
#include "base/json.h"
#include "runtime/container.h"
#include "runtime/entry.h"

namespace berth::tool {
namespace {

// The command line cut into its parts. Only the options the shim gives are known; anything else
// is refused (a shim and a runtime of different builds), never guessed at.
struct CommandLine {
  runtime::Globals globals;
  std::string command;
  std::map<std::string, std::string, std::less<>> values;
  bool detach = false, force = false;
  std::string id;
};

constexpr std::string_view kValueOptions[] = {"--bundle", "--pid-file", "--console-socket",
                                              "--process"};

Result<CommandLine> parse(const std::vector<std::string>& argv) {
  CommandLine c;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    bool hasNext = i + 1 < argv.size();
    if (c.command.empty()) {
      if (a == "--root" && hasNext) {
        c.globals.root = argv[++i];
      } else if (a == "run" || a == "exec" || a == "delete") {
        c.command = a;
      } else {
        return Error::invalid("linked runtime: unexpected argument '{}'", a);
      }
    } else if (a == "--detach") {
      c.detach = true;
    } else if (a == "--force") {
      c.force = true;
    } else if (std::find(std::begin(kValueOptions), std::end(kValueOptions), a) !=
                   std::end(kValueOptions) &&
               hasNext) {
      c.values[std::string(a)] = argv[++i];
    } else if (c.id.empty() && !a.starts_with("-")) {
      c.id = a;
    } else {
      return Error::invalid("linked runtime: unexpected argument '{}' to {}", a, c.command);
    }
  }
  if (c.command.empty() || c.id.empty()) return Error::invalid("linked runtime: no command or id");
  return c;
}

std::string valueOf(const CommandLine& c, std::string_view name) {
  auto it = c.values.find(name);
  return it == c.values.end() ? std::string() : it->second;
}

Result<int> execute(const CommandLine& c) {
  if (c.command == "run") {
    runtime::CreateOptions o;
    o.id = c.id;
    if (auto b = valueOf(c, "--bundle"); !b.empty()) o.bundle = b;
    o.pidFile = valueOf(c, "--pid-file");
    o.consoleSocket = valueOf(c, "--console-socket");
    return runtime::run(c.globals, o, c.detach);
  }
  if (c.command == "exec") {
    std::string file = valueOf(c, "--process");
    if (file.empty()) return Error::invalid("linked runtime: exec needs --process");
    runtime::ExecOptions o;
    o.id = c.id;
    auto text = TRY(readFile(file));
    o.process = TRY(oci::processFromJson(TRY(parseJson(text, file))));
    o.pidFile = valueOf(c, "--pid-file");
    o.consoleSocket = valueOf(c, "--console-socket");
    o.detach = c.detach;
    return runtime::exec(c.globals, o);
  }
  TRY(runtime::remove(c.globals, c.id, c.force));
  return 0;
}

}  // namespace

int runLinkedRuntime(const std::vector<std::string>& argv) {
  auto c = parse(argv);
  if (!c) {
    std::fprintf(stderr, "berth-runtime: %s\n", c.error().what().c_str());
    return 2;
  }
  return runtime::runEntry(c->globals, {}, [&] { return execute(*c); });
}

}  // namespace berth::tool
