#pragma once
// Command-line flags with pflag's grammar, as docker parses them: --name=value and --name
// value, -abc grouped booleans, -evalue and -e value, --bool=false, `--` ending the flags,
// and (for run, create, exec and the top level) flags stopping at the first positional. Error
// texts and the wrapped usage listing match pflag's, so `berth` reads like `docker`.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::cli {

class FlagSet {
 public:
  // Parses a flag's value; the message of its error follows "invalid argument ... flag: ".
  using Setter = std::function<Status(std::string_view value)>;

  struct Flag {
    std::string name;
    char shorthand = 0;
    std::string usage;
    std::string typeName;  // shown in the usage ("string", "list", "int"); "" for booleans
    std::string defValue;  // shown as "(default ...)" unless it is the type's zero value
    bool isBool = false;
    bool hidden = false;
    bool changed = false;
    Setter set;
  };

  void boolVar(bool* p, std::string name, char shorthand, std::string usage);
  void stringVar(std::string* p, std::string name, char shorthand, std::string usage);
  // A repeatable flag collecting every value ("list").
  void listVar(std::vector<std::string>* p, std::string name, char shorthand, std::string usage,
               std::string typeName = "list");
  void intVar(int* p, std::string name, char shorthand, std::string usage);
  void int64Var(int64_t* p, std::string name, char shorthand, std::string usage);
  // Any other value type: setter parses and stores, defValue is what the usage prints.
  void funcVar(std::string name, char shorthand, std::string typeName, std::string usage,
               Setter setter, std::string defValue = "");

  void setInterspersed(bool v) { interspersed_ = v; }
  void hide(std::string_view name);

  /// Parses args, setting flags; returns the positional arguments. InvalidArgument with
  /// pflag's wording: "unknown flag: --x", "unknown shorthand flag: 'x' in -x", "flag needs
  /// an argument: --x", "invalid argument \"v\" for \"-n, --last\" flag: ...".
  Result<std::vector<std::string>> parse(const std::vector<std::string>& args);

  bool changed(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  bool hasShorthand(char c) const;
  bool hasVisible() const;

  /// pflag's FlagUsagesWrapped: one line per visible flag sorted by name, usage wrapped at
  /// cols (0: no wrapping).
  std::string usages(int cols) const;

 private:
  Flag* find(std::string_view name);
  const Flag* find(std::string_view name) const;
  Flag* findShort(char c);
  Flag& add(Flag f);
  Status setValue(Flag& f, std::string_view value);

  std::vector<Flag> flags_;
  bool interspersed_ = true;
};

}  // namespace berth::cli
