// The template parser: Go's text/template/parse recursive descent, with its error messages.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "cli/format/go_fmt.h"
#include "cli/format/go_strconv.h"
#include "cli/format/template_lex.h"
#include "cli/format/template_tree.h"
#include "cli/format/utf8.h"

namespace berth::cli::tmpl {

namespace {

constexpr int kMaxParenDepth = 1000;

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(lex(text)) {}

  Result<NodePtr> parse() {
    auto root = std::make_unique<Node>(NodeType::List, peek().pos);
    while (peek().type != ItemType::Eof) {
      if (peek().type == ItemType::LeftDelim) {
        size_t save = idx_;
        next();
        const Item& t = nextNonSpace();
        if (t.type == ItemType::Define) return errorf("{{define}} is not supported");
        idx_ = save;
      }
      NodePtr n = TRY(textOrAction());
      if (n->type == NodeType::End || n->type == NodeType::Else) {
        return errorf("unexpected " + n->toString());
      }
      root->nodes.push_back(std::move(n));
    }
    return root;
  }

 private:
  const Item& next() {
    const Item& it = items_[std::min(idx_, items_.size() - 1)];
    if (idx_ < items_.size()) ++idx_;
    fetched_ = std::max(fetched_, idx_);
    return it;
  }
  const Item& peek() {
    fetched_ = std::max(fetched_, std::min(idx_ + 1, items_.size()));
    return items_[std::min(idx_, items_.size() - 1)];
  }
  void backup() { --idx_; }
  const Item& nextNonSpace() {
    for (;;) {
      const Item& t = next();
      if (t.type != ItemType::Space) return t;
    }
  }
  const Item& peekNonSpace() {
    const Item& t = nextNonSpace();
    backup();
    return t;
  }

  Error errorf(const std::string& msg) const {
    int line = items_[fetched_ == 0 ? 0 : fetched_ - 1].line;
    return Error::invalid("template: :{}: {}", line, msg);
  }
  Error unexpected(const Item& tok, std::string_view context) const {
    if (tok.type == ItemType::Error) {
      std::string extra;
      if (actionLine_ != 0 && actionLine_ != tok.line) {
        extra = fmt::format(" in action started at :{}", actionLine_);
        if (tok.val.ends_with(" action"))
          extra = extra.substr(std::string_view(" in action").size());
      }
      return errorf(tok.val + extra);
    }
    return errorf(fmt::format("unexpected {} in {}", describe(tok), context));
  }
  Result<const Item*> expect(ItemType type, std::string_view context) {
    const Item& t = nextNonSpace();
    if (t.type != type) return unexpected(t, context);
    return &t;
  }

  // Items up to {{end}} or {{else}}, which is returned beside the list.
  Result<std::pair<NodePtr, NodePtr>> itemList() {
    auto list = std::make_unique<Node>(NodeType::List, peekNonSpace().pos);
    while (peekNonSpace().type != ItemType::Eof) {
      NodePtr n = TRY(textOrAction());
      if (n->type == NodeType::End || n->type == NodeType::Else) {
        return std::make_pair(std::move(list), std::move(n));
      }
      list->nodes.push_back(std::move(n));
    }
    return errorf("unexpected EOF");
  }

  Result<NodePtr> textOrAction() {
    const Item& t = nextNonSpace();
    switch (t.type) {
      case ItemType::Text: {
        auto n = std::make_unique<Node>(NodeType::Text, t.pos);
        n->text = t.val;
        return n;
      }
      case ItemType::LeftDelim: {
        actionLine_ = t.line;
        auto r = action();
        actionLine_ = 0;
        return r;
      }
      default:
        return unexpected(t, "input");
    }
  }

  Result<NodePtr> action() {
    const Item& t = nextNonSpace();
    switch (t.type) {
      case ItemType::Block:
      case ItemType::Define:
      case ItemType::Template:
        return errorf(fmt::format("{{{{{}}}}} is not supported", t.val));
      case ItemType::Break:
      case ItemType::Continue: {
        bool isBreak = t.type == ItemType::Break;
        std::string ctx = isBreak ? "{{break}}" : "{{continue}}";
        const Item& close = nextNonSpace();
        if (close.type != ItemType::RightDelim) return unexpected(close, ctx);
        if (rangeDepth_ == 0) return errorf(ctx + " outside {{range}}");
        return std::make_unique<Node>(isBreak ? NodeType::Break : NodeType::Continue, t.pos);
      }
      case ItemType::Else:
        return elseControl();
      case ItemType::End: {
        const Item* close = TRY(expect(ItemType::RightDelim, "end"));
        return std::make_unique<Node>(NodeType::End, close->pos);
      }
      case ItemType::If:
        return control(NodeType::If, "if");
      case ItemType::Range:
        return control(NodeType::Range, "range");
      case ItemType::With:
        return control(NodeType::With, "with");
      default:
        break;
    }
    backup();
    auto n = std::make_unique<Node>(NodeType::Action, peek().pos);
    n->pipe = TRY(pipeline("command", ItemType::RightDelim));
    return n;
  }

  Result<NodePtr> elseControl() {
    const Item& p = peekNonSpace();
    // "{{else if ...": the if (or with) stays pending for parseControl.
    if (p.type == ItemType::If || p.type == ItemType::With) {
      return std::make_unique<Node>(NodeType::Else, p.pos);
    }
    const Item* t = TRY(expect(ItemType::RightDelim, "else"));
    return std::make_unique<Node>(NodeType::Else, t->pos);
  }

  Result<NodePtr> control(NodeType type, std::string_view context) {
    size_t varsMark = vars_.size();
    NodePtr pipe = TRY(pipeline(context, ItemType::RightDelim));
    if (type == NodeType::Range) ++rangeDepth_;
    auto body = itemList();
    if (type == NodeType::Range) --rangeDepth_;
    if (!body) return std::move(body).error();
    auto [list, end] = std::move(*body);
    NodePtr elseList;
    if (end->type == NodeType::Else) {
      // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
      if (type == NodeType::If && peek().type == ItemType::If) {
        next();
        elseList = std::make_unique<Node>(NodeType::List, end->pos);
        elseList->nodes.push_back(TRY(control(NodeType::If, "if")));
      } else if (type == NodeType::With && peek().type == ItemType::With) {
        next();
        elseList = std::make_unique<Node>(NodeType::List, end->pos);
        elseList->nodes.push_back(TRY(control(NodeType::With, "with")));
      } else {
        auto rest = TRY(itemList());
        if (rest.second->type != NodeType::End) {
          return errorf("expected end; found " + rest.second->toString());
        }
        elseList = std::move(rest.first);
      }
    }
    vars_.resize(varsMark);
    auto n = std::make_unique<Node>(type, pipe->pos);
    n->pipe = std::move(pipe);
    n->list = std::move(list);
    n->elseList = std::move(elseList);
    return n;
  }

  Result<NodePtr> pipeline(std::string_view context, ItemType end) {
    auto pipe = std::make_unique<Node>(NodeType::Pipe, peekNonSpace().pos);
  decls:
    if (peekNonSpace().type == ItemType::Variable) {
      size_t varIdx = idx_;
      const Item& v = next();
      const Item& nxt = peekNonSpace();
      if (nxt.type == ItemType::Assign || nxt.type == ItemType::Declare) {
        pipe->isAssign = nxt.type == ItemType::Assign;
        nextNonSpace();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
      } else if (nxt.type == ItemType::Char && nxt.val == ",") {
        nextNonSpace();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          switch (peekNonSpace().type) {
            case ItemType::Variable:
            case ItemType::RightDelim:
            case ItemType::RightParen:
              goto decls;
            default:
              return errorf("range can only initialize variables");
          }
        }
        return errorf(fmt::format("too many declarations in {}", context));
      } else {
        // "$x foo" or "$x.F": an operand, not a declaration.
        idx_ = varIdx;
      }
    }
    for (;;) {
      const Item& t = nextNonSpace();
      if (t.type == end) {
        TRY(checkPipeline(*pipe, context));
        return pipe;
      }
      switch (t.type) {
        case ItemType::Bool:
        case ItemType::CharConstant:
        case ItemType::Complex:
        case ItemType::Dot:
        case ItemType::Field:
        case ItemType::Identifier:
        case ItemType::Number:
        case ItemType::Nil:
        case ItemType::RawString:
        case ItemType::String:
        case ItemType::Variable:
        case ItemType::LeftParen:
          backup();
          pipe->nodes.push_back(TRY(command()));
          break;
        default:
          return unexpected(t, context);
      }
    }
  }

  Status checkPipeline(const Node& pipe, std::string_view context) const {
    if (pipe.nodes.empty()) return errorf(fmt::format("missing value for {}", context));
    for (size_t i = 1; i < pipe.nodes.size(); ++i) {
      switch (pipe.nodes[i]->nodes[0]->type) {
        case NodeType::Bool:
        case NodeType::Dot:
        case NodeType::Nil:
        case NodeType::Number:
        case NodeType::String:
          return errorf(fmt::format("non executable command in pipeline stage {}", i + 1));
        default:
          break;
      }
    }
    return ok();
  }

  Result<NodePtr> command() {
    auto cmd = std::make_unique<Node>(NodeType::Command, peekNonSpace().pos);
    for (;;) {
      peekNonSpace();
      NodePtr operand = TRY(this->operand());
      if (operand) cmd->nodes.push_back(std::move(operand));
      const Item& t = next();
      if (t.type == ItemType::Space) continue;
      if (t.type == ItemType::RightDelim || t.type == ItemType::RightParen) {
        backup();
      } else if (t.type != ItemType::Pipe) {
        return unexpected(t, "operand");
      }
      break;
    }
    if (cmd->nodes.empty()) return errorf("empty command");
    return cmd;
  }

  Result<NodePtr> operand() {
    NodePtr node = TRY(term());
    if (!node || peek().type != ItemType::Field) return node;
    auto chain = std::make_unique<Node>(NodeType::Chain, peek().pos);
    while (peek().type == ItemType::Field) chain->idents.push_back(next().val.substr(1));
    switch (node->type) {
      case NodeType::Field:
      case NodeType::Variable:
        // Go rebuilds the node at the chain's position: .A.B reports the column of .B.
        node->idents.insert(node->idents.end(), chain->idents.begin(), chain->idents.end());
        node->pos = chain->pos;
        return node;
      case NodeType::Bool:
      case NodeType::String:
      case NodeType::Number:
      case NodeType::Nil:
      case NodeType::Dot:
        return errorf(fmt::format("unexpected . after term {}", goQuote(node->toString())));
      default:
        chain->pipe = std::move(node);
        return chain;
    }
  }

  Result<NodePtr> term() {
    const Item& t = nextNonSpace();
    switch (t.type) {
      case ItemType::Identifier: {
        if (!hasFunction(t.val)) {
          return errorf(fmt::format("function {} not defined", goQuote(t.val)));
        }
        auto n = std::make_unique<Node>(NodeType::Identifier, t.pos);
        n->text = t.val;
        return n;
      }
      case ItemType::Dot:
        return std::make_unique<Node>(NodeType::Dot, t.pos);
      case ItemType::Nil:
        return std::make_unique<Node>(NodeType::Nil, t.pos);
      case ItemType::Variable: {
        if (std::find(vars_.begin(), vars_.end(), t.val) == vars_.end()) {
          return errorf(fmt::format("undefined variable {}", goQuote(t.val)));
        }
        auto n = std::make_unique<Node>(NodeType::Variable, t.pos);
        n->idents.push_back(t.val);
        return n;
      }
      case ItemType::Field: {
        auto n = std::make_unique<Node>(NodeType::Field, t.pos);
        n->idents.push_back(t.val.substr(1));
        return n;
      }
      case ItemType::Bool: {
        auto n = std::make_unique<Node>(NodeType::Bool, t.pos);
        n->constant = t.val == "true";
        return n;
      }
      case ItemType::CharConstant:
      case ItemType::Complex:
      case ItemType::Number:
        return number(t);
      case ItemType::LeftParen: {
        if (++parenDepth_ > kMaxParenDepth) return errorf("max expression depth exceeded");
        auto r = pipeline("parenthesized pipeline", ItemType::RightParen);
        --parenDepth_;
        return r;
      }
      case ItemType::String:
      case ItemType::RawString: {
        auto s = goUnquote(t.val);
        if (!s) return errorf("invalid syntax");
        auto n = std::make_unique<Node>(NodeType::String, t.pos);
        n->text = t.val;
        n->constant = std::move(*s);
        return n;
      }
      default:
        backup();
        return NodePtr();
    }
  }

  // parse.newNumber, and exec's idealConstant: a literal with '.', 'e' or 'p' is a float64,
  // other literals (hex, octal, runes) are ints.
  Result<NodePtr> number(const Item& t) {
    auto n = std::make_unique<Node>(NodeType::Number, t.pos);
    n->text = t.val;
    std::string_view text = t.val;
    if (t.type == ItemType::Complex || (!text.empty() && text.back() == 'i')) {
      return errorf("complex numbers are not supported");
    }
    if (t.type == ItemType::CharConstant) {
      std::string out;
      size_t i = 1;
      if (!goUnquoteChar(text, i, '\'', out) || i + 1 != text.size() || text[i] != '\'') {
        return errorf(fmt::format("malformed character constant: {}", text));
      }
      // A \x or octal escape is one byte; anything else one UTF-8 rune.
      n->constant = out.size() == 1 ? static_cast<int64_t>(static_cast<unsigned char>(out[0]))
                                    : static_cast<int64_t>(utf8::decode(out).value);
      return n;
    }
    std::string_view magnitude = text;
    if (!magnitude.empty() && (magnitude[0] == '-' || magnitude[0] == '+')) {
      magnitude.remove_prefix(1);
    }
    bool isHex = magnitude.size() > 1 && magnitude[0] == '0' && (magnitude[1] | 0x20) == 'x';
    bool floatSyntax = text.find_first_of(isHex ? ".pP" : ".eEpP") != std::string_view::npos;
    bool neg = false;
    uint64_t mag = 0;
    if (!floatSyntax && goParseInt(text, neg, mag)) {
      if (!neg && mag > static_cast<uint64_t>(INT64_MAX)) {
        n->overflow = true;
        n->constant = mag;
      } else if (neg && mag > static_cast<uint64_t>(INT64_MAX) + 1) {
        return errorf(fmt::format("integer overflow: {}", goQuote(text)));
      } else {
        n->constant = neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
      }
      return n;
    }
    std::string clean;
    for (char c : text) {
      if (c != '_') clean += c;
    }
    char* endp = nullptr;
    double f = std::strtod(clean.c_str(), &endp);
    if (clean.empty() || endp != clean.c_str() + clean.size() || std::isinf(f)) {
      return errorf(fmt::format("illegal number syntax: {}", goQuote(text)));
    }
    if (!floatSyntax) return errorf(fmt::format("integer overflow: {}", goQuote(text)));
    n->constant = f;
    return n;
  }

  std::vector<Item> items_;
  size_t idx_ = 0;
  size_t fetched_ = 0;
  int actionLine_ = 0;
  int rangeDepth_ = 0;
  int parenDepth_ = 0;
  std::vector<std::string> vars_{"$"};
};

void appendPipe(std::string& out, const Node& pipe) {
  if (!pipe.decl.empty()) {
    for (size_t i = 0; i < pipe.decl.size(); ++i) {
      if (i > 0) out += ", ";
      out += pipe.decl[i];
    }
    out += pipe.isAssign ? " = " : " := ";
  }
  for (size_t i = 0; i < pipe.nodes.size(); ++i) {
    if (i > 0) out += " | ";
    out += pipe.nodes[i]->toString();
  }
}

}  // namespace

std::string Node::toString() const {
  std::string out;
  switch (type) {
    case NodeType::List:
      for (const auto& n : nodes) out += n->toString();
      return out;
    case NodeType::Text:
      return text;
    case NodeType::Action:
      out = "{{";
      appendPipe(out, *pipe);
      return out + "}}";
    case NodeType::If:
    case NodeType::Range:
    case NodeType::With:
      out = type == NodeType::If ? "{{if " : type == NodeType::Range ? "{{range " : "{{with ";
      appendPipe(out, *pipe);
      out += "}}";
      out += list->toString();
      if (elseList) out += "{{else}}" + elseList->toString();
      return out + "{{end}}";
    case NodeType::Break:
      return "{{break}}";
    case NodeType::Continue:
      return "{{continue}}";
    case NodeType::End:
      return "{{end}}";
    case NodeType::Else:
      return "{{else}}";
    case NodeType::Pipe:
      appendPipe(out, *this);
      return out;
    case NodeType::Command:
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (i > 0) out += ' ';
        if (nodes[i]->type == NodeType::Pipe) {
          out += "(" + nodes[i]->toString() + ")";
        } else {
          out += nodes[i]->toString();
        }
      }
      return out;
    case NodeType::Field:
      for (const auto& id : idents) out += "." + id;
      return out;
    case NodeType::Variable:
      for (size_t i = 0; i < idents.size(); ++i) {
        if (i > 0) out += '.';
        out += idents[i];
      }
      return out;
    case NodeType::Chain:
      out = pipe->type == NodeType::Pipe ? "(" + pipe->toString() + ")" : pipe->toString();
      for (const auto& id : idents) out += "." + id;
      return out;
    case NodeType::Identifier:
    case NodeType::Number:
    case NodeType::String:
      return text;
    case NodeType::Dot:
      return ".";
    case NodeType::Nil:
      return "nil";
    case NodeType::Bool:
      return constant.get<bool>() ? "true" : "false";
  }
  return out;
}

Result<std::shared_ptr<const Template::Tree>> parseTree(std::string_view text) {
  auto tree = std::make_shared<Template::Tree>();
  tree->text = std::string(text);
  Parser p(tree->text);
  tree->root = TRY(p.parse());
  return std::shared_ptr<const Template::Tree>(std::move(tree));
}

}  // namespace berth::cli::tmpl
