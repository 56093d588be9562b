#pragma once
// Docker's `filters` query parameter: a JSON object of name -> values, in the current form
// {"status":["exited"]} or the pre-1.22 one {"status":{"exited":true}}. Parsing checks names
// against what the endpoint accepts, with Docker's message for an unknown one.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::apitypes {

class Filters {
 public:
  /// Empty text means no filters. InvalidArgument on malformed JSON or a name not in accepted
  /// ("invalid filter 'foo'").
  static Result<Filters> parse(std::string_view json, const std::set<std::string>& accepted);

  bool empty() const { return values_.empty(); }
  bool has(std::string_view name) const;
  std::vector<std::string> values(std::string_view name) const;
  /// True when the filter is absent or one of its values equals v.
  bool matchAny(std::string_view name, std::string_view v) const;
  /// label filters: every "key" or "key=value" given must hold in labels.
  bool matchLabels(std::string_view name, const std::map<std::string, std::string>& labels) const;
  /// The prune endpoints' pair: every `label` holds, and not every `label!` (when given) does.
  bool matchLabelFilters(const std::map<std::string, std::string>& labels) const;
  /// The `until` filter as nanoseconds since the epoch (the earliest when given twice), 0 when
  /// absent; InvalidArgument naming the value docker's way when one does not parse.
  Result<int64_t> untilNanos() const;
  /// "true"/"false"/"1"/"0" of a boolean filter (dangling); InvalidArgument otherwise.
  Result<bool> boolValue(std::string_view name) const;

  void add(std::string name, std::string value) {
    values_[std::move(name)].insert(std::move(value));
  }

 private:
  std::map<std::string, std::set<std::string>, std::less<>> values_;
};

}  // namespace berth::apitypes
