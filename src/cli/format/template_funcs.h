#pragma once
// Template values and functions (internal): Go's builtins and docker's basicFunctions over JSON.

#include <memory>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace berth::cli::tmpl {

// A value during execution: a JSON value borrowed from the data (or the template's constants)
// or owned by a function result, or missing (Go's invalid reflect.Value, "<no value>").
class Value {
 public:
  Value() = default;
  static Value borrow(const Json& j) {
    Value v;
    v.p_ = &j;
    return v;
  }
  static Value own(Json j) {
    Value v;
    v.own_ = std::make_shared<const Json>(std::move(j));
    v.p_ = v.own_.get();
    return v;
  }
  // A value inside this one (an element or member), sharing its ownership.
  Value child(const Json& j) const {
    Value v;
    v.own_ = own_;
    v.p_ = &j;
    return v;
  }
  bool missing() const { return p_ == nullptr; }
  // Missing or JSON null: Go's nil.
  bool nil() const { return p_ == nullptr || p_->is_null(); }
  const Json& json() const { return *p_; }
  const Json* ptr() const { return p_; }

 private:
  std::shared_ptr<const Json> own_;
  const Json* p_ = nullptr;
};

// Go's truth: false, 0, nil and empty strings, arrays and objects are false.
bool truth(const Value& v);

// How an argument is checked before the call, as Go's reflection checks a parameter type.
enum class Param { Any, String, Int, StringList };

struct Func {
  std::string_view name;
  // The parameters; when variadic, the last one is the type of every extra argument.
  std::vector<Param> params;
  bool variadic = false;
  Result<Value> (*call)(std::vector<Value>& args) = nullptr;
};

// The function a template name calls; headerFunctions selects docker's header variants. The
// short-circuit builtins "and" and "or" are evaluated by the executor and have no call.
const Func* findFunc(std::string_view name, bool headerFunctions);

// Checks (and for Int, normalizes) one argument; the error is Go's "wrong type for value; ...".
Status checkParam(Param p, Value& v);

}  // namespace berth::cli::tmpl
