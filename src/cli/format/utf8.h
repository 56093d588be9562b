#pragma once
// UTF-8 decoding and display width for the formatter (internal). Decoding follows Go's
// utf8.DecodeRuneInString: an invalid byte decodes as U+FFFD with size 1, so every byte of the
// input is consumed exactly once.

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::cli::utf8 {

inline constexpr char32_t kRuneError = 0xFFFD;

struct Rune {
  char32_t value;
  size_t size;  // bytes consumed; 1 for an invalid byte
};

// Decodes the rune at the start of s (which must not be empty).
Rune decode(std::string_view s);
// Appends r encoded as UTF-8 (invalid code points as U+FFFD).
void append(std::string& out, char32_t r);
// The number of runes in s.
size_t runeCount(std::string_view s);
// The first n runes of s.
std::string_view prefixRunes(std::string_view s, size_t n);
// Terminal columns one rune takes, as github.com/mattn/go-runewidth counts them with its default
// (non East Asian) settings: 0 for controls and combining marks, 2 for wide/fullwidth, else 1.
int runeWidth(char32_t r);
// Terminal columns of s (the sum of runeWidth).
size_t stringWidth(std::string_view s);

}  // namespace berth::cli::utf8
