// Signal names as docker, runc and kill(1) accept them.

#include "base/signal.h"

#include <cctype>
#include <csignal>
#include <cstdlib>

namespace berth {

Result<int> parseSignal(std::string_view sv) {
  std::string s(sv);
  if (s.empty()) return Error::invalid("empty signal");
  if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    int v = 0;
    for (char ch : s) {
      if (!std::isdigit(static_cast<unsigned char>(ch)))
        return Error::invalid("Invalid signal: {}", s);
      v = v * 10 + (ch - '0');
      if (v > 64) return Error::invalid("Invalid signal: {}", s);
    }
    if (v < 1) return Error::invalid("Invalid signal: {}", s);
    return v;
  }
  std::string name = s;
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  static const std::pair<const char*, int> kSignals[] = {
      {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
      {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
      {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
      {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
      {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
      {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
      {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
      {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
      {"SYS", SIGSYS}};
  for (const auto& [n, v] : kSignals) {
    if (name == n) return v;
  }
  if (name.rfind("RTMIN", 0) == 0 || name.rfind("RTMAX", 0) == 0) {
    int base = name[2] == 'M' && name[3] == 'I' ? SIGRTMIN : SIGRTMAX;
    if (name.size() == 5) return base;
    auto off = std::atoi(name.c_str() + 5);
    return base + off;
  }
  return Error::invalid("Invalid signal: {}", s);
}

}  // namespace berth
