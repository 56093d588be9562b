#include "apitypes/filters.h"

#include "apitypes/timestamp.h"
#include "base/json.h"
#include "base/strings.h"

namespace berth::apitypes {

Result<Filters> Filters::parse(std::string_view text, const std::set<std::string>& accepted) {
  Filters f;
  if (trim(text).empty()) return f;
  auto parsed = parseJson(text, "filters");
  if (!parsed || !parsed->is_object()) {
    return Error::invalid("invalid filters: {}",
                          parsed ? "not a JSON object" : parsed.error().message());
  }
  for (const auto& [name, v] : parsed->items()) {
    if (!accepted.count(name)) return Error::invalid("invalid filter '{}'", name);
    if (v.is_array()) {
      for (const auto& e : v) {
        if (!e.is_string())
          return Error::invalid("invalid filter '{}': values must be strings", name);
        f.add(name, e.get<std::string>());
      }
    } else if (v.is_object()) {
      for (const auto& [k, b] : v.items()) {
        if (b.is_boolean() && b.get<bool>()) f.add(name, k);
      }
    } else {
      return Error::invalid("invalid filter '{}'", name);
    }
  }
  return f;
}

bool Filters::has(std::string_view name) const {
  return values_.find(name) != values_.end();
}

std::vector<std::string> Filters::values(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool Filters::matchAny(std::string_view name, std::string_view v) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.count(std::string(v)) > 0;
}

bool Filters::matchLabels(std::string_view name,
                          const std::map<std::string, std::string>& labels) const {
  auto it = values_.find(name);
  if (it == values_.end()) return true;
  for (const std::string& want : it->second) {
    auto eq = want.find('=');
    auto l = labels.find(want.substr(0, eq));
    if (l == labels.end()) return false;
    if (eq != std::string::npos && l->second != want.substr(eq + 1)) return false;
  }
  return true;
}

bool Filters::matchLabelFilters(const std::map<std::string, std::string>& labels) const {
  return matchLabels("label", labels) && !(has("label!") && matchLabels("label!", labels));
}

Result<int64_t> Filters::untilNanos() const {
  int64_t until = 0;
  for (const std::string& u : values("until")) {
    int64_t ns = TRY(timestampNanos(u));
    if (until == 0 || ns < until) until = ns;
  }
  return until;
}

Result<bool> Filters::boolValue(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return false;
  std::string v = toLower(*it->second.rbegin());
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return Error::invalid("invalid filter '{}={}'", std::string(name), *it->second.rbegin());
}

}  // namespace berth::apitypes
