#pragma once
// Go's strconv pieces the formatter needs beyond go_fmt.h (internal): rune quoting for %q, and
// the literal syntax of templates (quoted strings, runes, integers with 0x/0o/0b prefixes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::cli {

// strconv.QuoteRune: 'x', with Go's escapes.
std::string goQuoteRune(char32_t r);
// strconv.UnquoteChar: decodes the (possibly escaped) character at s[i] of a literal quoted
// with `quote`, appending it to out and advancing i; false on a malformed escape.
bool goUnquoteChar(std::string_view s, size_t& i, char quote, std::string& out);
// strconv.Unquote for "..." and `...` literals; nullopt on invalid syntax.
std::optional<std::string> goUnquote(std::string_view literal);
// strconv.ParseInt with base 0: sign, 0x/0o/0b or leading-0 octal prefix, Go's underscores.
// False when s is not such an integer or its magnitude exceeds uint64.
bool goParseInt(std::string_view s, bool& negative, uint64_t& magnitude);

}  // namespace berth::cli
