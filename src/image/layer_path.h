#pragma once
// Lexical checks on the names inside a layer tar: entry paths, hardlink and symlink targets.
// Pure string work (no filesystem access), so the unpacker's refusal rules are testable alone.

#include <string>
#include <string_view>
#include <utility>

#include "base/error.h"

namespace berth::image {

/// The entry name cleaned: "./" prefixes, empty and "." components and a trailing "/" dropped
/// ("./a//b/" -> "a/b"); "" for the root itself. InvalidArgument for an absolute name or one with
/// a ".." component. `what` names the entry in the message.
Result<std::string> cleanEntryPath(std::string_view name, std::string_view what);

/// True when a symlink at `entryPath` (cleaned) whose target is `target` stays inside the layer:
/// a relative target is resolved from the entry's directory and may not climb above the root;
/// an absolute target is rooted at the layer (".." at its root stays there, as in a chroot).
/// The rule moby calls breakoutError.
bool symlinkStaysInside(std::string_view entryPath, std::string_view target);

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"}.
inline std::pair<std::string_view, std::string_view> splitParent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace berth::image
