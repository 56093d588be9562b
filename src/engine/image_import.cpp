// docker import (a rootfs tar becomes a one-layer image) and docker commit (a container's
// upper dir becomes a layer on top of its image).

#include <fcntl.h>
#include <unistd.h>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/image_internal.h"
#include "image/config_changes.h"
#include "image/layer.h"

namespace berth::engine {

using namespace detail;

namespace {

Result<Digest> storeImage(ImageService::Parts& p, const oci::ImageConfig& cfg,
                          const std::vector<image::LayerRecord>& layers, const Digest& parent,
                          const std::string& reference) {
  auto bytes = oci::renderImageConfig(cfg);
  auto id = TRY(p.content->put(bytes));
  auto rec = makeRecord(id, cfg, layers);
  rec.parent = parent;
  std::vector<std::string> refs;
  if (!reference.empty()) refs.push_back(TRY(normaliseTagged(reference)));
  TRY(p.db->addImage(rec, layers, refs));
  return id;
}

}  // namespace

Result<Digest> ImageService::import(int fd, const ImportOptions& opts) {
  auto& p = parts();
  // Check the name and the changes before reading a byte: bad input must not cost a download.
  if (!opts.reference.empty()) TRY(normaliseTagged(opts.reference));
  oci::ImageConfig cfg;
  TRY(image::applyConfigChanges(cfg.config, opts.changes));

  auto w = TRY(p.content->writer());
  TRY_CTX(w->writeFrom(fd), "import: read the rootfs tar");
  auto blobSize = w->size();
  auto blob = TRY_CTX(w->commit(), "import");
  auto layer = ensureLayer(p, {}, {blob, blobSize, "", {}});
  if (!layer) {
    dropUnreferenced(p, {blob});
    return std::move(layer).error().context("import");
  }

  cfg.created = opts.created.empty() ? nowRfc3339() : opts.created;
  cfg.architecture = hostArchitecture();
  cfg.os = "linux";
  cfg.diffIds = {layer->diffId};
  std::string comment = opts.message.empty() ? "Imported from " + opts.source : opts.message;
  cfg.history.push_back({cfg.created, "", "", comment, false});
  if (!opts.message.empty()) cfg.extra["comment"] = opts.message;
  return storeImage(p, cfg, {*layer}, {}, opts.reference);
}

Result<Digest> ImageService::commit(const std::string& upperDir, const Digest& parent,
                                    const CommitOptions& opts) {
  auto& p = parts();
  if (!opts.reference.empty()) TRY(normaliseTagged(opts.reference));
  auto layers = TRY(imageLayers(p, parent));  // NotFound for an unknown parent, before any work
  auto cfg = TRY(config(parent));
  if (opts.config) cfg.config = *opts.config;
  TRY(image::applyConfigChanges(cfg.config, opts.changes));

  // The diff goes through an unnamed temp file on the data root's filesystem into the store.
  UniqueFd tmp(::open(dataRoot().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!tmp) return Error::sys(errno, "open O_TMPFILE in {}", dataRoot());
  auto stats = TRY_CTX(image::writeLayerTar(upperDir, tmp.get()), "commit: diff {}", upperDir);
  if (::lseek(tmp.get(), 0, SEEK_SET) < 0) return Error::sys(errno, "lseek");
  auto w = TRY(p.content->writer());
  TRY(w->writeFrom(tmp.get()));
  auto blob = TRY(w->commit(stats.digest));

  Digest top = layers.empty() ? Digest() : layers.back().chainId;
  auto layer = ensureLayer(
      p, top, {blob, stats.size, std::string(oci::kMediaTypeDockerLayer), stats.diffId});
  if (!layer) {
    dropUnreferenced(p, {blob});
    return std::move(layer).error().context("commit");
  }
  layers.push_back(*layer);

  cfg.created = nowRfc3339();
  cfg.author = opts.author;
  cfg.diffIds.push_back(stats.diffId);
  // As docker commit: the history names the container's command.
  std::string createdBy;
  if (opts.config && opts.config->cmd) createdBy = join(*opts.config->cmd, " ");
  cfg.history.push_back({cfg.created, createdBy, opts.author, opts.message, false});
  if (!opts.containerId.empty()) cfg.extra["container"] = opts.containerId;
  cfg.extra["parent"] = parent.str();
  if (!opts.message.empty()) cfg.extra["comment"] = opts.message;
  return storeImage(p, cfg, layers, parent, opts.reference);
}

}  // namespace berth::engine
