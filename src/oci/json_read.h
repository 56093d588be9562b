#pragma once
// Typed reads of config.json fields that carry the field's path into every error
// ("process.user.uid: expected unsigned integer, got -1"). Private to src/oci: the parsers
// in spec_parse.cpp and linux_parse.cpp share it. Absent and null fields leave `out` untouched,
// which is how optional fields keep their defaults.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/json.h"

namespace berth::oci::detail {

// "process" + "user" -> "process.user"; "" + "root" -> "root".
std::string fieldPath(std::string_view parent, std::string_view key);
// "mounts" + 3 -> "mounts[3]".
std::string indexPath(std::string_view parent, size_t index);
// The JSON type of a value in words, for messages ("string", "negative integer").
std::string describe(const Json& j);

Status convert(const Json& j, const std::string& path, std::string& out);
Status convert(const Json& j, const std::string& path, bool& out);
Status convert(const Json& j, const std::string& path, uint32_t& out);
Status convert(const Json& j, const std::string& path, uint64_t& out);
Status convert(const Json& j, const std::string& path, int64_t& out);
Status convert(const Json& j, const std::string& path, int& out);
Status convert(const Json& j, const std::string& path, std::vector<std::string>& out);
Status convert(const Json& j, const std::string& path, std::vector<uint32_t>& out);
Status convert(const Json& j, const std::string& path, std::map<std::string, std::string>& out);

template <typename T>
Status convert(const Json& j, const std::string& path, std::optional<T>& out) {
  T v{};
  TRY(convert(j, path, v));
  out = std::move(v);
  return ok();
}

// The member `key` of object `obj`, or nullptr when it is absent or null.
const Json* member(const Json& obj, std::string_view key);
Status expectObject(const Json& j, const std::string& path);
Status expectArray(const Json& j, const std::string& path);

// Reads obj[key] into out when present and not null.
template <typename T>
Status read(const Json& obj, std::string_view key, std::string_view parent, T& out) {
  const Json* v = member(obj, key);
  if (v == nullptr) return ok();
  return convert(*v, fieldPath(parent, key), out);
}

// Reads the array obj[key] of objects, each through parseOne(item, "key[i]").
template <typename T, typename F>
Status readList(const Json& obj, std::string_view key, std::string_view parent, std::vector<T>& out,
                F parseOne) {
  const Json* v = member(obj, key);
  if (v == nullptr) return ok();
  std::string path = fieldPath(parent, key);
  TRY(expectArray(*v, path));
  std::vector<T> items;
  items.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i)
    items.push_back(TRY(parseOne((*v)[i], indexPath(path, i))));
  out = std::move(items);
  return ok();
}

}  // namespace berth::oci::detail
