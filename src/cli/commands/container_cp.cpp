// berth cp: copy between a container and the host. Container to host reads GET
// /containers/{id}/archive (its X-Docker-Container-Path-Stat header says what the source is)
// and extracts locally; host to container stats the destination, tars the source and PUTs
// it. The path logic is docker's (PrepareArchiveCopy); `-` is a tar on stdin or stdout.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/format/units.h"
#include "cli/tar_copy.h"

namespace berth::cli {

namespace {

constexpr uint32_t kGoModeDir = 1u << 31;
constexpr uint32_t kGoModeSymlink = 1u << 27;

struct CpOptions {
  bool archive = false, followLink = false, quiet = false;
};

void flags(FlagSet& fs, CpOptions& o) {
  fs.boolVar(&o.archive, "archive", 'a', "Archive mode (copy all uid/gid information)");
  fs.boolVar(&o.followLink, "follow-link", 'L', "Always follow symbol link in SRC_PATH");
  fs.boolVar(&o.quiet, "quiet", 'q', "Suppress progress output during copy");
}

struct Target {
  std::string container, path;
};

// docker's splitCpArg: absolute or ./-relative paths are local even with a ':'.
Target splitArg(const std::string& arg) {
  if (startsWith(arg, "/")) return {"", arg};
  auto colon = arg.find(':');
  if (colon == std::string::npos || startsWith(arg, ".")) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string baseName(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dirName(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

bool assertsDir(const std::string& p) {
  return endsWith(p, "/") || endsWith(p, "/.");
}

struct PathStat {
  std::string name;  // the daemon's name for it
  bool exists = false;
  bool isDir = false;
  bool isLink = false;
  std::string linkTarget;
};

Result<PathStat> statInContainer(client::Client& c, const std::string& ctr,
                                 const std::string& path) {
  client::Query q;
  q.add("path", path);
  auto resp = c.send("HEAD", containerPath(ctr, "/archive"), q);
  PathStat st;
  if (!resp) return std::move(resp).error();
  if (resp->status == 404) {
    // A missing path is a 404 too; a missing container is the error to report.
    TRY(c.getJson(containerPath(ctr, "/json")));
    return st;
  }
  if (resp->status >= 400) return client::responseError(resp->status, TRY(resp->readAll()));
  auto header = resp->headers.get("X-Docker-Container-Path-Stat");
  if (!header) return Error(ErrorKind::Internal, "unable to get resource stat from response");
  auto decoded = client::base64Decode(*header);
  if (!decoded) return Error(ErrorKind::Internal, "unable to decode container path stat header");
  Json j = TRY(parseJson(*decoded, "container path stat"));
  uint32_t mode = j.value("mode", 0u);
  st.exists = true;
  st.name = j.value("name", "");
  st.isDir = mode & kGoModeDir;
  st.isLink = mode & kGoModeSymlink;
  st.linkTarget = j.value("linkTarget", "");
  return st;
}

// Where to extract and how to rename, from docker's PrepareArchiveCopy.
Result<std::pair<std::string, Rebase>> prepareCopy(const std::string& srcPath, bool srcIsDir,
                                                   const std::string& dstPath, const PathStat& dst,
                                                   const std::string& what) {
  std::string srcBase = baseName(srcPath);
  if (dst.exists && dst.isDir) return std::pair(dstPath, Rebase{});
  if (dst.exists && srcIsDir) return Error::invalid("cannot copy a directory to a file: {}", what);
  if (!dst.exists && !srcIsDir && assertsDir(dstPath)) {
    return Error::notFound("destination directory {} does not exist", what);
  }
  return std::pair(dirName(dstPath), Rebase{srcBase, baseName(dstPath)});
}

Result<int> fromContainer(Cli& cli, CpOptions& o, const Target& src, const std::string& dstPath) {
  client::Client* c = TRY(cli.client());
  std::string srcPath = src.path;
  PathStat st = TRY(statInContainer(*c, src.container, srcPath));
  if (!st.exists) {
    return Error::notFound("Error response from daemon: Could not find the file {} in container {}",
                           srcPath, src.container);
  }
  // -L: the link's target is archived, under the link's name.
  std::string reqPath = srcPath;
  if (o.followLink && st.isLink) {
    reqPath = st.linkTarget;
    if (!startsWith(reqPath, "/")) reqPath = dirName(srcPath) + "/" + reqPath;
    st = TRY(statInContainer(*c, src.container, reqPath));
  }
  client::Query q;
  q.add("path", reqPath);
  client::Response resp = TRY(c->call("GET", containerPath(src.container, "/archive"), q));
  if (dstPath == "-") {
    cli.flush();
    TRY(copyBody(resp, STDOUT_FILENO, "stdout"));
    return 0;
  }
  PathStat dst;
  struct stat lst;
  if (::stat(dstPath.c_str(), &lst) == 0) {
    dst.exists = true;
    dst.isDir = S_ISDIR(lst.st_mode);
  } else if (errno != ENOENT) {
    return Error::sys(errno, "stat {}", dstPath);
  }
  auto [dir, rebase] = TRY(prepareCopy(srcPath, st.isDir, dstPath, dst, dstPath));
  std::string srcBase = baseName(srcPath);
  if (rebase.from.empty()) rebase = Rebase{srcBase, srcBase};
  std::string daemonTop = baseName(reqPath);
  rebase.alias = st.name.empty() || st.name == srcBase ? daemonTop : st.name;
  struct stat dstat;
  if (::stat(dir.c_str(), &dstat) != 0 || !S_ISDIR(dstat.st_mode)) {
    return Error::notFound("destination directory {} does not exist", dir);
  }
  int64_t bytes = TRY(extractTar([&resp](char* buf, size_t n) { return resp.read(buf, n); }, dir,
                                 rebase, o.archive));
  if (!o.quiet) {
    cli.err(fmt::format("Successfully copied {} to {}\n", humanSize(static_cast<double>(bytes), 4),
                        dstPath));
  }
  return 0;
}

Result<int> toContainer(Cli& cli, CpOptions& o, const std::string& srcPath, const Target& dst) {
  client::Client* c = TRY(cli.client());
  std::string what = dst.container + ":" + dst.path;
  std::string dstPath = dst.path;
  PathStat ds = TRY(statInContainer(*c, dst.container, dstPath));
  if (ds.exists && ds.isLink) {
    std::string target = ds.linkTarget;
    if (!startsWith(target, "/")) target = dirName(dstPath) + "/" + target;
    dstPath = target;
    ds = TRY(statInContainer(*c, dst.container, dstPath));
  }
  client::Request req;
  req.headers.add("Content-Type", "application/x-tar");
  std::string extractDir;
  int64_t sent = 0;
  int inFd = STDIN_FILENO;
  UniqueFd readEnd;
  std::thread producer;
  Status produced;
  if (srcPath == "-") {
    if (!ds.isDir) return Error::invalid("destination \"{}\" must be a directory", what);
    extractDir = dstPath;
  } else {
    struct stat st;
    if ((o.followLink ? ::stat(srcPath.c_str(), &st) : ::lstat(srcPath.c_str(), &st)) != 0) {
      return Error::sys(errno, "{} {}", o.followLink ? "stat" : "lstat", srcPath);
    }
    auto [dir, rebase] = TRY(prepareCopy(srcPath, S_ISDIR(st.st_mode), dstPath, ds, what));
    extractDir = dir;
    // The tar is written on a pipe by a second thread while this one sends it, so a large
    // copy streams instead of sitting in memory.
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
    readEnd.reset(fds[0]);
    inFd = fds[0];
    producer = std::thread([&, wr = fds[1], rebase = rebase] {
      UniqueFd w(wr);
      produced = writeTar(srcPath, o.followLink, rebase,
                          [&w](std::string_view d) { return writeAll(w.get(), d, "tar pipe"); });
    });
  }
  req.bodySource = [&sent, inFd](char* buf, size_t n) -> Result<size_t> {
    ssize_t r;
    do {
      r = ::read(inFd, buf, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return Error::sys(errno, "read tar");
    sent += r;
    return static_cast<size_t>(r);
  };
  auto finish = [&] {
    readEnd.reset();
    if (producer.joinable()) producer.join();
  };
  client::Query q;
  q.add("path", extractDir).add("noOverwriteDirNonDir", "true").flag("copyUIDGID", o.archive);
  auto resp = c->call("PUT", containerPath(dst.container, "/archive"), q, std::move(req));
  if (resp) {
    auto body = resp->readAll();
    if (!body) resp = std::move(body).error();
  }
  finish();
  // The daemon's answer first: a tar writer cut off by it only reports a broken pipe.
  if (!resp) return std::move(resp).error();
  TRY(produced);
  if (!o.quiet) {
    cli.err(fmt::format("Successfully copied {} to {}\n", humanSize(static_cast<double>(sent), 4),
                        what));
  }
  return 0;
}

Result<int> run(Cli& cli, CpOptions& o, Args& args) {
  Target src = splitArg(args[0]), dst = splitArg(args[1]);
  if (src.container.empty() && dst.container.empty()) {
    return Error::invalid("must specify at least one container source");
  }
  if (!src.container.empty() && !dst.container.empty()) {
    return Error::invalid("copying between containers is not supported");
  }
  if (!src.container.empty()) {
    if (src.path.empty()) return Error::invalid("filepath can not be empty");
    return fromContainer(cli, o, src, args[1]);
  }
  if (dst.path.empty()) return Error::invalid("filepath can not be empty");
  return toContainer(cli, o, src.path, dst);
}

}  // namespace

void registerContainerCp(Registry& r) {
  r.add({.paths = {"container cp", "cp"},
         .use = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- "
                "CONTAINER:DEST_PATH",
         .shortHelp = "Copy files/folders between a container and the local filesystem",
         .minArgs = 2,
         .maxArgs = 2,
         .bind = bindOptions<CpOptions>(flags, run)});
}

}  // namespace berth::cli
