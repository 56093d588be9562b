#include "client/http.h"

#include <cstring>

#include "base/strings.h"

namespace berth::client {

namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

Error protocolError(std::string_view what) {
  return Error(ErrorKind::Unavailable, fmt::format("malformed HTTP response: {}", what));
}

std::string percentEncode(std::string_view s, bool query) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool keep = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
                (!query && (c == '/' || c == ':' || c == '@' || c == '+' || c == '=' || c == '$' ||
                            c == '&' || c == ','));
    if (keep) {
      out += static_cast<char>(c);
    } else if (query && c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Status sendBody(Conn& conn, const Request& req) {
  if (!req.bodySource) return conn.writeAll(req.body);
  bool chunked = req.contentLength < 0;
  std::string buf(64 * 1024, '\0');
  for (;;) {
    size_t n = TRY(req.bodySource(buf.data(), buf.size()));
    if (n == 0) break;
    if (chunked) {
      TRY(conn.writeAll(fmt::format("{:x}\r\n", n)));
      TRY(conn.writeAll(std::string_view(buf.data(), n)));
      TRY(conn.writeAll("\r\n"));
    } else {
      TRY(conn.writeAll(std::string_view(buf.data(), n)));
    }
  }
  if (chunked) TRY(conn.writeAll("0\r\n\r\n"));
  return {};
}

}  // namespace

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

Result<size_t> Response::fill() {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  char tmp[32 * 1024];
  size_t n = TRY(conn_->readSome(tmp, sizeof tmp));
  buf_.append(tmp, n);
  return n;
}

Result<std::string> Response::rawLine() {
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      std::string line = buf_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buf_.size() - pos_ > kMaxHeaderBytes) return protocolError("line too long");
    if (TRY(fill()) == 0) return protocolError("unexpected end of stream");
  }
}

Result<size_t> Response::readRaw(char* buf, size_t n) {
  if (pos_ < buf_.size()) {
    size_t k = std::min(n, buf_.size() - pos_);
    std::memcpy(buf, buf_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  return conn_->readSome(buf, n);
}

Result<size_t> Response::read(char* buf, size_t n) {
  if (done_ || n == 0) return size_t{0};
  switch (mode_) {
    case Mode::None:
      done_ = true;
      return size_t{0};
    case Mode::Eof: {
      size_t k = TRY(readRaw(buf, n));
      if (k == 0) done_ = true;
      return k;
    }
    case Mode::Length: {
      if (remaining_ == 0) {
        done_ = true;
        return size_t{0};
      }
      size_t k = TRY(readRaw(buf, std::min<unsigned long long>(n, remaining_)));
      if (k == 0) return protocolError("body shorter than its Content-Length");
      remaining_ -= k;
      return k;
    }
    case Mode::Chunked: {
      if (remaining_ == 0) {
        std::string line = TRY(rawLine());
        auto semi = line.find(';');
        std::string size(trim(line.substr(0, semi)));
        char* end = nullptr;
        unsigned long long sz = std::strtoull(size.c_str(), &end, 16);
        if (size.empty() || *end != '\0') return protocolError("bad chunk size");
        if (sz == 0) {
          // Trailers up to the empty line.
          while (!TRY(rawLine()).empty()) {
          }
          done_ = true;
          return size_t{0};
        }
        remaining_ = sz;
      }
      size_t k = TRY(readRaw(buf, std::min<unsigned long long>(n, remaining_)));
      if (k == 0) return protocolError("chunked body cut short");
      remaining_ -= k;
      if (remaining_ == 0 && !TRY(rawLine()).empty()) return protocolError("bad chunk end");
      return k;
    }
  }
  return size_t{0};
}

Result<std::string> Response::readAll() {
  std::string out;
  char buf[32 * 1024];
  for (;;) {
    size_t n = TRY(read(buf, sizeof buf));
    if (n == 0) return out;
    out.append(buf, n);
  }
}

Result<std::string> Response::bufferBody() {
  std::string body = TRY(readAll());
  buf_ = body;
  pos_ = 0;
  mode_ = Mode::Length;
  remaining_ = body.size();
  done_ = false;
  return body;
}

Result<std::optional<std::string>> Response::readLine() {
  for (;;) {
    size_t nl = lineBuf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = lineBuf_.substr(0, nl);
      lineBuf_.erase(0, nl + 1);
      return std::optional<std::string>(std::move(line));
    }
    char buf[8192];
    size_t n = TRY(read(buf, sizeof buf));
    if (n == 0) {
      if (lineBuf_.empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::exchange(lineBuf_, {}));
    }
    lineBuf_.append(buf, n);
  }
}

std::unique_ptr<Conn> Response::takeConn() {
  std::string rest = buf_.substr(pos_);
  buf_.clear();
  pos_ = 0;
  done_ = true;
  return withPrefix(std::move(conn_), std::move(rest));
}

Result<Response> roundTrip(std::unique_ptr<Conn> conn, const Request& req,
                           std::string_view hostHeader) {
  std::string head =
      req.method + " " + req.target + " HTTP/1.1\r\nHost: " + std::string(hostHeader) + "\r\n";
  for (const auto& [k, v] : req.headers.items()) head += k + ": " + v + "\r\n";
  if (req.bodySource) {
    head += req.contentLength >= 0 ? fmt::format("Content-Length: {}\r\n", req.contentLength)
                                   : "Transfer-Encoding: chunked\r\n";
  } else if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    head += fmt::format("Content-Length: {}\r\n", req.body.size());
  }
  head += "\r\n";
  Status sent = conn->writeAll(head);
  if (sent) sent = sendBody(*conn, req);

  Response resp;
  resp.conn_ = std::move(conn);
  auto status = resp.rawLine();
  if (!status) {
    // An early answer (an error before the whole body was read) is worth more than EPIPE.
    if (!sent) return std::move(sent).error();
    return std::move(status).error();
  }
  // "HTTP/1.1 200 OK"
  auto sp = status->find(' ');
  if (!startsWith(*status, "HTTP/") || sp == std::string::npos) return protocolError(*status);
  auto code = parseInt(std::string_view(*status).substr(sp + 1, 3), "status");
  if (!code) return protocolError(*status);
  resp.status = static_cast<int>(*code);
  if (status->size() > sp + 5) resp.reason = status->substr(sp + 5);
  for (;;) {
    std::string line = TRY(resp.rawLine());
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string::npos) return protocolError("header line without ':'");
    resp.headers.add(line.substr(0, colon), std::string(trim(line.substr(colon + 1))));
  }
  auto te = resp.headers.get("Transfer-Encoding");
  auto cl = resp.headers.get("Content-Length");
  if (resp.status == 101 || resp.status == 204 || resp.status == 304 || req.method == "HEAD") {
    resp.mode_ = Response::Mode::None;
    if (resp.status == 101) resp.mode_ = Response::Mode::Eof;
  } else if (te && toLower(*te).find("chunked") != std::string::npos) {
    resp.mode_ = Response::Mode::Chunked;
  } else if (cl) {
    auto n = parseUint(*cl, "Content-Length");
    if (!n) return protocolError("bad Content-Length");
    resp.mode_ = Response::Mode::Length;
    resp.remaining_ = *n;
  } else {
    resp.mode_ = Response::Mode::Eof;
  }
  return resp;
}

std::string queryEscape(std::string_view s) {
  return percentEncode(s, true);
}
std::string pathEscape(std::string_view s) {
  return percentEncode(s, false);
}

}  // namespace berth::client
