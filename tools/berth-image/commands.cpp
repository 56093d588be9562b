#include "commands.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/image_bootstrap.h"
#include "engine/image_service.h"
#include "image/layer.h"
#include "storage/snapshot.h"

namespace berth::tool {
namespace {

using engine::ImageService;

// One writer per data root at a time: the daemon holds the same lock.
Result<UniqueFd> lockDataRoot(const std::string& root) {
  ::mkdir(root.c_str(), 0711);
  std::string path = root + "/.berth-image.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return Error::sys(errno, "open {}", path);
  if (::flock(fd.get(), LOCK_EX) != 0) return Error::sys(errno, "flock {}", path);
  return fd;
}

// Docker's human sizes: decimal units, three significant digits ("4.26MB").
std::string humanSize(int64_t n) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  auto s = fmt::format("{:.3g}", v);
  return s + units[u];
}

std::string ago(int64_t t) {
  int64_t d = ::time(nullptr) - t;
  if (t <= 0) return "N/A";
  if (d < 1) return "Less than a second ago";
  if (d < 60) return fmt::format("{} seconds ago", d);
  if (d < 3600) return d < 120 ? "About a minute ago" : fmt::format("{} minutes ago", d / 60);
  if (d < 86400 * 2) return d < 7200 ? "About an hour ago" : fmt::format("{} hours ago", d / 3600);
  if (d < 86400 * 14) return fmt::format("{} days ago", d / 86400);
  if (d < 86400 * 60) return fmt::format("{} weeks ago", d / 86400 / 7);
  if (d < 86400 * 365 * 2) return fmt::format("{} months ago", d / 86400 / 30);
  return fmt::format("{} years ago", d / 86400 / 365);
}

Result<UniqueFd> openInput(const std::string& path) {
  if (path.empty() || path == "-") return UniqueFd(::dup(0));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::sys(errno, "open {}", path);
  return fd;
}

// Runs body with the service open and the data root locked.
template <typename F>
std::function<Status()> withImages(ImageContext& ctx, F body) {
  return [&ctx, body]() -> Status {
    auto lock = TRY(lockDataRoot(ctx.dataRoot));
    auto svc = TRY(ImageService::open(ctx.dataRoot));
    return body(*svc);
  };
}

std::string containerImageFile(const std::string& root, const std::string& id) {
  return root + "/containers/" + id + "/image";
}

void registerListing(CLI::App& app, ImageContext& ctx) {
  struct Opts {
    bool all = false, quiet = false, digests = false;
  };
  auto o = std::make_shared<Opts>();
  auto* images = app.add_subcommand("images", "List images");
  images->add_flag("-a,--all", o->all, "show all images (default hides intermediate images)");
  images->add_flag("-q,--quiet", o->quiet, "only show image IDs");
  images->add_flag("--digests", o->digests, "show digests");
  images->callback([&ctx, o] {
    ctx.action = withImages(ctx, [o](ImageService& s) -> Status {
      auto list = TRY(s.list(o->all));
      if (!o->quiet)
        std::printf(
            o->digests ? "%-40s %-10s %-72s %-12s %-16s %s\n" : "%-40s %-10s %-12s %-16s %s\n",
            "REPOSITORY", "TAG", o->digests ? "DIGEST" : "IMAGE ID",
            o->digests ? "IMAGE ID" : "CREATED", o->digests ? "CREATED" : "SIZE",
            o->digests ? "SIZE" : "");
      for (auto& img : list) {
        if (o->quiet) {
          std::printf("%s\n", img.id.shortHex().c_str());
          continue;
        }
        auto tags = img.repoTags.empty() ? std::vector<std::string>{"<none>:<none>"} : img.repoTags;
        for (auto& t : tags) {
          auto colon = t.rfind(':');
          auto repo = t.substr(0, colon), tag = t.substr(colon + 1);
          std::string digest = "<none>";
          for (auto& d : img.repoDigests)
            if (startsWith(d, repo + "@")) digest = d.substr(repo.size() + 1);
          if (o->digests)
            std::printf("%-40s %-10s %-72s %-12s %-16s %s\n", repo.c_str(), tag.c_str(),
                        digest.c_str(), img.id.shortHex().c_str(), ago(img.created).c_str(),
                        humanSize(img.size).c_str());
          else
            std::printf("%-40s %-10s %-12s %-16s %s\n", repo.c_str(), tag.c_str(),
                        img.id.shortHex().c_str(), ago(img.created).c_str(),
                        humanSize(img.size).c_str());
        }
      }
      return ok();
    });
  });

  auto names = std::make_shared<std::vector<std::string>>();
  auto* inspect = app.add_subcommand("inspect", "Show an image's details as JSON");
  inspect->add_option("IMAGE", *names, "images")->required();
  inspect->callback([&ctx, names] {
    ctx.action = withImages(ctx, [names](ImageService& s) -> Status {
      Json out = Json::array();
      for (auto& n : *names) out.push_back(TRY(s.inspect(n)));
      std::printf("%s\n", dumpJson(out, 4).c_str());
      return ok();
    });
  });

  auto hname = std::make_shared<std::string>();
  auto noTrunc = std::make_shared<bool>(false);
  auto* history = app.add_subcommand("history", "Show the history of an image");
  history->add_option("IMAGE", *hname, "image")->required();
  history->add_flag("--no-trunc", *noTrunc, "do not truncate output");
  history->callback([&ctx, hname, noTrunc] {
    ctx.action = withImages(ctx, [hname, noTrunc](ImageService& s) -> Status {
      std::printf("%-12s %-16s %-45s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE",
                  "COMMENT");
      for (auto& h : TRY(s.history(*hname))) {
        std::string id = h.id;
        if (!*noTrunc && startsWith(id, "sha256:")) id = id.substr(7, 12);
        std::string by = h.createdBy;
        if (!*noTrunc && by.size() > 45) by = by.substr(0, 44) + "…";
        std::printf("%-12s %-16s %-45s %-10s %s\n", id.c_str(), ago(h.created).c_str(), by.c_str(),
                    humanSize(h.size).c_str(), h.comment.c_str());
      }
      return ok();
    });
  });

  auto verbose = std::make_shared<bool>(false);
  auto* df = app.add_subcommand("df", "Show the images' disk usage");
  df->add_flag("-v,--verbose", *verbose, "show each image's shared and unique sizes");
  df->callback([&ctx, verbose] {
    ctx.action = withImages(ctx, [verbose](ImageService& s) -> Status {
      auto du = TRY(s.diskUsage());
      long active = 0;
      for (auto& i : du.images)
        if (i.containers > 0) ++active;
      int pct = du.layersSize ? static_cast<int>(du.reclaimable * 100 / du.layersSize) : 0;
      std::printf("%-16s %-8s %-8s %-12s %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
      std::printf("%-16s %-8zu %-8ld %-12s %s (%d%%)\n", "Images", du.images.size(), active,
                  humanSize(du.layersSize).c_str(), humanSize(du.reclaimable).c_str(), pct);
      if (!*verbose) return ok();
      std::printf("\nImages space usage:\n\n%-40s %-10s %-12s %-16s %-10s %-12s %-12s %s\n",
                  "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE",
                  "CONTAINERS");
      for (auto& i : du.images) {
        auto t = i.repoTags.empty() ? std::string("<none>:<none>") : i.repoTags.front();
        auto colon = t.rfind(':');
        std::printf("%-40s %-10s %-12s %-16s %-10s %-12s %-12s %ld\n", t.substr(0, colon).c_str(),
                    t.substr(colon + 1).c_str(), i.id.shortHex().c_str(), ago(i.created).c_str(),
                    humanSize(i.size).c_str(), humanSize(i.sharedSize).c_str(),
                    humanSize(i.size - i.sharedSize).c_str(), static_cast<long>(i.containers));
      }
      return ok();
    });
  });
}

void registerArchives(CLI::App& app, ImageContext& ctx) {
  auto input = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto* load = app.add_subcommand("load", "Load images from a docker-save archive");
  load->add_option("-i,--input", *input, "read from this file instead of stdin");
  load->add_flag("-q,--quiet", *quiet, "suppress the load output");
  load->callback([&ctx, input, quiet] {
    ctx.action = withImages(ctx, [input, quiet](ImageService& s) -> Status {
      if ((input->empty() || *input == "-") && ::isatty(0))
        return Error::invalid("requested load from stdin, but stdin is empty");
      auto fd = TRY(openInput(*input));
      engine::ProgressFn say = [&](const std::string& line) {
        if (!*quiet) std::printf("%s\n", line.c_str());
      };
      TRY(s.load(fd.get(), say));
      return ok();
    });
  });

  struct SaveOpts {
    std::string output;
    std::vector<std::string> names;
  };
  auto so = std::make_shared<SaveOpts>();
  auto* save = app.add_subcommand("save", "Save images to a docker-save archive");
  save->add_option("-o,--output", so->output, "write to this file instead of stdout");
  save->add_option("IMAGE", so->names, "images")->required();
  save->callback([&ctx, so] {
    ctx.action = withImages(ctx, [so](ImageService& s) -> Status {
      if (so->output.empty()) {
        if (::isatty(1))
          return Error::invalid(
              "cowardly refusing to save to a terminal. Use the -o flag or redirect");
        return s.save(so->names, 1);
      }
      std::string tmp = so->output + ".berth-tmp";
      UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!fd) return Error::sys(errno, "open {}", tmp);
      // Renamed into place when complete, so the name never shows half an archive. No fsync:
      // this is an export like tar or cp, not berth's own state.
      auto st = s.save(so->names, fd.get());
      if (st && ::rename(tmp.c_str(), so->output.c_str()) != 0)
        st = Error::sys(errno, "rename {}", so->output);
      if (!st) ::unlink(tmp.c_str());
      return st;
    });
  });

  auto oo = std::make_shared<SaveOpts>();
  auto* osave = app.add_subcommand("oci-save", "Write images into an OCI image layout directory");
  osave->add_option("DIR", oo->output, "layout directory")->required();
  osave->add_option("IMAGE", oo->names, "images")->required();
  osave->callback([&ctx, oo] {
    ctx.action =
        withImages(ctx, [oo](ImageService& s) { return s.saveOciLayout(oo->names, oo->output); });
  });

  struct OciLoad {
    std::string dir, ref, tag;
  };
  auto ol = std::make_shared<OciLoad>();
  auto* oload = app.add_subcommand("oci-load", "Load images from an OCI image layout directory");
  oload->add_option("DIR", ol->dir, "layout directory")->required();
  oload->add_option("--ref", ol->ref, "only the manifest with this ref.name annotation");
  oload->add_option("-t,--tag", ol->tag, "name the loaded image");
  oload->callback([&ctx, ol] {
    ctx.action = withImages(ctx, [ol](ImageService& s) -> Status {
      for (auto& n : TRY(s.loadOciLayout(ol->dir, ol->ref, ol->tag)))
        std::printf("Loaded image: %s\n", n.c_str());
      return ok();
    });
  });

  struct ImportOpts {
    std::string file, ref, message;
    std::vector<std::string> changes;
  };
  auto io = std::make_shared<ImportOpts>();
  auto* imp = app.add_subcommand("import", "Import a rootfs tarball as an image");
  imp->add_option("-c,--change", io->changes, "apply a Dockerfile instruction to the image")
      ->allow_extra_args(false);
  imp->add_option("-m,--message", io->message, "commit message");
  imp->add_option("FILE", io->file, "tarball, or - for stdin")->required();
  imp->add_option("REPOSITORY", io->ref, "name[:tag]");
  imp->callback([&ctx, io] {
    ctx.action = withImages(ctx, [io](ImageService& s) -> Status {
      auto fd = TRY(openInput(io->file));
      engine::ImportOptions opts;
      opts.changes = io->changes;
      opts.message = io->message;
      opts.reference = io->ref;
      opts.source = io->file;
      std::printf("%s\n", TRY(s.import(fd.get(), opts)).str().c_str());
      return ok();
    });
  });
}

void registerNames(CLI::App& app, ImageContext& ctx) {
  auto pair = std::make_shared<std::vector<std::string>>();
  auto* tag = app.add_subcommand("tag", "Create a tag TARGET that refers to SOURCE");
  tag->add_option("SOURCE TARGET", *pair, "source and target")->expected(2)->required();
  tag->callback([&ctx, pair] {
    ctx.action = withImages(ctx, [pair](ImageService& s) { return s.tag((*pair)[0], (*pair)[1]); });
  });

  auto names = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  auto* rmi = app.add_subcommand("rmi", "Remove images");
  rmi->add_flag("-f,--force", *force, "force removal");
  rmi->add_option("IMAGE", *names, "images")->required();
  rmi->callback([&ctx, names, force] {
    ctx.action = withImages(ctx, [names, force](ImageService& s) -> Status {
      std::optional<Error> first;
      for (auto& n : *names) {
        auto items = s.remove(n, *force);
        if (!items) {
          std::fprintf(stderr, "Error response from daemon: %s\n", items.error().what().c_str());
          if (!first) first = items.error();
          continue;
        }
        for (auto& i : *items)
          std::printf("%s: %s\n", i.untagged.empty() ? "Deleted" : "Untagged",
                      (i.untagged.empty() ? i.deleted : i.untagged).c_str());
      }
      if (first) return *first;
      return ok();
    });
  });

  auto all = std::make_shared<bool>(false);
  auto* prune = app.add_subcommand("prune", "Remove unused images");
  prune->add_flag("-a,--all", *all, "remove all images without containers, not just dangling ones");
  prune->callback([&ctx, all] {
    ctx.action = withImages(ctx, [all](ImageService& s) -> Status {
      auto rep = TRY(s.prune(*all));
      if (!rep.items.empty()) std::printf("Deleted Images:\n");
      for (auto& i : rep.items)
        std::printf("%s: %s\n", i.untagged.empty() ? "deleted" : "untagged",
                    (i.untagged.empty() ? i.deleted : i.untagged).c_str());
      std::printf("\nTotal reclaimed space: %s\n", humanSize(rep.spaceReclaimed).c_str());
      return ok();
    });
  });

  auto* gc = app.add_subcommand("gc", "Remove blobs and layer dirs no image refers to");
  gc->callback(
      [&ctx] { ctx.action = withImages(ctx, [](ImageService& s) { return s.collectGarbage(); }); });

  struct Boot {
    std::string kind, tag, suite = "bookworm", mirror = "http://deb.debian.org/debian";
  };
  auto bo = std::make_shared<Boot>();
  auto* boot =
      app.add_subcommand("bootstrap", "Make a base image from this host (busybox or debian)");
  boot->add_option("KIND", bo->kind, "busybox or debian")
      ->required()
      ->check(CLI::IsMember({"busybox", "debian"}));
  boot->add_option("-t,--tag", bo->tag, "name the image (default busybox:latest, debian:<suite>)");
  boot->add_option("--suite", bo->suite, "Debian suite for debian")->capture_default_str();
  boot->add_option("--mirror", bo->mirror, "Debian mirror for debian")->capture_default_str();
  boot->callback([&ctx, bo] {
    ctx.action = withImages(ctx, [bo](ImageService& s) -> Status {
      engine::BootstrapOptions opts;
      opts.reference = bo->tag;
      opts.suite = bo->suite;
      opts.mirror = bo->mirror;
      auto id = bo->kind == "busybox" ? TRY(engine::bootstrapBusybox(s, opts))
                                      : TRY(engine::bootstrapDebian(s, opts));
      std::printf("%s\n", id.str().c_str());
      return ok();
    });
  });
}

void registerRootfs(CLI::App& app, ImageContext& ctx) {
  struct MountOpts {
    std::string image, id, target, output, ref, message, author;
    std::vector<std::string> changes;
  };
  auto mo = std::make_shared<MountOpts>();
  auto* mount =
      app.add_subcommand("mount", "Create container ID's copy-on-write rootfs of IMAGE at TARGET");
  mount->add_option("IMAGE", mo->image, "image")->required();
  mount->add_option("ID", mo->id, "container ID")->required();
  mount->add_option("TARGET", mo->target, "mount point")->required();
  mount->callback([&ctx, mo] {
    ctx.action = withImages(ctx, [&ctx, mo](ImageService& s) -> Status {
      auto id = TRY(s.resolve(mo->image));
      auto snaps = TRY(storage::openSnapshotStore(ctx.dataRoot));
      auto dirs = TRY(s.layerDirs(id));
      TRY(snaps->create(mo->id));
      auto st = [&]() -> Status {
        TRY(writeFileAtomic(containerImageFile(ctx.dataRoot, mo->id), id.str()));
        TRY(snaps->mount(mo->id, dirs, mo->target));
        return s.addUser(id, mo->id);
      }();
      if (!st) {
        (void)snaps->unmount(mo->target);
        (void)snaps->remove(mo->id);
      }
      return st;
    });
  });

  auto uo = std::make_shared<MountOpts>();
  auto* umount =
      app.add_subcommand("unmount", "Unmount container ID's rootfs at TARGET and remove it");
  umount->add_option("ID", uo->id, "container ID")->required();
  umount->add_option("TARGET", uo->target, "mount point")->required();
  umount->callback([&ctx, uo] {
    ctx.action = withImages(ctx, [&ctx, uo](ImageService& s) -> Status {
      auto snaps = TRY(storage::openSnapshotStore(ctx.dataRoot));
      auto idText =
          TRY_CTX(readFile(containerImageFile(ctx.dataRoot, uo->id)), "container {}", uo->id);
      TRY(snaps->unmount(uo->target));
      TRY(snaps->remove(uo->id));
      return s.removeUser(TRY(Digest::parse(trim(idText))), uo->id);
    });
  });

  auto dO = std::make_shared<MountOpts>();
  auto* diff = app.add_subcommand("diff", "Write container ID's changes as a layer tar");
  diff->add_option("ID", dO->id, "container ID")->required();
  diff->add_option("-o,--output", dO->output, "file to write")->required();
  diff->callback([&ctx, dO] {
    ctx.action = withImages(ctx, [&ctx, dO](ImageService&) -> Status {
      auto snaps = TRY(storage::openSnapshotStore(ctx.dataRoot));
      UniqueFd fd(::open(dO->output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!fd) return Error::sys(errno, "open {}", dO->output);
      auto st = TRY(image::writeLayerTar(snaps->upperDir(dO->id), fd.get()));
      std::printf("%s\n", st.diffId.str().c_str());
      return ok();
    });
  });

  auto uo2 = std::make_shared<MountOpts>();
  auto* unpack =
      app.add_subcommand("unpack", "Unpack a layer tar (any compression) into DIR, as a layer");
  unpack->add_option("FILE", uo2->image, "layer tar, or - for stdin")->required();
  unpack->add_option("DIR", uo2->target, "existing directory")->required();
  unpack->callback([&ctx, uo2] {
    ctx.action = [uo2]() -> Status {
      auto fd = TRY(openInput(uo2->image));
      auto st = TRY(image::unpackLayer(fd.get(), uo2->target));
      std::printf("%s\n", st.diffId.str().c_str());
      return ok();
    };
  });

  auto co = std::make_shared<MountOpts>();
  auto* commit = app.add_subcommand("commit", "Make an image from container ID's changes");
  commit->add_option("ID", co->id, "container ID")->required();
  commit->add_option("REPOSITORY", co->ref, "name[:tag]");
  commit->add_option("-m,--message", co->message, "commit message");
  commit->add_option("-a,--author", co->author, "author");
  commit->add_option("-c,--change", co->changes, "apply a Dockerfile instruction")
      ->allow_extra_args(false);
  commit->callback([&ctx, co] {
    ctx.action = withImages(ctx, [&ctx, co](ImageService& s) -> Status {
      auto snaps = TRY(storage::openSnapshotStore(ctx.dataRoot));
      auto idText =
          TRY_CTX(readFile(containerImageFile(ctx.dataRoot, co->id)), "container {}", co->id);
      engine::CommitOptions opts;
      opts.reference = co->ref;
      opts.author = co->author;
      opts.message = co->message;
      opts.changes = co->changes;
      opts.containerId = co->id;
      auto id = TRY(s.commit(snaps->upperDir(co->id), TRY(Digest::parse(trim(idText))), opts));
      std::printf("%s\n", id.str().c_str());
      return ok();
    });
  });
}

}  // namespace

void registerImageCommands(CLI::App& app, ImageContext& ctx) {
  registerListing(app, ctx);
  registerArchives(app, ctx);
  registerNames(app, ctx);
  registerRootfs(app, ctx);
}

}  // namespace berth::tool
