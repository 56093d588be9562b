// Template execution: Go's text/template exec.go walk over JSON values.

#include <fmt/format.h>

#include <optional>
#include <span>

#include "cli/format/go_fmt.h"
#include "cli/format/template.h"
#include "cli/format/template_funcs.h"
#include "cli/format/template_tree.h"

namespace berth::cli {

namespace tmpl {

bool hasFunction(std::string_view name) {
  return findFunc(name, false) != nullptr;
}

namespace {

constexpr int kMaxDepth = 10000;

enum class Flow { Normal, Break, Continue };

using Args = std::span<const NodePtr>;
using Final = std::optional<Value>;

// docker's SubHeaderContext.Label: the last dot-separated part, '-' and '_' as spaces.
std::string headerLabel(std::string_view name) {
  size_t dot = name.rfind('.');
  std::string h(dot == std::string_view::npos ? name : name.substr(dot + 1));
  for (char& c : h) {
    if (c == '-' || c == '_') c = ' ';
  }
  return h;
}

class Exec {
 public:
  Exec(const Template::Tree& tree, const ExecOptions& opts, std::string& out)
      : tree_(tree), opts_(opts), out_(out) {}

  Status run(const Json& data) {
    Value root = Value::borrow(data);
    vars_.emplace_back("$", root);
    TRY(walk(root, *tree_.root));
    return ok();
  }

 private:
  Error errorAt(const Node& n, std::string_view msg) const {
    std::string_view text = tree_.text;
    size_t pos = std::min(n.pos, text.size());
    std::string_view before = text.substr(0, pos);
    size_t nl = before.rfind('\n');
    size_t col = nl == std::string_view::npos ? pos : pos - nl - 1;
    int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    return Error::invalid("template: :{}:{}: executing \"\" at <{}>: {}", line, col, n.toString(),
                          msg);
  }

  Result<Flow> walk(const Value& dot, const Node& n) {
    switch (n.type) {
      case NodeType::List:
        for (const auto& c : n.nodes) {
          Flow f = TRY(walk(dot, *c));
          if (f != Flow::Normal) return f;
        }
        return Flow::Normal;
      case NodeType::Text:
        out_ += n.text;
        return Flow::Normal;
      case NodeType::Action: {
        // Variables declared here persist until the enclosing {{end}}.
        Value v = TRY(evalPipeline(dot, *n.pipe));
        if (n.pipe->decl.empty()) printValue(v);
        return Flow::Normal;
      }
      case NodeType::If:
      case NodeType::With:
        return walkIfOrWith(dot, n);
      case NodeType::Range:
        return walkRange(dot, n);
      case NodeType::Break:
        return Flow::Break;
      case NodeType::Continue:
        return Flow::Continue;
      default:
        return errorAt(n, fmt::format("unknown node: {}", n.toString()));
    }
  }

  void printValue(const Value& v) {
    if (v.missing()) {
      out_ += "<no value>";
    } else {
      out_ += goPrint(v.json());
    }
  }

  Result<Flow> walkIfOrWith(const Value& dot, const Node& n) {
    size_t mark = vars_.size();
    Value v = TRY(evalPipeline(dot, *n.pipe));
    Result<Flow> r = Flow::Normal;
    if (truth(v)) {
      r = walk(n.type == NodeType::With ? v : dot, *n.list);
    } else if (n.elseList) {
      r = walk(dot, *n.elseList);
    }
    vars_.resize(mark);
    return r;
  }

  Result<Flow> walkRange(const Value& dot, const Node& r) {
    size_t mark = vars_.size();
    Value val = TRY(evalPipeline(dot, *r.pipe));
    size_t bodyMark = vars_.size();
    const auto& decl = r.pipe->decl;
    // One iteration; false stops the loop ({{break}}).
    auto iteration = [&](const Value& index, const Value& elem) -> Result<bool> {
      if (!decl.empty()) {
        if (r.pipe->isAssign) {
          TRY(setVar(r, decl[0], decl.size() > 1 ? index : elem));
        } else {
          vars_[vars_.size() - 1].second = elem;
        }
      }
      if (decl.size() > 1) {
        if (r.pipe->isAssign) {
          TRY(setVar(r, decl[1], elem));
        } else {
          vars_[vars_.size() - 2].second = index;
        }
      }
      Result<Flow> f = walk(elem, *r.list);
      vars_.resize(bodyMark);
      if (!f) return std::move(f).error();
      return *f != Flow::Break;
    };
    bool ran = false;
    if (!val.nil()) {
      const Json& j = val.json();
      if (j.is_array()) {
        for (size_t i = 0; i < j.size(); ++i) {
          ran = true;
          if (!TRY(iteration(Value::own(Json(static_cast<int64_t>(i))), val.child(j[i])))) break;
        }
      } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
          ran = true;
          if (!TRY(iteration(Value::own(Json(it.key())), val.child(it.value())))) break;
        }
      } else if (j.is_number_integer()) {
        // Go 1.22's range over an integer: 0..n-1.
        if (decl.size() > 1) {
          return errorAt(
              r, fmt::format("can't use {} to iterate over more than one variable", goPrint(j)));
        }
        int64_t n = j.get<int64_t>();
        for (int64_t i = 0; i < n; ++i) {
          ran = true;
          Value v = Value::own(Json(i));
          if (!TRY(iteration(v, v))) break;
        }
      } else {
        return errorAt(r, fmt::format("range can't iterate over {}", goPrint(j)));
      }
    }
    vars_.resize(mark);
    if (!ran && r.elseList) return walk(dot, *r.elseList);
    return Flow::Normal;
  }

  Status setVar(const Node& at, const std::string& name, const Value& v) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) {
        it->second = v;
        return ok();
      }
    }
    return errorAt(at, fmt::format("undefined variable: {}", name));
  }

  Result<Value> varValue(const Node& at, const std::string& name) {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return errorAt(at, fmt::format("undefined variable: {}", name));
  }

  Result<Value> evalPipeline(const Value& dot, const Node& pipe) {
    if (++depth_ > kMaxDepth) return errorAt(pipe, "exceeded maximum template depth");
    Final final;
    Value v;
    for (const auto& cmd : pipe.nodes) {
      auto r = evalCommand(dot, *cmd, final);
      if (!r) {
        --depth_;
        return std::move(r).error();
      }
      v = *r;
      final = v;
    }
    --depth_;
    for (const auto& name : pipe.decl) {
      if (pipe.isAssign) {
        TRY(setVar(pipe, name, v));
      } else {
        vars_.emplace_back(name, v);
      }
    }
    return v;
  }

  Status notAFunction(Args args, const Final& final) const {
    if (args.size() > 1 || final) {
      return errorAt(*args[0],
                     fmt::format("can't give argument to non-function {}", args[0]->toString()));
    }
    return ok();
  }

  Result<Value> evalCommand(const Value& dot, const Node& cmd, const Final& final) {
    const Node& first = *cmd.nodes[0];
    Args args(cmd.nodes);
    switch (first.type) {
      case NodeType::Field:
        return evalFieldChain(dot, dot, first, first.idents, args, final);
      case NodeType::Chain:
        return evalChain(dot, first, args, final);
      case NodeType::Identifier:
        return evalFunction(dot, first, cmd, args, final);
      case NodeType::Pipe:
        TRY(notAFunction(args, final));
        return evalPipeline(dot, first);
      case NodeType::Variable:
        return evalVariable(dot, first, args, final);
      default:
        break;
    }
    TRY(notAFunction(args, final));
    switch (first.type) {
      case NodeType::Dot:
        return dot;
      case NodeType::Nil:
        return errorAt(first, "nil is not a command");
      case NodeType::Number:
        if (first.overflow) return errorAt(first, fmt::format("{} overflows int", first.text));
        return Value::borrow(first.constant);
      case NodeType::Bool:
      case NodeType::String:
        return Value::borrow(first.constant);
      default:
        return errorAt(first, fmt::format("can't evaluate command {}", first.toString()));
    }
  }

  Result<Value> evalArg(const Value& dot, const Node& n) {
    switch (n.type) {
      case NodeType::Dot:
        return dot;
      case NodeType::Nil:
        return Value::own(Json(nullptr));
      case NodeType::Field:
        return evalFieldChain(dot, dot, n, n.idents, {}, std::nullopt);
      case NodeType::Variable:
        return evalVariable(dot, n, {}, std::nullopt);
      case NodeType::Pipe:
        return evalPipeline(dot, n);
      case NodeType::Identifier:
        return evalFunction(dot, n, n, {}, std::nullopt);
      case NodeType::Chain:
        return evalChain(dot, n, {}, std::nullopt);
      case NodeType::Number:
        if (n.overflow) return errorAt(n, fmt::format("{} overflows int", n.text));
        return Value::borrow(n.constant);
      case NodeType::Bool:
      case NodeType::String:
        return Value::borrow(n.constant);
      default:
        return errorAt(n, fmt::format("can't handle {} for arg", n.toString()));
    }
  }

  Result<Value> evalChain(const Value& dot, const Node& chain, Args args, const Final& final) {
    if (chain.pipe->type == NodeType::Nil) {
      return errorAt(chain,
                     fmt::format("indirection through explicit nil in {}", chain.toString()));
    }
    Value v = TRY(evalArg(dot, *chain.pipe));
    return evalFieldChain(dot, v, chain, chain.idents, args, final);
  }

  Result<Value> evalVariable(const Value& dot, const Node& var, Args args, const Final& final) {
    Value v = TRY(varValue(var, var.idents[0]));
    if (var.idents.size() == 1) {
      if (!args.empty()) TRY(notAFunction(args, final));
      return v;
    }
    return evalFieldChain(dot, v, var, std::span(var.idents).subspan(1), args, final);
  }

  Result<Value> evalFieldChain(const Value& dot, Value receiver, const Node& node,
                               std::span<const std::string> idents, Args args, const Final& final) {
    for (size_t i = 0; i + 1 < idents.size(); ++i) {
      receiver = TRY(evalField(dot, idents[i], node, {}, std::nullopt, receiver));
    }
    return evalField(dot, idents.back(), node, args, final, receiver);
  }

  Result<Value> evalField(const Value& dot, const std::string& name, const Node& node, Args args,
                          const Final& final, const Value& receiver) {
    if (receiver.missing()) return Value();
    const Json& r = receiver.json();
    if (r.is_null()) {
      return errorAt(node, fmt::format("nil pointer evaluating interface {{}}.{}", name));
    }
    bool hasArgs = args.size() > 1 || final;
    if (!r.is_object()) {
      return errorAt(node, fmt::format("can't evaluate field {} in type {}", name, goTypeName(r)));
    }
    if (hasArgs) return evalMethod(dot, name, node, args, final, receiver);
    auto it = r.find(name);
    if (it == r.end()) return Value();
    return receiver.child(*it);
  }

  // A field called with arguments. Go allows that only for methods; docker's formatter
  // contexts have one that matters, {{.Label "key"}}. Over JSON: a field holding an object,
  // indexed by the one string argument ("" when absent); in the header row, docker's label.
  Result<Value> evalMethod(const Value& dot, const std::string& name, const Node& node, Args args,
                           const Final& final, const Value& receiver) {
    // Only an explicit argument: `{{"k" | .Label}}` stays an error, as piping into a field is.
    std::vector<Value> vals;
    for (size_t i = 1; i < args.size(); ++i) vals.push_back(TRY(evalArg(dot, *args[i])));
    bool oneString = !final && vals.size() == 1 && !vals[0].nil() && vals[0].json().is_string();
    const std::string* key = oneString ? &vals[0].json().get_ref<const std::string&>() : nullptr;
    if (opts_.headerFunctions && name == "Label" && key) {
      return Value::own(Json(headerLabel(*key)));
    }
    auto it = receiver.json().find(name);
    if (key && it != receiver.json().end() && it->is_object()) {
      auto v = it->find(*key);
      if (v == it->end()) return Value::own(Json(""));
      return receiver.child(*v);
    }
    return errorAt(node, fmt::format("{} is not a method but has arguments", name));
  }

  // Go checks a literal argument against the parameter type with its own wording.
  static std::optional<std::string> constantMismatch(Param p, const Node& a) {
    bool literal =
        a.type == NodeType::Bool || a.type == NodeType::Number || a.type == NodeType::String;
    if (p == Param::StringList) {
      if (literal) return fmt::format("can't handle {} for arg of type []string", a.toString());
      return std::nullopt;
    }
    const char* want = p == Param::Int ? "int" : "string";
    if (a.type == NodeType::Nil) return fmt::format("cannot assign nil to {}", want);
    if (!literal) return std::nullopt;
    return fmt::format("expected {}; found {}", p == Param::Int ? "integer" : "string",
                       a.toString());
  }

  Result<Value> evalFunction(const Value& dot, const Node& ident, const Node& cmd, Args args,
                             const Final& final) {
    const std::string& name = ident.text;
    const Func* f = findFunc(name, opts_.headerFunctions);
    if (!f) return errorAt(ident, fmt::format("\"{}\" is not a defined function", name));
    Args argNodes = args.empty() ? args : args.subspan(1);
    size_t numIn = argNodes.size() + (final ? 1 : 0);
    size_t numFixed = f->variadic ? f->params.size() - 1 : f->params.size();
    if (f->variadic) {
      if (numIn < numFixed) {
        return errorAt(ident, fmt::format("wrong number of args for {}: want at least {} got {}",
                                          name, numFixed, argNodes.size()));
      }
    } else if (numIn != f->params.size()) {
      return errorAt(ident, fmt::format("wrong number of args for {}: want {} got {}", name,
                                        f->params.size(), numIn));
    }
    if (!f->call) {
      // and/or: evaluate left to right, stop at the first value that decides.
      bool isOr = name == "or";
      Value v;
      for (const auto& a : argNodes) {
        v = TRY(evalArg(dot, *a));
        if (truth(v) == isOr) return v;
      }
      if (final) v = *final;
      return v;
    }
    auto paramAt = [&](size_t i) { return i < f->params.size() ? f->params[i] : f->params.back(); };
    std::vector<Value> vals;
    for (size_t i = 0; i < argNodes.size(); ++i) {
      const Node& a = *argNodes[i];
      Value v = TRY(evalArg(dot, a));
      auto st = checkParam(paramAt(i), v);
      if (!st) return errorAt(a, constantMismatch(paramAt(i), a).value_or(st.error().message()));
      vals.push_back(std::move(v));
    }
    if (final) {
      Value v = *final;
      auto st = checkParam(paramAt(vals.size()), v);
      if (!st) return errorAt(ident, st.error().message());
      vals.push_back(std::move(v));
    }
    auto r = f->call(vals);
    if (!r) return errorAt(cmd, fmt::format("error calling {}: {}", name, r.error().message()));
    return r;
  }

  const Template::Tree& tree_;
  const ExecOptions& opts_;
  std::string& out_;
  std::vector<std::pair<std::string, Value>> vars_;
  int depth_ = 0;
};

}  // namespace
}  // namespace tmpl

Template::Template() : tree_(tmpl::parseTree("").value()) {}

Result<Template> Template::parse(std::string_view text) {
  return Template(TRY(tmpl::parseTree(text)));
}

Result<std::string> Template::execute(const Json& data, const ExecOptions& opts) const {
  std::string out;
  TRY(executeTo(out, data, opts));
  return out;
}

Status Template::executeTo(std::string& out, const Json& data, const ExecOptions& opts) const {
  tmpl::Exec exec(*tree_, opts, out);
  return exec.run(data);
}

}  // namespace berth::cli
