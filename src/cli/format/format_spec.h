#pragma once
// docker's --format handling (cli/command/formatter Context): "table <template>" prints a header
// row and aligns columns with TabWriter(10, 1, 3); "json" prints one JSON object per line
// (docker 24+); anything else is a Go template printed once per row, each row ending in '\n'.
// The caller supplies the rows as JSON objects (one per container, image...) and, for tables,
// the header text of each field (docker's FullHeader: {"ID": "CONTAINER ID", ...}).

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "cli/format/template.h"

namespace berth::cli {

struct FormatSpec {
  enum class Kind { Template, Table, Json };

  Kind kind = Kind::Template;
  // The template actually parsed: "table" removed, ASCII spaces trimmed, the two-character
  // sequences \t and \n turned into a tab and a newline, as docker's preFormat does.
  std::string text;
  Template tmpl;

  /// Parses a --format value. An empty value or a bare "table" means defaultTable (the
  /// command's default, e.g. "table {{.ID}}\t{{.Image}}"). InvalidArgument as docker words it:
  /// "template parsing error: template: :1: unclosed action".
  static Result<FormatSpec> parse(std::string_view format, std::string_view defaultTable = "");

  bool isTable() const { return kind == Kind::Table; }
  bool isJson() const { return kind == Kind::Json; }

  /// Renders the rows: each through the template plus '\n'; for a table, the header row first
  /// (the template over `headers` with docker's header functions; its errors are ignored, as
  /// docker ignores them) and all of it aligned. An execution error fails the whole output
  /// (InvalidArgument, "template parsing error: template: :1:2: executing ...").
  Result<std::string> render(const std::vector<Json>& rows,
                             const Json& headers = Json::object()) const;
};

}  // namespace berth::cli
