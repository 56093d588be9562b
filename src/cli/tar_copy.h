#pragma once
// The local half of `cp`, with libarchive: writing a tar of a host path for the daemon to
// extract, and extracting the daemon's tar to a host path. Both rename the top entry the way
// docker's PrepareArchiveCopy does (RebaseArchiveEntries), so `cp a b` makes b whether b is
// an existing directory (b/a), a missing path (b), or an existing file (overwritten).

#include <cstdint>
#include <functional>
#include <string>

#include "base/error.h"

namespace berth::cli {

// Entry names starting with `from` (the whole first component) start with `to` instead;
// "" leaves names alone. from "." matches "." and "./x". Names starting with `alias` count as
// starting with `from` (a daemon may name "dir/." entries "dir/...", or send a followed
// link's target under the target's name).
struct Rebase {
  std::string from;
  std::string to;
  std::string alias;
  std::string apply(const std::string& name) const;
};

// Streams produced bytes to a sink (the HTTP body).
using TarSink = std::function<Status(std::string_view)>;

/// Writes a tar of srcPath (a file, directory or symlink; followLink follows it at the top)
/// whose top entry is named basename(srcPath) after rebase. Sub-paths keep their names.
Status writeTar(const std::string& srcPath, bool followLink, const Rebase& rebase,
                const TarSink& sink);

// Pulls tar bytes (from the HTTP body); 0 at the end.
using TarSource = std::function<Result<size_t>(char* buf, size_t n)>;

/// Extracts the tar read from source into dir, renaming entries through rebase; with
/// keepOwner the entries' uid/gid are applied (cp -a), else files belong to the caller.
/// Returns the number of tar bytes read.
Result<int64_t> extractTar(const TarSource& source, const std::string& dir, const Rebase& rebase,
                           bool keepOwner);

}  // namespace berth::cli
