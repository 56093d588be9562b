#include "image/diff_id.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace berth::image {

Result<Digest> computeDiffId(int fd) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_fd(a.get(), fd, 1 << 20) != ARCHIVE_OK)
    return Error::invalid("read layer: {}", archive_error_string(a.get()));
  archive_entry* e = nullptr;
  Sha256 h;
  int r = archive_read_next_header(a.get(), &e);
  if (r == ARCHIVE_EOF) return h.digest();  // an empty blob
  if (r != ARCHIVE_OK) return Error::invalid("read layer: {}", archive_error_string(a.get()));
  const void* buf;
  size_t len;
  la_int64_t off;
  while ((r = archive_read_data_block(a.get(), &buf, &len, &off)) == ARCHIVE_OK) h.update(buf, len);
  if (r != ARCHIVE_EOF)
    return Error::invalid("decompress layer: {}", archive_error_string(a.get()));
  return h.digest();
}

}  // namespace berth::image
