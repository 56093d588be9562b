#include "client/conn.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/unique_fd.h"

namespace berth::client {

namespace {

class SocketConn final : public Conn {
 public:
  explicit SocketConn(UniqueFd fd) : fd_(std::move(fd)) {}

  Result<size_t> readSome(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::recv(fd_.get(), buf, n, 0);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return size_t{0};
      return Error::sys(errno, "read from daemon");
    }
  }

  Status writeAll(std::string_view data) override {
    while (!data.empty()) {
      ssize_t w = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        return Error::sys(errno, "write to daemon");
      }
      data.remove_prefix(static_cast<size_t>(w));
    }
    return {};
  }

  Status closeWrite() override {
    if (::shutdown(fd_.get(), SHUT_WR) != 0 && errno != ENOTCONN) {
      return Error::sys(errno, "shutdown");
    }
    return {};
  }

  int fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
};

std::string sslError(std::string_view what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::string(what) + ": " + buf;
}

class TlsConn final : public Conn {
 public:
  TlsConn(UniqueFd fd, SSL_CTX* ctx, SSL* ssl) : fd_(std::move(fd)), ctx_(ctx), ssl_(ssl) {}
  ~TlsConn() override {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }

  Result<size_t> readSome(char* buf, size_t n) override {
    size_t got = 0;
    for (;;) {
      if (SSL_read_ex(ssl_, buf, n, &got) == 1) return got;
      int err = SSL_get_error(ssl_, 0);
      if (err == SSL_ERROR_ZERO_RETURN) return size_t{0};
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
      if (err == SSL_ERROR_SYSCALL && errno == EINTR) continue;
      // A peer that closes the TCP connection without close_notify: the end of the stream.
      if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return size_t{0};
      // An alert (a refused client certificate arrives here with TLS 1.3).
      return Error(ErrorKind::PermissionDenied, sslError("tls"));
    }
  }

  Status writeAll(std::string_view data) override {
    while (!data.empty()) {
      size_t w = 0;
      if (SSL_write_ex(ssl_, data.data(), data.size(), &w) != 1) {
        int err = SSL_get_error(ssl_, 0);
        if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) continue;
        return Error(ErrorKind::Unavailable, sslError("tls write"));
      }
      data.remove_prefix(w);
    }
    return {};
  }

  // Go's tls.Conn.CloseWrite sends close_notify; the daemon reads that as end of input.
  Status closeWrite() override {
    SSL_shutdown(ssl_);
    ERR_clear_error();
    return {};
  }

  int fd() const override { return fd_.get(); }
  bool buffered() const override { return SSL_pending(ssl_) > 0; }

 private:
  UniqueFd fd_;
  SSL_CTX* ctx_;
  SSL* ssl_;
};

class PrefixConn final : public Conn {
 public:
  PrefixConn(std::unique_ptr<Conn> inner, std::string prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  Result<size_t> readSome(char* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      std::memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return inner_->readSome(buf, n);
  }
  Status writeAll(std::string_view data) override { return inner_->writeAll(data); }
  Status closeWrite() override { return inner_->closeWrite(); }
  int fd() const override { return inner_->fd(); }
  bool buffered() const override { return pos_ < prefix_.size() || inner_->buffered(); }

 private:
  std::unique_ptr<Conn> inner_;
  std::string prefix_;
  size_t pos_ = 0;
};

Result<UniqueFd> dialUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return Error::invalid("socket path too long: {}", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::sys(errno, "socket");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Error::sys(errno, "dial unix {}", path);
  }
  return fd;
}

Result<UniqueFd> dialTcp(const Host& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(host.port);
  int rc = ::getaddrinfo(host.hostName.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    return Error(ErrorKind::Unavailable,
                 fmt::format("dial tcp: lookup {}: {}", host.hostName, ::gai_strerror(rc)));
  }
  int lastErr = ECONNREFUSED;
  UniqueFd fd;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    UniqueFd s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!s) {
      lastErr = errno;
      continue;
    }
    if (::connect(s.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
      fd = std::move(s);
      break;
    }
    lastErr = errno;
  }
  ::freeaddrinfo(res);
  if (!fd) return Error::sys(lastErr, "dial tcp {}:{}", host.hostName, host.port);
  int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

Result<std::unique_ptr<Conn>> startTls(UniqueFd fd, const Host& host, const TlsConfig& tls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return Error(ErrorKind::Internal, sslError("tls"));
  auto fail = [&](std::string what) -> Error {
    Error e(ErrorKind::InvalidArgument, sslError(what));
    SSL_CTX_free(ctx);
    return e;
  };
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (tls.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = tls.ca.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                            : SSL_CTX_load_verify_locations(ctx, tls.ca.c_str(), nullptr);
    if (ok != 1) return fail("could not read CA certificate \"" + tls.ca + "\"");
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  if (!tls.cert.empty() || !tls.key.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert.c_str()) != 1) {
      return fail("could not load X509 key pair: cert " + tls.cert);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1) {
      return fail("could not load X509 key pair: key " + tls.key);
    }
  }
  SSL* ssl = SSL_new(ctx);
  if (!ssl) return fail("tls");
  SSL_set_fd(ssl, fd.get());
  bool isIp = host.hostName.find_first_not_of("0123456789.") == std::string::npos ||
              host.hostName.find(':') != std::string::npos;
  if (!isIp) SSL_set_tlsext_host_name(ssl, host.hostName.c_str());
  if (tls.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (isIp) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.hostName.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, host.hostName.c_str(), 0);
    }
  }
  if (SSL_connect(ssl) != 1) {
    long vr = SSL_get_verify_result(ssl);
    std::string msg = vr != X509_V_OK ? std::string("tls: failed to verify certificate: ") +
                                            X509_verify_cert_error_string(vr)
                                      : sslError("tls handshake");
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return Error(ErrorKind::PermissionDenied, msg);
  }
  return std::unique_ptr<Conn>(std::make_unique<TlsConn>(std::move(fd), ctx, ssl));
}

}  // namespace

Result<std::unique_ptr<Conn>> dial(const Host& host, const TlsConfig& tls) {
  if (host.proto == Host::Proto::Unix) {
    UniqueFd fd = TRY(dialUnix(host.path));
    return std::unique_ptr<Conn>(std::make_unique<SocketConn>(std::move(fd)));
  }
  UniqueFd fd = TRY(dialTcp(host));
  if (tls.enabled) return startTls(std::move(fd), host, tls);
  return std::unique_ptr<Conn>(std::make_unique<SocketConn>(std::move(fd)));
}

std::unique_ptr<Conn> withPrefix(std::unique_ptr<Conn> inner, std::string prefix) {
  if (prefix.empty()) return inner;
  return std::make_unique<PrefixConn>(std::move(inner), std::move(prefix));
}

}  // namespace berth::client
