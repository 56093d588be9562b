#pragma once
// Go's renderings of JSON values, the way docker's templates print them: fmt's %v (integers as
// integers, float64 as strconv's shortest 'g', slices as [a b], maps as map[k:v]), fmt.Sprintf's
// verbs, strconv.Quote and encoding/json. Values are JSON because the CLI formats what the API
// returned; a nullptr argument stands for Go's untyped nil. Not a general Go fmt: no %#v syntax,
// no argument indexes ([n]), no hex floats.

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

namespace berth::cli {

// The Go type name a decoded value has: "string", "bool", "int" (JSON integers; docker's typed
// fields hold them as ints), "float64", "[]interface {}", "map[string]interface {}", "<nil>".
std::string goTypeName(const Json& v);
// strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f F g G; prec -1 is the shortest
// representation that reads back exactly.
std::string goFormatFloat(double f, char fmt, int prec);
// fmt.Sprint of one value (%v): "<nil>" for null.
std::string goPrint(const Json& v);
// strconv.Quote: a double-quoted Go string literal, printable UTF-8 kept as is.
std::string goQuote(std::string_view s);
// encoding/json's compact encoding (map keys sorted). escapeHtml as json.Marshal (<, >, & as
// \u003c...); docker's `json` template function turns it off.
std::string goJson(const Json& v, bool escapeHtml);
// fmt.Sprintf with Go's verbs, flags, width and precision (also `*`), and its error strings
// ("%!d(string=x)", "%!d(MISSING)", "%!(EXTRA string=x)"). One leniency for JSON: an integral
// float64 prints under %d, and an integer under %f/%e/%g, as Go would print the typed field.
std::string goSprintf(std::string_view format, const std::vector<const Json*>& args);
// fmt.Sprint: spaces between operands when neither is a string.
std::string goSprint(const std::vector<const Json*>& args);
// fmt.Sprintln: spaces between all operands and a trailing newline.
std::string goSprintln(const std::vector<const Json*>& args);

}  // namespace berth::cli
