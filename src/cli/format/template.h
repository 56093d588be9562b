#pragma once
// Go's text/template as docker's --format uses it (docker/cli templates.Parse: the builtins plus
// json, split, join, title, lower, upper, pad, truncate), evaluated over JSON instead of Go
// structs. Owns parsing and execution; docker's "table"/"json" handling lives in FormatSpec.
//
// Supported: text and {{actions}} with {{- -}} trimming and {{/* comments */}}; fields .A.B,
// (pipe).Field and $var.Field; pipelines; $v := / $v = variables and $; if / else if / else,
// with / else with, range (arrays, objects in key order, integers; $i, $e :=; break,
// continue); the builtins and, or, not, len, index, slice, print, printf, println, eq, ne, lt,
// le, gt, ge, html, js, urlquery. Not supported: define/template/block, call, complex numbers.
//
// JSON in place of Go types: a missing object key prints "<no value>" (Go's map access) and a
// null prints "<nil>"; numbers compare across int and float; `index` of a missing key yields ""
// when the object's values are all strings (Go's zero value for docker's map[string]string
// labels). docker's formatter contexts have methods taking an argument ({{.Label "k"}}); over
// JSON a field called with one string argument indexes the object it holds ("" if absent).

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/json.h"

namespace berth::cli {

struct ExecOptions {
  // docker's templates.HeaderFunctions, for a table's header row executed over a map of field
  // name -> header text: json, split, join, title, lower, upper and truncate return their first
  // argument unchanged (pad still pads), and {{.Label "com.x.foo-bar"}} prints "foo bar".
  bool headerFunctions = false;
};

class Template {
 public:
  // The empty template; executes to "".
  Template();

  /// Parses Go template text. InvalidArgument with Go's message: "template: :1: unexpected
  /// \"}\" in operand", "template: :1: function \"foo\" not defined", "... unclosed action".
  static Result<Template> parse(std::string_view text);

  /// Executes over data. InvalidArgument with Go's message: "template: :1:2: executing \"\" at
  /// <.A.B>: nil pointer evaluating interface {}.B".
  Result<std::string> execute(const Json& data, const ExecOptions& opts = {}) const;
  /// As execute, appending to out; on error out keeps what was written before it, as Go's
  /// Execute leaves it in the writer.
  Status executeTo(std::string& out, const Json& data, const ExecOptions& opts = {}) const;

  struct Tree;

 private:
  explicit Template(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const Tree> tree_;
};

}  // namespace berth::cli
