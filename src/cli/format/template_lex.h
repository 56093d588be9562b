#pragma once
// The template lexer (internal): Go's text/template/parse lexer, run to completion up front.
// Trim markers are applied here; the parser never sees the trimmed space.

#include <string>
#include <string_view>
#include <vector>

namespace berth::cli::tmpl {

enum class ItemType {
  Error,  // val is the message; always the last item
  Bool,
  Char,  // a printable ASCII character: ',' and other grab-bag punctuation
  CharConstant,
  Complex,
  Assign,   // =
  Declare,  // :=
  Eof,
  Field,  // .Name
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,  // $ or $name
  // Keywords after this marker.
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
};

struct Item {
  ItemType type;
  size_t pos;  // byte offset in the input
  std::string val;
  int line;  // 1-based line of pos
};

std::vector<Item> lex(std::string_view input);
// How Go's parser names an item in "unexpected ..." messages: "EOF", "<end>", "\"}\"".
std::string describe(const Item& item);
// %#U: "U+0023 '#'".
std::string describeRune(char32_t r);

}  // namespace berth::cli::tmpl
