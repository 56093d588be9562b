#pragma once
// The local terminal for -t: raw mode (moby/term's MakeRaw) restored on scope exit, its size
// for resize requests, and docker's detach-key notation ("ctrl-p,ctrl-q").

#include <optional>
#include <string>
#include <string_view>

#include "apitypes/detach_keys.h"
#include "base/error.h"

namespace berth::cli {

class RawTerminal {
 public:
  RawTerminal() = default;
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal() { restore(); }

  /// Puts fd (a terminal) in raw mode until restore() or destruction.
  Status enable(int fd);
  void restore();

 private:
  int fd_ = -1;
  struct Saved;
  std::shared_ptr<Saved> saved_;
};

struct TermSize {
  int rows = 0;
  int cols = 0;
};
/// The size of the terminal on fd; nullopt when fd is not a terminal.
std::optional<TermSize> terminalSize(int fd);

using apitypes::parseDetachKeys;

}  // namespace berth::cli
