// docker load and docker save: docker-save archives in both flavours (the legacy one of
// <layer>/layer.tar + <id>.json + manifest.json, and Docker 25's OCI layout + manifest.json).

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <set>
#include <thread>

#include "base/file.h"
#include "base/log.h"
#include "image/layer.h"
#include "image/tar_split.h"
#include "storage/fs_tree.h"

#include "base/strings.h"
#include "engine/archive_io.h"
#include "engine/image_internal.h"
#include "engine/oci_index.h"
#include "image/reference.h"

namespace berth::engine {

using namespace detail;

namespace detail {

// Files at most this big are kept in memory while the archive streams by (manifests, configs,
// legacy per-layer json); bigger ones go straight into the content store.
constexpr int64_t kSmallFile = 1 << 20;

std::string lexicalJoin(const std::string& dir, const std::string& rel) {
  std::vector<std::string> parts =
      rel.empty() || rel[0] != '/' ? split(dir, '/', true) : std::vector<std::string>{};
  for (auto& c : split(rel, '/', true)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  return join(parts, "/");
}

// What an archive held, by path: stored blobs and small files in memory.
struct ArchiveFiles {
  std::map<std::string, std::pair<Digest, int64_t>> blobs;
  std::map<Digest, StagedLayer> staged;
  std::map<std::string, std::string> small;
  std::map<std::string, std::string> links;
  std::set<Digest> written;

  std::string follow(std::string path) const {
    for (int i = 0; i < 16; ++i) {
      auto it = links.find(path);
      if (it == links.end()) break;
      path = it->second;
    }
    return path;
  }
  const std::string* smallFile(const std::string& path) const {
    auto it = small.find(follow(path));
    return it == small.end() ? nullptr : &it->second;
  }
  // The path as a stored blob (putting a small file into the store when needed).
  Result<std::pair<Digest, int64_t>> blob(image::ContentStore& cs, const std::string& path) {
    auto p = follow(path);
    if (auto it = blobs.find(p); it != blobs.end()) return it->second;
    if (auto it = small.find(p); it != small.end()) {
      Digest expected;
      if (startsWith(p, "blobs/sha256/"))
        expected = TRY_CTX(Digest::fromHex(p.substr(13)), "{}", p);
      auto d = TRY_CTX(cs.put(it->second, expected), "{}", p);
      written.insert(d);
      blobs[p] = {d, static_cast<int64_t>(it->second.size())};
      return blobs[p];
    }
    return Error::invalid("invalid archive: {} is named in the manifest but not in the archive",
                          path);
  }
};

// Unpacks one archive entry while it streams in, into a stage dir under <dataRoot>/tmp, keeping
// its tar-split. An unsynced unnamed temp copy of the bytes covers the rare tar that a split
// cannot describe: then that copy goes into the content store after all.
class Stager {
 public:
  static Result<Stager> start(const std::string& dataRoot) {
    Stager s;
    s.impl_ = std::make_shared<Impl>();
    std::string tmp = dataRoot + "/tmp";
    TRY(ensureDir(tmp, 0700));
    s.impl_->dir = tmp + "/stage-" + storage::randomHex(8);
    TRY(ensureDir(s.impl_->dir, 0700));
    TRY(ensureDir(s.impl_->dir + "/diff", 0755));
    s.tmp_.reset(::open(tmp.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!s.tmp_) return Error::sys(errno, "open O_TMPFILE in {}", tmp);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error::sys(errno, "pipe");
    ::fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    s.pipeW_.reset(fds[1]);
    auto impl = s.impl_;
    s.thread_ = std::thread([impl, rfd = fds[0]] {
      UniqueFd r(rfd);
      image::TarSplitter splitter;
      image::UnpackOptions o;
      o.onTarBytes = [&](const void* p, size_t n) { splitter.feed(p, n); };
      impl->result = image::unpackLayer(r.get(), impl->dir + "/diff", o);
      if (*impl->result) impl->split = splitter.finish();
      // Read to the end whatever happened: the writer must never wait on a reader that gave up.
      char buf[1 << 16];
      while (::read(r.get(), buf, sizeof buf) > 0) {
      }
    });
    return s;
  }
  Stager() = default;
  Stager(Stager&&) = default;
  ~Stager() {
    pipeW_.reset();
    if (thread_.joinable()) thread_.join();
    // Not handed over (the archive broke off mid-entry): nothing else knows of the stage dir.
    if (impl_ && !handedOver_) (void)storage::removeTree(impl_->dir);
  }

  Status write(const void* p, size_t n) {
    std::string_view bytes(static_cast<const char*>(p), n);
    TRY(writeAll(pipeW_.get(), bytes, "pipe"));
    return writeAll(tmp_.get(), bytes, "temp file");
  }

  Result<std::pair<Digest, StagedLayer>> finish(image::ContentStore& cs) {
    pipeW_.reset();
    thread_.join();
    StagedLayer st;
    st.dir = impl_->dir;
    handedOver_ = true;
    if (!*impl_->result) {
      // Keyed by the bytes' digest all the same: the error surfaces if an image uses them.
      st.error = impl_->result->error();
      if (::lseek(tmp_.get(), 0, SEEK_SET) < 0) return Error::sys(errno, "lseek");
      Sha256 sha;
      std::vector<char> buf(1 << 20);
      for (ssize_t n; (n = ::read(tmp_.get(), buf.data(), buf.size())) > 0;)
        sha.update(buf.data(), n);
      return std::make_pair(sha.digest(), std::move(st));
    }
    auto& stats = **impl_->result;
    st.diffId = stats.diffId;
    st.size = stats.tarSize;
    if (impl_->split) {
      TRY(writeFileAtomic(st.dir + "/tar-split", *impl_->split, 0600, Durability::Volatile));
      st.hasSplit = true;
    } else {
      if (::lseek(tmp_.get(), 0, SEEK_SET) < 0) return Error::sys(errno, "lseek");
      auto w = TRY(cs.writer());
      TRY(w->writeFrom(tmp_.get()));
      TRY(w->commit(stats.diffId, stats.tarSize));
    }
    return std::make_pair(stats.diffId, std::move(st));
  }

 private:
  struct Impl {
    std::string dir;
    std::optional<Result<image::UnpackStats>> result;
    std::optional<std::string> split;
  };

  std::shared_ptr<Impl> impl_;
  bool handedOver_ = false;
  UniqueFd pipeW_, tmp_;
  std::thread thread_;
};

// Streams the archive into `files` (filled as it goes, so a failure still says what was stored).
Status readArchive(image::ContentStore& cs, const std::string& dataRoot, int fd,
                   ArchiveFiles& files) {
  auto reader = TRY(TarReader::open(fd));
  TRY(reader.forEach(
      [&](const std::string& name, archive_entry* e, const TarReader::DataFn& data) -> Status {
        auto type = archive_entry_filetype(e);
        if (type == AE_IFLNK) {
          auto slash = name.rfind('/');
          files.links[name] = lexicalJoin(slash == std::string::npos ? "" : name.substr(0, slash),
                                          archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
          return ok();
        }
        if (type != AE_IFREG) return ok();
        int64_t size = archive_entry_size(e);
        if (size <= kSmallFile) {
          std::string buf;
          buf.reserve(static_cast<size_t>(size));
          TRY(data([&](const void* p, size_t n) {
            buf.append(static_cast<const char*>(p), n);
            return ok();
          }));
          files.small[name] = std::move(buf);
          return ok();
        }
        Digest expected;
        if (startsWith(name, "blobs/sha256/"))
          expected = TRY_CTX(Digest::fromHex(name.substr(13)), "{}", name);
        // The first chunk says whether this is an uncompressed tar (a layer, in practice): those
        // are unpacked while they stream by, and only their framing is kept, not a second copy.
        std::optional<Stager> stager;
        std::unique_ptr<image::ContentStore::Writer> w;
        bool first = true;
        TRY(data([&](const void* p, size_t n) -> Status {
          if (first) {
            first = false;
            if (n >= 263 && std::memcmp(static_cast<const char*>(p) + 257, "ustar", 5) == 0)
              stager.emplace(TRY(Stager::start(dataRoot)));
            else
              w = TRY(cs.writer());
          }
          return stager ? stager->write(p, n) : w->write(p, n);
        }));
        if (stager) {
          auto [digest, st] = TRY_CTX(stager->finish(cs), "{}", name);
          if (!expected.empty() && digest != expected) {
            (void)storage::removeTree(st.dir);
            return Error::invalid("{}: digest mismatch: expected {}, got {}", name, expected.str(),
                                  digest.str());
          }
          if (!st.hasSplit && !st.error) files.written.insert(digest);
          files.blobs[name] = {digest, size};
          if (!files.staged.count(digest))
            files.staged[digest] = std::move(st);
          else
            (void)storage::removeTree(st.dir);
          return ok();
        }
        if (!w) w = TRY(cs.writer());
        auto d = TRY_CTX(w->commit(expected), "{}", name);
        files.written.insert(d);
        files.blobs[name] = {d, w->size()};
        return ok();
      }));
  return ok();
}

Result<std::vector<std::string>> loadArchive(ImageService& s, int fd, ArchiveFiles& files,
                                             const ProgressFn& progress);

}  // namespace detail

Result<std::vector<std::string>> ImageService::load(int fd, const ProgressFn& progress) {
  auto& p = parts();
  ArchiveFiles files;
  auto r = loadArchive(*this, fd, files, progress);
  p.staged = nullptr;
  for (auto& [d, st] : files.staged)
    if (auto rm = storage::removeTree(st.dir); !rm && rm.error().kind() != ErrorKind::NotFound)
      spdlog::warn("remove {}: {}", st.dir, rm.error().what());
  // Blobs of this archive that no image wants: an archive's own manifests, unused files, and
  // everything a failed load brought in.
  dropUnreferenced(p, std::vector<Digest>(files.written.begin(), files.written.end()));
  return r;
}

namespace detail {

Result<std::vector<std::string>> loadArchive(ImageService& s, int fd, ArchiveFiles& files,
                                             const ProgressFn& progress) {
  auto& p = s.parts();
  p.staged = &files.staged;
  TRY_CTX(readArchive(*p.content, p.dataRoot, fd, files), "load");
  std::vector<std::string> loaded;
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };

  if (auto* manifest = files.smallFile("manifest.json")) {
    auto j = TRY_CTX(parseJson(*manifest, "manifest.json"), "load");
    if (!j.is_array()) return Error::invalid("load: manifest.json: want an array");
    for (size_t i = 0; i < j.size(); ++i) {
      auto& m = j[i];
      auto where = fmt::format("load: manifest.json[{}]", i);
      if (!m.is_object() || !m.contains("Config") || !m["Config"].is_string() ||
          !m.contains("Layers") || !m["Layers"].is_array())
        return Error::invalid("{}: want Config and Layers", where);
      auto [cfgDigest, cfgSize] =
          TRY_CTX(files.blob(*p.content, m["Config"].get<std::string>()), "{}", where);
      auto cfg = TRY_CTX(s.config(cfgDigest), "{}", where);
      auto& paths = m["Layers"];
      if (paths.size() != cfg.diffIds.size())
        return Error::invalid("{}: {} layers but the config lists {} diff IDs", where, paths.size(),
                              cfg.diffIds.size());
      std::vector<LayerInput> inputs;
      for (size_t k = 0; k < paths.size(); ++k) {
        if (!paths[k].is_string()) return Error::invalid("{}: Layers[{}]: want a path", where, k);
        auto [d, size] = TRY_CTX(files.blob(*p.content, paths[k].get<std::string>()), "{}", where);
        inputs.push_back({d, size, "", cfg.diffIds[k]});
      }
      auto layers = TRY_CTX(ensureLayers(p, inputs), "{}", where);
      std::vector<std::string> refs;
      if (m.contains("RepoTags") && m["RepoTags"].is_array())
        for (auto& t : m["RepoTags"])
          if (t.is_string())
            refs.push_back(TRY_CTX(normaliseTagged(t.get<std::string>()), "{}", where));
      TRY(registerLoaded(p, cfgDigest, cfg, layers, refs, oci::Descriptor{}, say, loaded));
    }
  } else if (auto* index = files.smallFile("index.json")) {
    BlobFetcher fetch = [&](const Digest& d) -> Result<Digest> {
      auto [got, size] = TRY(files.blob(*p.content, "blobs/sha256/" + d.hex()));
      (void)size;
      return got;
    };
    loaded = TRY_CTX(loadFromIndex(s, *index, fetch, "", "", say), "load");
  } else {
    return Error::invalid(
        "load: not a docker-save archive: it has neither manifest.json nor index.json");
  }
  return loaded;
}

}  // namespace detail

Status ImageService::save(const std::vector<std::string>& namesOrIds, int fd) {
  auto& p = parts();
  auto images = TRY(selectForExport(*this, namesOrIds));
  auto w = TRY(TarWriter::open(fd));
  TRY(w.addDir("blobs/"));
  TRY(w.addDir("blobs/sha256/"));
  std::set<Digest> written;
  auto addBlob = [&](const Digest& d) -> Status {
    if (!written.insert(d).second) return ok();
    auto bfd = TRY(p.content->open(d));
    auto size = TRY(p.content->size(d));
    return w.addFileFromFd("blobs/sha256/" + d.hex(), bfd.get(), size);
  };
  Json manifestJson = Json::array();
  Json repositories = Json::object();
  std::vector<oci::Descriptor> indexEntries;
  for (auto& img : images) {
    auto layers = TRY(imageLayers(p, img.id));
    auto m = TRY(manifestFor(p, img.id, layers));
    auto rendered = oci::renderManifest(m);
    auto md = sha256Of(rendered);
    TRY(addBlob(img.id));
    for (auto& l : layers) {
      if (!written.insert(l.blobDigest).second) continue;
      TRY(w.addFileFromSource(
          "blobs/sha256/" + l.blobDigest.hex(), l.blobSize,
          [&](const TarWriter::Sink& sink) { return streamLayerBlob(p, l, sink); }));
    }
    if (written.insert(md).second) TRY(w.addFile("blobs/sha256/" + md.hex(), rendered));
    Json entry = {{"Config", "blobs/sha256/" + img.id.hex()},
                  {"RepoTags", nullptr},
                  {"Layers", Json::array()}};
    for (auto& l : m.layers) entry["Layers"].push_back("blobs/sha256/" + l.digest.hex());
    if (!img.refs.empty()) {
      entry["RepoTags"] = Json::array();
      for (auto& r : img.refs) {
        auto ref = TRY(image::parseReference(r));
        entry["RepoTags"].push_back(ref.familiarString());
        if (!m.layers.empty())
          repositories[ref.familiarName()][ref.tag] = m.layers.back().digest.hex();
      }
    }
    manifestJson.push_back(entry);
    for (auto& d : indexDescriptors(md, static_cast<int64_t>(rendered.size()), img.refs))
      indexEntries.push_back(d);
  }
  oci::Index idx;
  idx.mediaType = std::string(oci::kMediaTypeOciIndex);
  idx.manifests = indexEntries;
  TRY(w.addFile("index.json", oci::renderIndex(idx)));
  TRY(w.addFile("manifest.json", dumpJson(manifestJson)));
  TRY(w.addFile("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  if (!repositories.empty()) TRY(w.addFile("repositories", dumpJson(repositories)));
  return w.close();
}

}  // namespace berth::engine
