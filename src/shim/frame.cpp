#include "shim/frame.h"

namespace berth::shim {

void encodeFrameHeader(uint8_t stream, uint32_t length, char out[kFrameHeaderSize]) {
  out[0] = static_cast<char>(stream);
  out[1] = out[2] = out[3] = 0;
  out[4] = static_cast<char>(length >> 24);
  out[5] = static_cast<char>(length >> 16);
  out[6] = static_cast<char>(length >> 8);
  out[7] = static_cast<char>(length);
}

std::optional<FrameHeader> decodeFrameHeader(std::string_view data) {
  if (data.size() < static_cast<size_t>(kFrameHeaderSize)) return std::nullopt;
  if (data[1] != 0 || data[2] != 0 || data[3] != 0) return std::nullopt;
  auto b = [&](int i) { return static_cast<uint32_t>(static_cast<uint8_t>(data[i])); };
  return FrameHeader{static_cast<uint8_t>(data[0]), b(4) << 24 | b(5) << 16 | b(6) << 8 | b(7)};
}

void appendFrame(std::string& out, uint8_t stream, std::string_view payload) {
  char header[kFrameHeaderSize];
  encodeFrameHeader(stream, static_cast<uint32_t>(payload.size()), header);
  out.append(header, sizeof header);
  out.append(payload);
}

}  // namespace berth::shim
