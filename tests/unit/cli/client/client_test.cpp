// Client: the API version each request carries, and when it asks the daemon for it.
#include "client/client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "base/unique_fd.h"

namespace berth::client {
namespace {

// A daemon on a unix socket that answers `count` connections, one request each, with what
// `answer` returns for the request line; it records the request lines in order.
class FakeDaemon {
 public:
  using Answer = std::function<std::string(const std::string& requestLine)>;

  FakeDaemon(int count, Answer answer) {
    char tmpl[] = "/tmp/berth-client-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/sock";
    listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(listen_.get(), 8), 0);
    thread_ = std::thread([this, count, answer = std::move(answer)] {
      for (int i = 0; i < count; ++i) {
        UniqueFd c(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!c) return;
        std::string got;
        char buf[4096];
        while (got.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::read(c.get(), buf, sizeof buf);
          if (n <= 0) break;
          got.append(buf, static_cast<size_t>(n));
        }
        std::string line = got.substr(0, got.find("\r\n"));
        lines_.push_back(line);
        (void)berth::writeAll(c.get(), answer(line), "daemon");
      }
    });
  }
  ~FakeDaemon() {
    ::shutdown(listen_.get(), SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }

  Client client() {
    ClientOptions o;
    o.host = *parseHost("unix://" + path_, false);
    return Client(std::move(o));
  }
  // The request lines, once the daemon has answered them all.
  const std::vector<std::string>& lines() {
    thread_.join();
    return lines_;
  }

 private:
  std::string dir_, path_;
  UniqueFd listen_;
  std::thread thread_;
  std::vector<std::string> lines_;
};

std::string reply(int status, std::string_view body, std::string_view extra = "") {
  std::string reason = status == 200 ? "OK" : "Bad Request";
  return fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\n{}Content-Length: {}\r\n\r\n{}", status,
      reason, extra, body.size(), body);
}

TEST(Client, SendsItsOwnVersionWithoutAPing) {
  FakeDaemon d(2, [](const std::string&) { return reply(200, "[]"); });
  Client c = d.client();
  ASSERT_TRUE(c.getJson("/containers/json"));
  ASSERT_TRUE(c.getJson("/images/json"));
  EXPECT_EQ(d.lines(), (std::vector<std::string>{"GET /v1.43/containers/json HTTP/1.1",
                                                 "GET /v1.43/images/json HTTP/1.1"}));
}

TEST(Client, AnOlderDaemonIsAskedItsVersionAndTheRequestGoesAgain) {
  FakeDaemon d(4, [](const std::string& line) {
    if (line.starts_with("GET /_ping")) return reply(200, "OK", "Api-Version: 1.41\r\n");
    if (line.find("/v1.43/") != std::string::npos) {
      return reply(400, R"({"message":"client version 1.43 is too new. Maximum supported API )"
                        R"(version is 1.41"})");
    }
    return reply(200, R"([{"Id":"x"}])");
  });
  Client c = d.client();
  auto first = c.getJson("/containers/json");
  ASSERT_TRUE(first) << first.error().what();
  EXPECT_EQ((*first)[0]["Id"], "x");
  ASSERT_TRUE(c.getJson("/containers/json"));
  EXPECT_EQ(d.lines(),
            (std::vector<std::string>{"GET /v1.43/containers/json HTTP/1.1", "GET /_ping HTTP/1.1",
                                      "GET /v1.41/containers/json HTTP/1.1",
                                      "GET /v1.41/containers/json HTTP/1.1"}));
}

TEST(Client, AnyOtherBadRequestIsTheAnswer) {
  FakeDaemon d(2, [](const std::string& line) {
    if (line.find("filters") != std::string::npos) {
      return reply(400, R"({"message":"invalid filter 'x'"})");
    }
    return reply(200, "[]");
  });
  Client c = d.client();
  auto bad = c.getJson("/containers/json", Query().add("filters", "x"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "Error response from daemon: invalid filter 'x'");
  ASSERT_TRUE(c.getJson("/containers/json"));
  EXPECT_EQ(d.lines(), (std::vector<std::string>{"GET /v1.43/containers/json?filters=x HTTP/1.1",
                                                 "GET /v1.43/containers/json HTTP/1.1"}));
}

TEST(Client, AFixedVersionIsUsedAsGiven) {
  FakeDaemon d(1, [](const std::string&) { return reply(200, "[]"); });
  ClientOptions o;
  o.host = d.client().host();
  o.apiVersion = "1.41";
  Client c(std::move(o));
  ASSERT_TRUE(c.getJson("/containers/json"));
  EXPECT_EQ(d.lines(), std::vector<std::string>{"GET /v1.41/containers/json HTTP/1.1"});
}

}  // namespace
}  // namespace berth::client
