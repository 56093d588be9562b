#pragma once
// Error: what failed (kind + errno + message) and the chain of context frames added on the way
// out. Result<T>: a value or an Error, with std::expected's shape. Printing happens once, at the
// edge (a CLI main, an API handler); everything below only adds context.

#include <fmt/format.h>

#include <cerrno>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace berth {

enum class ErrorKind {
  NotFound,
  AlreadyExists,
  Conflict,
  InvalidArgument,
  PermissionDenied,
  FailedPrecondition,
  NotModified,
  Unavailable,
  NotImplemented,
  Cancelled,
  Internal,
};

const char* errorKindName(ErrorKind kind);
// The kind that best describes an errno value (ENOENT -> NotFound, EEXIST -> AlreadyExists...).
ErrorKind errorKindFromErrno(int err);

class Error {
 public:
  Error(ErrorKind kind, std::string message, int err = 0)
      : kind_(kind), errno_(err), message_(std::move(message)) {}

  template <typename... Args>
  static Error make(ErrorKind kind, fmt::format_string<Args...> f, Args&&... args) {
    return Error(kind, fmt::format(f, std::forward<Args>(args)...));
  }
  // A failed syscall: the message names the syscall and its key argument ("mount /proc").
  template <typename... Args>
  static Error sys(int err, fmt::format_string<Args...> f, Args&&... args) {
    return Error(errorKindFromErrno(err), fmt::format(f, std::forward<Args>(args)...), err);
  }
  template <typename... Args>
  static Error invalid(fmt::format_string<Args...> f, Args&&... args) {
    return Error(ErrorKind::InvalidArgument, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Error notFound(fmt::format_string<Args...> f, Args&&... args) {
    return Error(ErrorKind::NotFound, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  static Error internal(fmt::format_string<Args...> f, Args&&... args) {
    return Error(ErrorKind::Internal, fmt::format(f, std::forward<Args>(args)...));
  }

  // Adds an outer frame: "create container x" around "mount /proc: EPERM".
  Error& context(std::string frame) & {
    frames_.push_back(std::move(frame));
    return *this;
  }
  Error&& context(std::string frame) && {
    frames_.push_back(std::move(frame));
    return std::move(*this);
  }
  // Keeps a cleanup failure beside this (primary) error.
  void addCleanupError(const Error& e) { cleanup_.push_back(e.what()); }

  ErrorKind kind() const { return kind_; }
  int sysErrno() const { return errno_; }
  const std::string& message() const { return message_; }
  // "outer: inner: message: strerror" plus cleanup failures in parentheses.
  std::string what() const;

 private:
  ErrorKind kind_;
  int errno_;
  std::string message_;
  std::vector<std::string> frames_;
  std::vector<std::string> cleanup_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : v_(std::in_place_index<0>, v) {}
  Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Error> &&
           !std::is_same_v<std::decay_t<U>, T> && !std::is_same_v<std::decay_t<U>, Result>)
      Result(U&& v)
      : v_(std::in_place_index<0>, T(std::forward<U>(v))) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Error& error() & { return std::get<1>(v_); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }
  T value_or(T other) const& { return has_value() ? value() : other; }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)), ok_(false) {}
  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}
  Error& error() & { return e_; }
  const Error& error() const& { return e_; }
  Error&& error() && { return std::move(e_); }

 private:
  Error e_{ErrorKind::Internal, ""};
  bool ok_ = true;
};

using Status = Result<void>;
inline Status ok() {
  return {};
}

}  // namespace berth

// Evaluates a Result; on error returns it from the enclosing function, otherwise yields the value.
#define TRY(expr)                                              \
  ({                                                           \
    auto&& berth_try_r_ = (expr);                              \
    if (!berth_try_r_) return std::move(berth_try_r_).error(); \
    std::move(berth_try_r_).value();                           \
  })

// As TRY, adding a context frame (a fmt format string and arguments) to the error.
#define TRY_CTX(expr, ...)                                                                       \
  ({                                                                                             \
    auto&& berth_try_r_ = (expr);                                                                \
    if (!berth_try_r_) return std::move(berth_try_r_).error().context(fmt::format(__VA_ARGS__)); \
    std::move(berth_try_r_).value();                                                             \
  })
