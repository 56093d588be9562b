// install(): runs between clone and execve, so it only reads the compiled program and makes one
// syscall — no allocation, no locks, nothing that is not async-signal-safe, errno untouched.

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/seccomp/seccomp.h"
#include "sys/raw.h"

namespace berth::runtime::seccomp {

int install(const Program& p) {
  unsigned int flags = p.flags;
  if (p.notify) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  struct sock_fprog prog {};
  prog.len = static_cast<unsigned short>(p.filter.size());
  prog.filter = const_cast<sock_filter*>(p.filter.data());
  long rc = sys::raw::seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) return static_cast<int>(rc);
  return p.notify ? static_cast<int>(rc) : 0;
}

}  // namespace berth::runtime::seccomp
