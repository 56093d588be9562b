// The HTTP server: Beast parses requests, responses are formatted here by hand (they are small,
// and streamed and hijacked answers need byte-level control). One thread per connection: the
// daemon serves a handful of clients, and a blocking handler (wait, logs -f, attach) then
// needs no continuation machinery.

#include "api/server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"

namespace berth::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;
using tcp = asio::ip::tcp;

Result<HostSpec> parseHost(std::string_view host) {
  if (startsWith(host, "unix://")) return HostSpec{"unix", std::string(host.substr(7))};
  if (startsWith(host, "tcp://")) {
    std::string addr(host.substr(6));
    if (addr.find(':') == std::string::npos) addr += ":2375";
    if (addr[0] == ':') addr = "0.0.0.0" + addr;
    return HostSpec{"tcp", addr};
  }
  if (startsWith(host, "/")) return HostSpec{"unix", std::string(host)};
  return Error::invalid("invalid host {:?}: use unix:///path or tcp://host:port",
                        std::string(host));
}

namespace {

// The gid of a group of /etc/group, by name or number. Read directly rather than through NSS:
// berthd is linked statically, and glibc's NSS modules cannot be loaded into a static binary.
std::optional<gid_t> localGroupId(const std::string& name) {
  auto text = readFile("/etc/group");
  if (!text) return std::nullopt;
  for (const std::string& line : split(*text, '\n', true)) {
    auto f = split(line, ':');
    if (f.size() < 3 || (f[0] != name && f[2] != name)) continue;
    if (auto gid = parseUint(f[2], "gid")) return static_cast<gid_t>(*gid);
  }
  return std::nullopt;
}

const char* reasonPhrase(int status) {
  if (status == 101) return "UPGRADED";
  auto r = http::obsolete_reason(static_cast<http::status>(status));
  return r.empty() ? "Unknown" : r.data();
}

template <typename T>
struct IsTls : std::false_type {};
template <typename T>
struct IsTls<asio::ssl::stream<T>> : std::true_type {};

// Socket I/O shared by the plain and TLS flavours.
template <typename Stream>
struct StreamIo {
  static int fd(Stream& s) { return s.lowest_layer().native_handle(); }
};

template <typename Stream>
class ExchangeImpl;

// The connection after a hijack, or a request body as a stream.
template <typename Stream>
class BodyConn final : public Conn {
 public:
  explicit BodyConn(ExchangeImpl<Stream>& ex) : ex_(ex) {}
  Result<size_t> readSome(char* buf, size_t n) override { return ex_.readBodySome(buf, n); }
  Status writeAll(std::string_view data) override { return ex_.writeRaw(data); }
  void shutdownWrite() override {}
  int pollFd() const override { return StreamIo<Stream>::fd(ex_.stream()); }

 private:
  ExchangeImpl<Stream>& ex_;
};

template <typename Stream>
class RawConn final : public Conn {
 public:
  explicit RawConn(ExchangeImpl<Stream>& ex) : ex_(ex) {}
  Result<size_t> readSome(char* buf, size_t n) override { return ex_.readRawSome(buf, n); }
  Status writeAll(std::string_view data) override { return ex_.writeRaw(data); }
  void shutdownWrite() override { ex_.shutdownSend(); }
  int pollFd() const override { return StreamIo<Stream>::fd(ex_.stream()); }
  bool hasBuffered() const override { return ex_.fillBuffered(); }

 private:
  ExchangeImpl<Stream>& ex_;
};

template <typename Stream>
class ExchangeImpl final : public Exchange {
 public:
  ExchangeImpl(Stream& s, beast::flat_buffer& buf, http::request_parser<http::buffer_body>& parser,
               Request& req, const ServerOptions& opts)
      : s_(s), buf_(buf), parser_(parser), req_(req), opts_(opts), body_(*this), raw_(*this) {}

  const Request& request() const override { return req_; }
  Stream& stream() const { return s_; }
  bool hijacked() const { return hijacked_; }
  bool keepOpen() const { return !closeAfter_ && !hijacked_; }

  Result<std::string> body(size_t limit) override {
    std::string out;
    char tmp[16384];
    for (;;) {
      size_t n = TRY(readBodySome(tmp, sizeof tmp));
      if (n == 0) break;
      if (out.size() + n > limit) {
        closeAfter_ = true;
        return Error::invalid("request body larger than {} bytes", limit);
      }
      out.append(tmp, n);
    }
    return out;
  }
  Conn& bodyStream() override { return body_; }

  Result<size_t> readBodySome(char* out, size_t n) {
    while (!parser_.is_done()) {
      parser_.get().body().data = out;
      parser_.get().body().size = n;
      beast::error_code ec;
      http::read_some(s_, buf_, parser_, ec);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        closeAfter_ = true;
        return Error(ErrorKind::Unavailable, "read request body: " + ec.message());
      }
      size_t got = n - parser_.get().body().size;
      if (got > 0) return got;
    }
    return size_t{0};
  }

  // Drains what the handler did not read, so the next request on the connection parses.
  bool skipBody() {
    char tmp[16384];
    size_t total = 0;
    while (!parser_.is_done()) {
      auto n = readBodySome(tmp, sizeof tmp);
      if (!n || *n == 0) return parser_.is_done();
      total += *n;
      if (total > (64u << 20)) return false;
    }
    return true;
  }

  // Whether a raw read would return without waiting for the socket: bytes are buffered, or the
  // input has ended. Over TLS the layer may hold what poll(2) on the socket cannot see: the rest
  // of a record, or the close_notify that is all a TLS client's CloseWrite sends (the docker
  // CLI's end of stdin); a read that does not block brings it out.
  bool fillBuffered() {
    if (buf_.size() > 0 || rawEnded_) return true;
    if constexpr (IsTls<Stream>::value) {
      auto& sock = s_.next_layer();
      beast::error_code ec, ignored;
      sock.non_blocking(true, ec);
      if (ec) return false;
      size_t got = s_.read_some(buf_.prepare(16384), ec);
      sock.non_blocking(false, ignored);
      if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
      if (ec) {
        rawEnded_ = true;  // EOF, close_notify or a broken connection: the input is over
        return true;
      }
      buf_.commit(got);
      return got > 0;
    }
    return false;
  }

  Result<size_t> readRawSome(char* out, size_t n) {
    if (buf_.size() == 0 && rawEnded_) return size_t{0};
    if (buf_.size() > 0) {
      size_t k = std::min(n, buf_.size());
      asio::buffer_copy(asio::buffer(out, k), buf_.data());
      buf_.consume(k);
      return k;
    }
    beast::error_code ec;
    size_t got = s_.read_some(asio::buffer(out, n), ec);
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return size_t{0};
    if (ec) return Error(ErrorKind::Unavailable, "read: " + ec.message());
    return got;
  }

  Status writeRaw(std::string_view data) {
    beast::error_code ec;
    asio::write(s_, asio::buffer(data.data(), data.size()), ec);
    if (ec) {
      closeAfter_ = true;
      return Error(ErrorKind::Unavailable, "write: " + ec.message());
    }
    return {};
  }

  void shutdownSend() {
    beast::error_code ec;
    s_.lowest_layer().shutdown(asio::socket_base::shutdown_send, ec);
  }

  std::string head(int status, std::string_view contentType, size_t length, bool chunked,
                   const std::map<std::string, std::string>& extra = {}) {
    answered_ = true;
    std::string h = fmt::format("HTTP/1.1 {} {}\r\n", status, reasonPhrase(status));
    h += fmt::format("Api-Version: {}\r\nDocker-Experimental: false\r\nOstype: linux\r\n",
                     opts_.apiVersion);
    h += "Server: berth/" BERTH_VERSION " (linux)\r\n";
    if (!contentType.empty()) h += fmt::format("Content-Type: {}\r\n", contentType);
    for (const auto& [k, v] : extra) h += fmt::format("{}: {}\r\n", k, v);
    if (chunked) {
      h += "Transfer-Encoding: chunked\r\n";
    } else if (status != 204 && status != 304 && status != 101) {
      h += fmt::format("Content-Length: {}\r\n", length);
    }
    if (closeAfter_) h += "Connection: close\r\n";
    h += "\r\n";
    return h;
  }

  Status reply(int status, const Json& doc) override {
    std::string body = dumpJson(doc) + "\n";
    return replyBytes(status, "application/json", body);
  }
  Status replyEmpty(int status) override { return writeRaw(head(status, "", 0, false)); }
  Status replyBytes(int status, std::string_view contentType, std::string_view data) override {
    std::string h = head(status, contentType, data.size(), false);
    if (req_.method == "HEAD") return writeRaw(h);
    h.append(data);
    return writeRaw(h);
  }
  Status beginStream(int status, std::string_view contentType,
                     const std::map<std::string, std::string>& extra) override {
    streaming_ = true;
    return writeRaw(head(status, contentType, 0, true, extra));
  }
  static std::string chunk(std::string_view data) {
    std::string c = fmt::format("{:x}\r\n", data.size());
    c.append(data);
    c += "\r\n";
    return c;
  }
  Status writeChunk(std::string_view data) override {
    if (data.empty() || req_.method == "HEAD") return {};
    return writeRaw(chunk(data));
  }
  Status endStream() override { return endStreamWith({}); }
  Status endStreamWith(std::string_view lastChunk) override {
    streaming_ = false;
    if (req_.method == "HEAD") return {};
    return writeRaw((lastChunk.empty() ? std::string() : chunk(lastChunk)) + "0\r\n\r\n");
  }
  Result<Conn*> hijack(std::string_view contentType) override {
    bool upgrade = toLower(req_.header("connection")).find("upgrade") != std::string::npos;
    std::map<std::string, std::string> extra;
    if (upgrade) extra = {{"Connection", "Upgrade"}, {"Upgrade", "tcp"}};
    hijacked_ = true;
    closeAfter_ = true;
    std::string h = head(upgrade ? 101 : 200, contentType, 0, false, extra);
    if (!upgrade) {
      // Without an upgrade the stream simply runs to the connection's close.
      h = fmt::format("HTTP/1.1 200 OK\r\nContent-Type: {}\r\nApi-Version: {}\r\n\r\n", contentType,
                      opts_.apiVersion);
    }
    TRY(writeRaw(h));
    return static_cast<Conn*>(&raw_);
  }
  bool answered() const override { return answered_; }
  bool clientGone() override {
    int fd = StreamIo<Stream>::fd(s_);
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP, .revents = 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    if (p.revents & (POLLHUP | POLLERR | POLLRDHUP)) return true;
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0;
  }
  bool streaming() const { return streaming_; }
  size_t buffered() const { return buf_.size(); }

 private:
  Stream& s_;
  beast::flat_buffer& buf_;
  http::request_parser<http::buffer_body>& parser_;
  Request& req_;
  const ServerOptions& opts_;
  BodyConn<Stream> body_;
  RawConn<Stream> raw_;
  bool answered_ = false, hijacked_ = false, closeAfter_ = false, streaming_ = false;
  bool rawEnded_ = false;  // fillBuffered saw the end of the client's input
};

}  // namespace

struct Server::Impl {
  const Router& router;
  ServerOptions opts;
  asio::io_context ioc;
  std::unique_ptr<asio::ssl::context> tls;
  std::vector<std::unique_ptr<local::acceptor>> unixAcceptors;
  std::vector<std::unique_ptr<tcp::acceptor>> tcpAcceptors;
  std::vector<std::string> socketPaths;
  std::atomic<bool> stopping{false};
  std::atomic<int> active{0};
  std::mutex mu;
  std::condition_variable cv;

  // Connections run on threads that outlive one connection: a thread's start and end cost more
  // than a short request (clone, stack, malloc's per-thread cache built and then freed), and
  // `run` alone makes five. A connection never waits for a thread: with none idle, a new one
  // starts. At most kMaxIdle wait, each for at most kIdleTimeout.
  static constexpr size_t kMaxIdle = 4;
  static constexpr auto kIdleTimeout = std::chrono::seconds(30);
  struct Worker {
    std::condition_variable cv;
    std::function<void()> job;
    bool quit = false;
  };
  std::mutex poolMu;
  std::condition_variable poolCv;  // a worker ended
  std::vector<Worker*> idle;       // guarded by poolMu

  Impl(const Router& r, ServerOptions o) : router(r), opts(std::move(o)) {}

  ~Impl() {
    // Idle workers wait on members of this object: they end before it does.
    std::unique_lock l(poolMu);
    for (Worker* w : idle) {
      w->quit = true;
      w->cv.notify_one();
    }
    poolCv.wait(l, [&] { return idle.empty(); });
  }

  void submit(std::function<void()> job) {
    {
      std::lock_guard l(poolMu);
      if (!idle.empty()) {
        Worker* w = idle.back();
        idle.pop_back();
        w->job = std::move(job);
        w->cv.notify_one();
        return;
      }
    }
    std::thread([this, job = std::move(job)]() mutable { workerLoop(std::move(job)); }).detach();
  }

  void workerLoop(std::function<void()> job) {
    Worker self;
    std::unique_lock l(poolMu, std::defer_lock);
    for (;;) {
      job();
      job = nullptr;
      l.lock();
      if (stopping || idle.size() >= kMaxIdle) break;
      idle.push_back(&self);
      self.cv.wait_for(l, kIdleTimeout, [&] { return self.job || self.quit; });
      if (!self.job) {  // timed out, or the server is going
        std::erase(idle, &self);
        break;
      }
      job = std::exchange(self.job, nullptr);
      l.unlock();
    }
    poolCv.notify_all();
  }

  template <typename Stream>
  void serveConnection(Stream& s) {
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::buffer_body> parser;
      parser.header_limit(static_cast<uint32_t>(opts.headerLimit));
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      beast::error_code ec;
      http::read_header(s, buf, parser, ec);
      if (ec) {
        if (ec == http::error::header_limit) {
          std::string msg = R"({"message":"request headers too large"})"
                            "\n";
          std::string r = fmt::format(
              "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/json\r\n"
              "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
              msg.size(), msg);
          asio::write(s, asio::buffer(r), ec);
        } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
                   ec != asio::error::connection_reset) {
          std::string msg = fmt::format(R"({{"message":"bad request: {}"}})"
                                        "\n",
                                        ec.message());
          std::string r = fmt::format(
              "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
              "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
              msg.size(), msg);
          asio::write(s, asio::buffer(r), ec);
        }
        return;
      }
      auto& msg = parser.get();
      Request req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      for (const auto& f : msg) req.headers[toLower(f.name_string())] = std::string(f.value());
      ExchangeImpl<Stream> ex(s, buf, parser, req, opts);
      if (auto st = parseTarget(req.target, req, opts.apiVersion); !st) {
        writeError(ex, st.error());
      } else {
        router.dispatch(ex, req);
      }
      if (!ex.answered()) {
        (void)ex.replyEmpty(500);
      }
      if (ex.streaming()) return;  // a stream that broke off
      if (!ex.keepOpen() || !msg.keep_alive()) return;
      if (!ex.skipBody()) return;
    }
  }

  template <typename Socket>
  void startConnection(Socket sock) {
    active++;
    submit([this, sock = std::make_shared<Socket>(std::move(sock))]() mutable {
      if (tls && std::is_same_v<Socket, tcp::socket>) {
        if constexpr (std::is_same_v<Socket, tcp::socket>) {
          asio::ssl::stream<tcp::socket> ss(std::move(*sock), *tls);
          beast::error_code ec;
          ss.handshake(asio::ssl::stream_base::server, ec);
          if (!ec) serveConnection(ss);
          ss.shutdown(ec);
        }
      } else {
        serveConnection(*sock);
      }
      sock.reset();  // closed now, not when the worker takes its next connection
      if (--active == 0) cv.notify_all();
    });
  }

  template <typename Acceptor, typename Socket>
  void acceptLoop(Acceptor& acc) {
    for (;;) {
      Socket sock(ioc);
      beast::error_code ec;
      acc.accept(sock, ec);
      if (stopping) return;
      if (ec) {
        if (ec == asio::error::bad_descriptor || ec == asio::error::operation_aborted) return;
        spdlog::warn("accept: {}", ec.message());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      startConnection(std::move(sock));
    }
  }
};

Server::Server(const Router& router, ServerOptions opts)
    : impl_(std::make_unique<Impl>(router, std::move(opts))) {}
Server::~Server() {
  stop();
}

int Server::activeConnections() const {
  return impl_->active;
}

Status Server::listen() {
  auto& im = *impl_;
  for (const std::string& host : im.opts.hosts) {
    HostSpec spec = TRY(parseHost(host));
    if (spec.scheme == "unix") {
      const std::string& path = spec.address;
      // A socket file nobody answers on is left over from a crash; one that answers is another
      // daemon's, which must not be stolen.
      struct stat st;
      if (::lstat(path.c_str(), &st) == 0) {
        local::socket probe(im.ioc);
        beast::error_code ec;
        probe.connect(local::endpoint(path), ec);
        if (!ec)
          return Error(ErrorKind::AlreadyExists,
                       fmt::format("{}: another daemon is listening there", path));
        ::unlink(path.c_str());
      }
      auto acc = std::make_unique<local::acceptor>(im.ioc);
      beast::error_code ec;
      acc->open(local(), ec);
      if (!ec) acc->bind(local::endpoint(path), ec);
      if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) return Error::sys(ec.value(), "listen on {}", path);
      gid_t gid = 0;
      if (!im.opts.socketGroup.empty()) {
        if (auto g = localGroupId(im.opts.socketGroup)) {
          gid = *g;
        } else {
          spdlog::info("group {:?} not found in /etc/group: {} stays root's", im.opts.socketGroup,
                       path);
        }
      }
      if (::chown(path.c_str(), 0, gid) != 0 && ::geteuid() == 0) {
        return Error::sys(errno, "chown {}", path);
      }
      if (::chmod(path.c_str(), im.opts.socketMode) != 0)
        return Error::sys(errno, "chmod {}", path);
      im.socketPaths.push_back(path);
      im.unixAcceptors.push_back(std::move(acc));
    } else {
      if (!im.opts.tlsVerify && !im.opts.insecureTcp) {
        return Error::invalid(
            "refusing to listen on {} without TLS: give --tlsverify with --tlscacert, --tlscert "
            "and --tlskey, or --insecure-tcp to accept unauthenticated root access",
            host);
      }
      if (im.opts.tlsVerify && !im.tls) {
        auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
        beast::error_code ec;
        ctx->use_certificate_chain_file(im.opts.tlsCert, ec);
        if (ec) return Error::invalid("--tlscert {}: {}", im.opts.tlsCert, ec.message());
        ctx->use_private_key_file(im.opts.tlsKey, asio::ssl::context::pem, ec);
        if (ec) return Error::invalid("--tlskey {}: {}", im.opts.tlsKey, ec.message());
        ctx->load_verify_file(im.opts.tlsCaCert, ec);
        if (ec) return Error::invalid("--tlscacert {}: {}", im.opts.tlsCaCert, ec.message());
        ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
        im.tls = std::move(ctx);
      }
      auto colon = spec.address.rfind(':');
      std::string addr = spec.address.substr(0, colon);
      if (addr.size() > 2 && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
      auto port = TRY(parseUint(spec.address.substr(colon + 1), "port"));
      beast::error_code ec;
      auto ip = asio::ip::make_address(addr, ec);
      if (ec) return Error::invalid("invalid address {:?} in {}", addr, host);
      auto acc = std::make_unique<tcp::acceptor>(im.ioc);
      tcp::endpoint ep(ip, static_cast<unsigned short>(port));
      acc->open(ep.protocol(), ec);
      if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acc->bind(ep, ec);
      if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) return Error::sys(ec.value(), "listen on {}", host);
      if (!im.opts.tlsVerify) {
        spdlog::warn(
            "listening on {} WITHOUT TLS: anyone who can reach it has root on this machine", host);
      }
      im.tcpAcceptors.push_back(std::move(acc));
    }
  }
  return {};
}

void Server::serve() {
  auto& im = *impl_;
  std::vector<std::thread> threads;
  for (auto& acc : im.unixAcceptors) {
    threads.emplace_back(
        [&im, a = acc.get()] { im.acceptLoop<local::acceptor, local::socket>(*a); });
  }
  for (auto& acc : im.tcpAcceptors) {
    threads.emplace_back([&im, a = acc.get()] { im.acceptLoop<tcp::acceptor, tcp::socket>(*a); });
  }
  for (auto& t : threads) t.join();
}

void Server::stop() {
  auto& im = *impl_;
  if (im.stopping.exchange(true)) return;
  for (auto& acc : im.unixAcceptors) ::shutdown(acc->native_handle(), SHUT_RDWR);
  for (auto& acc : im.tcpAcceptors) ::shutdown(acc->native_handle(), SHUT_RDWR);
  for (const std::string& p : im.socketPaths) ::unlink(p.c_str());
}

}  // namespace berth::api
