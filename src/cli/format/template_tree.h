#pragma once
// The parsed template (internal): Go's text/template/parse node kinds, one struct for all.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"
#include "cli/format/template.h"

namespace berth::cli::tmpl {

enum class NodeType {
  List,
  Text,
  Action,
  If,
  Range,
  With,
  Break,
  Continue,
  Pipe,
  Command,
  Field,
  Variable,
  Chain,
  Identifier,
  Dot,
  Nil,
  Bool,
  Number,
  String,
  // Parser-only markers returned by itemList.
  End,
  Else,
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  NodeType type;
  size_t pos = 0;
  // Text: the text; Identifier: the name; Number: the literal; String: the quoted literal.
  std::string text;
  // Field: names without dots; Variable: "$x" then field names; Chain: field names.
  std::vector<std::string> idents;
  // List: items; Pipe: commands; Command: operands.
  std::vector<NodePtr> nodes;
  // Action/If/Range/With: the pipeline; Chain: the term the fields apply to.
  NodePtr pipe;
  NodePtr list;
  NodePtr elseList;
  // Pipe: declared variables, and whether they are assigned (=) rather than declared (:=).
  std::vector<std::string> decl;
  bool isAssign = false;
  // Bool, Number, String: the value. A Number that fits no int64 keeps overflow set.
  Json constant;
  bool overflow = false;

  Node(NodeType t, size_t p) : type(t), pos(p) {}
  // Go's Node.String(): the source form, for "executing ... at <...>" messages.
  std::string toString() const;
};

// Whether a function of this name exists for templates (the parser rejects other names).
bool hasFunction(std::string_view name);

}  // namespace berth::cli::tmpl

namespace berth::cli {

struct Template::Tree {
  std::string text;
  tmpl::NodePtr root;
};

namespace tmpl {
Result<std::shared_ptr<const Template::Tree>> parseTree(std::string_view text);
}

}  // namespace berth::cli
