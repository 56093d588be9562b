#include "client/http.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "base/file.h"
#include "base/unique_fd.h"
#include "client/client.h"

namespace berth::client {
namespace {

// A Conn over one end of a socketpair; the test plays the daemon on the other end.
class PairConn final : public Conn {
 public:
  explicit PairConn(int fd) : fd_(fd) {}
  Result<size_t> readSome(char* buf, size_t n) override {
    ssize_t r = ::read(fd_.get(), buf, n);
    if (r < 0) return Error::sys(errno, "read");
    return static_cast<size_t>(r);
  }
  Status writeAll(std::string_view d) override { return berth::writeAll(fd_.get(), d, "pair"); }
  Status closeWrite() override {
    ::shutdown(fd_.get(), SHUT_WR);
    return {};
  }
  int fd() const override { return fd_.get(); }

 private:
  UniqueFd fd_;
};

struct Exchange {
  std::string request;  // what the client sent
  Result<Response> response = Error(ErrorKind::Internal, "not run");
};

// Runs one exchange: the fake daemon reads the request head (and body up to `bodyBytes`),
// then writes `answer` and closes.
Exchange exchange(const Request& req, std::string answer) {
  int sv[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  UniqueFd daemon(sv[1]);
  Exchange ex;
  std::thread t([&] {
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos ||
           got.find("0\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(daemon.get(), buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      if (got.find("\r\n\r\n") != std::string::npos && got.find("chunked") == std::string::npos)
        break;
    }
    ex.request = got;
    (void)berth::writeAll(daemon.get(), answer, "daemon");
    daemon.reset();
  });
  ex.response = roundTrip(std::make_unique<PairConn>(sv[0]), req, "api.moby.localhost");
  t.join();
  return ex;
}

TEST(RoundTrip, ReadsAContentLengthBody) {
  Request req;
  req.target = "/v1.43/containers/json?all=1";
  auto ex = exchange(
      req, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]");
  ASSERT_TRUE(ex.response);
  EXPECT_EQ(ex.request.substr(0, ex.request.find("\r\n")),
            "GET /v1.43/containers/json?all=1 HTTP/1.1");
  EXPECT_NE(ex.request.find("Host: api.moby.localhost\r\n"), std::string::npos);
  EXPECT_EQ(ex.response->status, 200);
  EXPECT_EQ(ex.response->headers.get("content-type").value_or(""), "application/json");
  EXPECT_EQ(*ex.response->readAll(), "[]");
}

TEST(RoundTrip, DecodesAChunkedBodyLineByLine) {
  Request req;
  auto ex = exchange(req,
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "6\r\n{\"a\":1\r\n3\r\n}\n{\r\n7\r\n\"b\":2}\n\r\n0\r\n\r\n");
  ASSERT_TRUE(ex.response);
  EXPECT_EQ(**ex.response->readLine(), "{\"a\":1}");
  EXPECT_EQ(**ex.response->readLine(), "{\"b\":2}");
  EXPECT_FALSE(ex.response->readLine()->has_value());
}

TEST(RoundTrip, SendsAStreamedBodyChunked) {
  Request req;
  req.method = "POST";
  int calls = 0;
  req.bodySource = [&calls](char* buf, size_t) -> Result<size_t> {
    if (calls++ > 0) return size_t{0};
    buf[0] = 'x';
    buf[1] = 'y';
    return size_t{2};
  };
  auto ex = exchange(req, "HTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_TRUE(ex.response);
  EXPECT_NE(ex.request.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(ex.request.find("\r\n\r\n2\r\nxy\r\n0\r\n\r\n"), std::string::npos);
  EXPECT_EQ(ex.response->status, 204);
  EXPECT_EQ(*ex.response->readAll(), "");
}

TEST(RoundTrip, KeepsBytesAfterA101ForTheHijackedStream) {
  Request req;
  req.method = "POST";
  auto ex = exchange(
      req, "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw-bytes");
  ASSERT_TRUE(ex.response);
  EXPECT_EQ(ex.response->status, 101);
  auto conn = ex.response->takeConn();
  std::string got;
  char buf[64];
  for (;;) {
    size_t n = *conn->readSome(buf, sizeof buf);
    if (n == 0) break;
    got.append(buf, n);
  }
  EXPECT_EQ(got, "raw-bytes");
}

TEST(ResponseError, UsesTheDaemonsMessage) {
  Error e = responseError(404, "{\"message\":\"No such container: x\"}");
  EXPECT_EQ(e.kind(), ErrorKind::NotFound);
  EXPECT_EQ(e.message(), "Error response from daemon: No such container: x");
  EXPECT_EQ(responseError(409, "conflict\n").message(), "Error response from daemon: conflict");
  EXPECT_EQ(responseError(409, "").kind(), ErrorKind::Conflict);
}

TEST(Query, EscapesKeysAndValues) {
  Query q;
  q.add("filters", "{\"name\":{\"a b\":true}}").flag("all", true).flag("size", false).opt("x", "");
  EXPECT_EQ(q.encode(), "?filters=%7B%22name%22%3A%7B%22a+b%22%3Atrue%7D%7D&all=1");
  EXPECT_EQ(pathEscape("localhost:5000/a b"), "localhost:5000/a%20b");
}

TEST(ApiVersion, ComparesNumerically) {
  EXPECT_TRUE(versionLess("1.9", "1.41"));
  EXPECT_TRUE(versionLess("1.41", "1.43"));
  EXPECT_FALSE(versionLess("1.43", "1.43"));
  EXPECT_FALSE(versionLess("1.50", "1.43"));
}

TEST(Base64, DecodesThePathStatHeader) {
  EXPECT_EQ(*base64Decode("eyJuYW1lIjoiYSJ9"), "{\"name\":\"a\"}");
  EXPECT_EQ(*base64Decode("YQ=="), "a");
  EXPECT_FALSE(base64Decode("!!").has_value());
}

}  // namespace
}  // namespace berth::client
