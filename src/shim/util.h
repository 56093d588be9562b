#pragma once
// The few file, string and fd helpers the shim needs, without fmt. base/file, base/strings and
// sys/syscalls format their errors with fmt, and in a static binary fmt's code alone (with the
// std::locale machinery it pulls in) doubled the shim's resident memory: every page of a
// static binary's text sits in the page cache, and fault-around maps what is near anything
// touched. So the shim uses only the fmt-free parts of base (Error, Result, UniqueFd).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::shim {

/// A failed syscall: what names the call and its argument ("open /run/x").
Error sysError(int err, std::string what);
Error invalidArgument(std::string message);

/// write(2) until data is written; EINTR retried.
Status writeAllTo(int fd, std::string_view data, std::string_view what);
/// The whole of a small file.
Result<std::string> readSmallFile(const std::string& path);
/// The pid in a runtime's --pid-file.
Result<pid_t> readPidFile(const std::string& path);
/// The N of an "oom_kill N" line (memory.oom_control on cgroup v1, memory.events on v2); 0
/// when the file or the line is not there.
long long oomKillCount(const std::string& path);
/// Writes path atomically (temp file in its dir + rename), fsynced first when durable.
Status writeFileReplacing(const std::string& path, std::string_view data, bool durable);

/// A whole decimal integer (an optional '-' and digits), nullopt otherwise.
std::optional<long long> parseDecimal(std::string_view s);
std::string_view trimSpace(std::string_view s);
/// s cut at every sep; "" gives one empty part.
std::vector<std::string_view> splitOn(std::string_view s, char sep);

/// Receives one message of at most size bytes on a unix socket, the fds sent with it
/// (SCM_RIGHTS, close-on-exec) appended to fds. Its length; 0 at the socket's end.
/// InvalidArgument for a message or fds cut short (what came is closed).
Result<size_t> receiveWithFds(int sock, char* buf, size_t size, std::vector<UniqueFd>& fds);
/// Receives one fd sent with SCM_RIGHTS on a unix socket.
Result<UniqueFd> receiveFd(int sock);
/// Sends data as one message on a unix socket, with fd (SCM_RIGHTS) unless it is -1.
Status sendWithFd(int sock, std::string_view data, int fd);
/// pidfd_open(2); -1 with errno on failure.
int openPidfd(pid_t pid);
/// Drops this process's mappings of its own program text, the pages staying in the page cache.
/// The startup runs code that the monitor never runs again (the C library's init, ifunc
/// resolvers, the linked runtime's static constructors), and each page it touched mapped the
/// 64 KiB around it (fault-around), twice the resident memory of what the monitor runs from
/// then on, which faults back in as it runs.
void dropStartupText();
/// Marks every fd from first up close-on-exec (close_range(2) with CLOSE_RANGE_CLOEXEC).
int cloexecFrom(unsigned first);

}  // namespace berth::shim
