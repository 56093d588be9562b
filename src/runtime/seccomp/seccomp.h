#pragma once
// Seccomp: an OCI seccomp section compiled in the runtime's own process (libseccomp, all
// actions and argument filters) into a plain BPF program, and installed in the container
// process between clone and execve without allocating.

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace berth::runtime::seccomp {

struct Program {
  std::vector<sock_filter> filter;
  unsigned int flags = 0;  // SECCOMP_FILTER_FLAG_* for seccomp(2)
  bool notify = false;     // a rule uses SCMP_ACT_NOTIFY: install with NEW_LISTENER
};

/// Compiles the section for the native architecture and the listed ones. InvalidArgument for
/// unknown syscall names only when none of a rule's names is known to libseccomp (unknown names
/// are skipped, as runc does), unknown architectures, actions or flags. The program is
/// libseccomp's with its syscall dispatch compressed (compressSyscallDispatch in bpf.h, which
/// answers the same for every input), or libseccomp's own without compress.
Result<Program> compile(const oci::Seccomp& s, bool compress = true);

/// compile(), through a cache of compiled programs in the directory setCacheDir() names (none
/// by default: then it is compile()). berth-runtime keeps it in <root>/.seccomp-cache.
Result<Program> compileCached(const oci::Seccomp& s);
/// compileCached() for a section given as its JSON text (config.json's linux.seccomp as it is
/// written there), keyed by that text: the section is parsed and checked only when its program
/// is not in the cache. Docker's default profile is 8 KB of a 12 KB config.json.
Result<Program> compileCachedText(std::string_view section);
void setCacheDir(std::string dir);

/// Installs the program in the calling process. Async-signal-safe, no allocation: call it
/// right before execve. Returns the listener fd (>= 0) when p.notify, 0 on success otherwise,
/// -errno on failure.
int install(const Program& p);

}  // namespace berth::runtime::seccomp
