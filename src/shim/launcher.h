#pragma once
// berth-shim --launcher: one shim process that berthd starts once and that forks the
// per-container shims on request (see "Launcher" in protocol.h). A shim started so skips the
// exec and the C library's start-up, which on this machine kind costs a millisecond of CPU per
// process: glibc probes the caches with ~90 cpuid instructions, and each traps to the
// hypervisor (10 us).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace berth::shim {

inline constexpr std::string_view kLauncherFlag = "--launcher";

/// The launcher's loop on sock (its fd 3). argArea is the memory of the launcher's own argv
/// strings, from argv[0] to the end of the last one (berthd pads it): every shim writes its
/// own command line there, so that /proc/PID/cmdline names its container. In the launcher
/// this returns nullopt once berthd has closed the socket (exit 0 then) or when it cannot
/// serve (exit 1, the message on stderr). In each forked shim it returns that shim's argv,
/// argv[0] first, its process set up as berthd's posix_spawn would have made it: a session
/// of its own, /dev/null on 0-2, the ready fd on 3, nothing else open, no signal blocked.
std::optional<std::vector<std::string>> runLauncher(int sock, std::span<char> argArea);

/// Writes title over argArea as /proc/PID/cmdline then reads it: the kernel shows an argv area
/// whose last byte is not NUL up to the first NUL (the setproctitle convention), so the title
/// ends in a NUL and the rest of the area is filled with spaces. False when it does not fit.
bool setProcessTitle(std::span<char> argArea, std::string_view title);

}  // namespace berth::shim
