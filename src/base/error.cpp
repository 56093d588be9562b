#include "base/error.h"

#include <cstring>

namespace berth {

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::NotFound:
      return "NotFound";
    case ErrorKind::AlreadyExists:
      return "AlreadyExists";
    case ErrorKind::Conflict:
      return "Conflict";
    case ErrorKind::InvalidArgument:
      return "InvalidArgument";
    case ErrorKind::PermissionDenied:
      return "PermissionDenied";
    case ErrorKind::FailedPrecondition:
      return "FailedPrecondition";
    case ErrorKind::NotModified:
      return "NotModified";
    case ErrorKind::Unavailable:
      return "Unavailable";
    case ErrorKind::NotImplemented:
      return "NotImplemented";
    case ErrorKind::Cancelled:
      return "Cancelled";
    case ErrorKind::Internal:
      return "Internal";
  }
  return "Internal";
}

ErrorKind errorKindFromErrno(int err) {
  switch (err) {
    case ENOENT:
    case ESRCH:
      return ErrorKind::NotFound;
    case EEXIST:
      return ErrorKind::AlreadyExists;
    case EBUSY:
      return ErrorKind::Conflict;
    case EINVAL:
    case ENAMETOOLONG:
    case ENOTDIR:
    case EISDIR:
    case ELOOP:
    case EXDEV:
      return ErrorKind::InvalidArgument;
    case EPERM:
    case EACCES:
    case EROFS:
      return ErrorKind::PermissionDenied;
    case ENOSYS:
    case EOPNOTSUPP:
      return ErrorKind::NotImplemented;
    case EAGAIN:
    case ENOSPC:
    case ENOMEM:
      return ErrorKind::Unavailable;
    case EINTR:
    case ECANCELED:
      return ErrorKind::Cancelled;
    default:
      return ErrorKind::Internal;
  }
}

std::string Error::what() const {
  std::string out;
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  out += message_;
  if (errno_ != 0) {
    out += ": ";
    out += std::strerror(errno_);
  }
  for (const auto& c : cleanup_) {
    out += " (cleanup: " + c + ")";
  }
  return out;
}

}  // namespace berth
