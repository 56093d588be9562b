// docker load and docker save: docker-save archives in both flavours (the legacy one of
// <layer>/layer.tar + <id>.json + manifest.json, and Docker 25's OCI layout + manifest.json).

#include <set>

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

// Streams the archive into `files` (filled as it goes, so a failure still says what was stored).
Status readArchive(image::ContentStore& cs, int fd, ArchiveFiles& files) {
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
        auto w = TRY(cs.writer());
        TRY(data([&](const void* p, size_t n) { return w->write(p, n); }));
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
  // Blobs of this archive that no image wants: an archive's own manifests, unused files, and
  // everything a failed load brought in.
  dropUnreferenced(p, std::vector<Digest>(files.written.begin(), files.written.end()));
  return r;
}

namespace detail {

Result<std::vector<std::string>> loadArchive(ImageService& s, int fd, ArchiveFiles& files,
                                             const ProgressFn& progress) {
  auto& p = s.parts();
  TRY_CTX(readArchive(*p.content, fd, files), "load");
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
    auto m = TRY(manifestFor(p, img.id));
    auto rendered = oci::renderManifest(m);
    auto md = sha256Of(rendered);
    TRY(addBlob(img.id));
    for (auto& l : m.layers) TRY(addBlob(l.digest));
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
