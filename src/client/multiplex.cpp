#include "client/multiplex.h"

namespace berth::client {

Status Demuxer::feed(std::string_view data) {
  while (!data.empty()) {
    if (remaining_ == 0) {
      size_t take = std::min(sizeof header_ - headerLen_, data.size());
      for (size_t i = 0; i < take; ++i)
        header_[headerLen_ + i] = static_cast<unsigned char>(data[i]);
      headerLen_ += take;
      data.remove_prefix(take);
      if (headerLen_ < sizeof header_) return {};
      headerLen_ = 0;
      if (header_[0] > 3) {
        return Error::invalid("Unrecognized input header: {}", static_cast<int>(header_[0]));
      }
      stream_ = header_[0];
      remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                   (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
      continue;
    }
    size_t take = std::min<size_t>(remaining_, data.size());
    remaining_ -= static_cast<uint32_t>(take);
    TRY(sink_(stream_, data.substr(0, take)));
    data.remove_prefix(take);
  }
  return {};
}

}  // namespace berth::client
