#include "oci/json_read.h"

#include <limits>

namespace berth::oci::detail {

std::string fieldPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string indexPath(std::string_view parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string describe(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
      return fmt::format("{}", j.get<int64_t>());
    case Json::value_t::number_unsigned:
      return fmt::format("{}", j.get<uint64_t>());
    case Json::value_t::number_float:
      return fmt::format("{}", j.get<double>());
    default:
      return "unsupported value";
  }
}

namespace {

Error typeError(const std::string& path, std::string_view want, const Json& got) {
  return Error::invalid("{}: expected {}, got {}", path, want, describe(got));
}

// Whole numbers only: Go's encoding/json (runc) rejects 1.0 for an integer field too.
Result<uint64_t> unsignedValue(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0)
    return static_cast<uint64_t>(j.get<int64_t>());
  return typeError(path, "unsigned integer", j);
}

Result<int64_t> signedValue(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) {
    uint64_t v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Error::invalid("{}: {} is out of range", path, v);
    }
    return static_cast<int64_t>(v);
  }
  if (j.is_number_integer()) return j.get<int64_t>();
  return typeError(path, "integer", j);
}

}  // namespace

Status convert(const Json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) return typeError(path, "string", j);
  out = j.get<std::string>();
  return ok();
}

Status convert(const Json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) return typeError(path, "boolean", j);
  out = j.get<bool>();
  return ok();
}

Status convert(const Json& j, const std::string& path, uint32_t& out) {
  uint64_t v = TRY(unsignedValue(j, path));
  if (v > std::numeric_limits<uint32_t>::max()) {
    return Error::invalid("{}: {} is out of range for a 32-bit value", path, v);
  }
  out = static_cast<uint32_t>(v);
  return ok();
}

Status convert(const Json& j, const std::string& path, uint64_t& out) {
  out = TRY(unsignedValue(j, path));
  return ok();
}

Status convert(const Json& j, const std::string& path, int64_t& out) {
  out = TRY(signedValue(j, path));
  return ok();
}

Status convert(const Json& j, const std::string& path, int& out) {
  int64_t v = TRY(signedValue(j, path));
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return Error::invalid("{}: {} is out of range for a 32-bit value", path, v);
  }
  out = static_cast<int>(v);
  return ok();
}

Status convert(const Json& j, const std::string& path, std::vector<std::string>& out) {
  TRY(expectArray(j, path));
  std::vector<std::string> v(j.size());
  for (size_t i = 0; i < j.size(); ++i) TRY(convert(j[i], indexPath(path, i), v[i]));
  out = std::move(v);
  return ok();
}

Status convert(const Json& j, const std::string& path, std::vector<uint32_t>& out) {
  TRY(expectArray(j, path));
  std::vector<uint32_t> v(j.size());
  for (size_t i = 0; i < j.size(); ++i) TRY(convert(j[i], indexPath(path, i), v[i]));
  out = std::move(v);
  return ok();
}

Status convert(const Json& j, const std::string& path, std::map<std::string, std::string>& out) {
  TRY(expectObject(j, path));
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : j.items()) TRY(convert(v, fieldPath(path, k), m[k]));
  out = std::move(m);
  return ok();
}

const Json* member(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Status expectObject(const Json& j, const std::string& path) {
  if (!j.is_object()) return typeError(path, "object", j);
  return ok();
}

Status expectArray(const Json& j, const std::string& path) {
  if (!j.is_array()) return typeError(path, "array", j);
  return ok();
}

}  // namespace berth::oci::detail
