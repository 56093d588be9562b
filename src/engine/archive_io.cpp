#include "engine/archive_io.h"

#include <unistd.h>

#include <vector>

#include "base/strings.h"

namespace berth::engine::detail {

Result<TarReader> TarReader::open(int fd) {
  TarReader r;
  r.a_.reset(archive_read_new());
  archive_read_support_filter_all(r.a_.get());
  archive_read_support_format_tar(r.a_.get());
  archive_read_support_format_gnutar(r.a_.get());
  if (archive_read_open_fd(r.a_.get(), fd, 1 << 20) != ARCHIVE_OK)
    return Error::invalid("read archive: {}", archive_error_string(r.a_.get()));
  return r;
}

Status TarReader::forEach(const std::function<Status(const std::string& name, archive_entry* e,
                                                     const DataFn& data)>& fn) {
  archive* a = a_.get();
  for (;;) {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) return ok();
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return Error::invalid("read archive: {}",
                            archive_error_string(a) ? archive_error_string(a) : "not a tar");
    std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    while (startsWith(name, "./")) name.erase(0, 2);
    DataFn data = [a, &name](const std::function<Status(const void*, size_t)>& sink) -> Status {
      const void* buf;
      size_t len;
      la_int64_t off;
      int rr;
      while ((rr = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) TRY(sink(buf, len));
      if (rr != ARCHIVE_EOF)
        return Error::invalid("read archive entry {}: {}", name, archive_error_string(a));
      return ok();
    };
    TRY(fn(name, e, data));
  }
}

Result<TarWriter> TarWriter::open(int fd) {
  TarWriter w;
  w.a_.reset(archive_write_new());
  archive_write_set_format_pax_restricted(w.a_.get());
  archive_write_set_bytes_per_block(w.a_.get(), 1 << 16);
  archive_write_set_bytes_in_last_block(w.a_.get(), 1);
  if (archive_write_open_fd(w.a_.get(), fd) != ARCHIVE_OK)
    return Error::invalid("write archive: {}", archive_error_string(w.a_.get()));
  return w;
}

Status TarWriter::header(const std::string& name, mode_t type, int64_t size) {
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(),
                                                                  archive_entry_free);
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : 0644);
  archive_entry_set_size(e.get(), size);
  archive_entry_set_mtime(e.get(), 0, 0);
  if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK)
    return Error::internal("write archive header {}: {}", name, archive_error_string(a_.get()));
  return ok();
}

Status TarWriter::addDir(const std::string& name) {
  return header(name, AE_IFDIR, 0);
}

Status TarWriter::addFile(const std::string& name, std::string_view data) {
  TRY(header(name, AE_IFREG, static_cast<int64_t>(data.size())));
  if (!data.empty() && archive_write_data(a_.get(), data.data(), data.size()) < 0)
    return Error::internal("write archive {}: {}", name, archive_error_string(a_.get()));
  return ok();
}

Status TarWriter::addFileFromFd(const std::string& name, int fd, int64_t size) {
  TRY(header(name, AE_IFREG, size));
  std::vector<char> buf(1 << 20);
  int64_t off = 0;
  while (off < size) {
    ssize_t n = ::pread(fd, buf.data(), std::min<int64_t>(buf.size(), size - off), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::sys(errno, "read {}", name);
    if (n == 0) return Error::internal("{} is shorter than its recorded size {}", name, size);
    if (archive_write_data(a_.get(), buf.data(), static_cast<size_t>(n)) < 0)
      return Error::internal("write archive {}: {}", name, archive_error_string(a_.get()));
    off += n;
  }
  return ok();
}

Status TarWriter::addFileFromSource(const std::string& name, int64_t size,
                                    const std::function<Status(const Sink&)>& produce) {
  TRY(header(name, AE_IFREG, size));
  int64_t written = 0;
  TRY(produce([&](const void* p, size_t n) -> Status {
    if (written + static_cast<int64_t>(n) > size)
      return Error::internal("{} is longer than {} bytes", name, size);
    if (archive_write_data(a_.get(), p, n) < 0)
      return Error::internal("write archive {}: {}", name, archive_error_string(a_.get()));
    written += static_cast<int64_t>(n);
    return ok();
  }));
  if (written != size)
    return Error::internal("{} is {} bytes, not the {} recorded", name, written, size);
  return ok();
}

Status TarWriter::close() {
  if (archive_write_close(a_.get()) != ARCHIVE_OK)
    return Error::sys(errno, "write archive: {}", archive_error_string(a_.get()));
  return ok();
}

}  // namespace berth::engine::detail
