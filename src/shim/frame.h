#pragma once
// Docker's multiplexed stream framing as the shim writes it to attach and exec clients: an
// 8-byte header (stream byte, three zero bytes, big-endian uint32 payload length), then the
// payload. Stream bytes are in protocol.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shim/protocol.h"

namespace berth::shim {

struct FrameHeader {
  uint8_t stream = 0;
  uint32_t length = 0;
};

void encodeFrameHeader(uint8_t stream, uint32_t length, char out[kFrameHeaderSize]);
/// The header at the start of data; nullopt when data is shorter than a header or its three
/// padding bytes are not zero.
std::optional<FrameHeader> decodeFrameHeader(std::string_view data);
/// Appends a header and payload to out.
void appendFrame(std::string& out, uint8_t stream, std::string_view payload);

}  // namespace berth::shim
