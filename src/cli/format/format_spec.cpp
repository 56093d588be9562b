#include "cli/format/format_spec.h"

#include "cli/format/tabwriter.h"

namespace berth::cli {

namespace {

constexpr std::string_view kTableKey = "table";
constexpr std::string_view kJsonKey = "json";
constexpr std::string_view kJsonFormat = "{{json .}}";
constexpr std::string_view kParseContext = "template parsing error";

// strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace: one left-to-right pass.
std::string unescapeTabsAndNewlines(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 't' || s[i + 1] == 'n')) {
      out += s[i + 1] == 't' ? '\t' : '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

Result<FormatSpec> FormatSpec::parse(std::string_view format, std::string_view defaultTable) {
  if ((format.empty() || format == kTableKey) && !defaultTable.empty()) format = defaultTable;
  FormatSpec spec;
  if (format.starts_with(kTableKey)) {
    spec.kind = Kind::Table;
    format.remove_prefix(kTableKey.size());
  } else if (format == kJsonKey) {
    spec.kind = Kind::Json;
    format = kJsonFormat;
  }
  size_t b = format.find_first_not_of(' ');
  format = b == std::string_view::npos ? std::string_view() : format.substr(b);
  format = format.substr(0, format.find_last_not_of(' ') + 1);
  spec.text = unescapeTabsAndNewlines(format);
  spec.tmpl = TRY_CTX(Template::parse(spec.text), "{}", kParseContext);
  return spec;
}

Result<std::string> FormatSpec::render(const std::vector<Json>& rows, const Json& headers) const {
  std::string body;
  for (const auto& row : rows) {
    TRY_CTX(tmpl.executeTo(body, row), "{}", kParseContext);
    body += '\n';
  }
  if (!isTable()) return body;
  std::string header;
  // docker ignores the header's execution error and prints what was written before it.
  (void)tmpl.executeTo(header, headers, ExecOptions{.headerFunctions = true});
  TabWriter tw(10, 1, 3);
  tw.write(header);
  tw.write("\n");
  tw.write(body);
  return tw.flush();
}

}  // namespace berth::cli
