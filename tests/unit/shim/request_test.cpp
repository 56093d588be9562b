#include "shim/request.h"

#include <gtest/gtest.h>

namespace berth::shim {
namespace {

Request parsed(std::string_view line) {
  auto r = parseRequest(line);
  EXPECT_TRUE(r) << line << ": " << (r ? "" : r.error().what());
  return r ? *r : Request{};
}

std::string failure(std::string_view line) {
  auto r = parseRequest(line);
  EXPECT_FALSE(r) << line;
  return r ? "" : r.error().what();
}

TEST(Request, ParsesTheWordOnlyRequests) {
  EXPECT_EQ(parsed("start").kind, RequestKind::Start);
  EXPECT_EQ(parsed("status").kind, RequestKind::Status);
  EXPECT_EQ(parsed("wait").kind, RequestKind::Wait);
}

TEST(Request, ParsesResizeRowsThenCols) {
  Request r = parsed("resize 24 80");
  EXPECT_EQ(r.kind, RequestKind::Resize);
  EXPECT_EQ(r.rows, 24);
  EXPECT_EQ(r.cols, 80);
  EXPECT_EQ(parsed("resize 0 65535").cols, 65535);
}

TEST(Request, ParsesAttachStreamsInAnyOrder) {
  Request r = parsed("attach stdout,stdin");
  EXPECT_EQ(r.kind, RequestKind::Attach);
  EXPECT_TRUE(r.stdin);
  EXPECT_TRUE(r.stdout);
  EXPECT_FALSE(r.stderr);
  r = parsed("attach stderr");
  EXPECT_TRUE(r.stderr);
  EXPECT_FALSE(r.stdout);
}

TEST(Request, ParsesExecWithItsFlags) {
  Request r = parsed("exec e1 /run/berth/x/e1.json tty,stdin");
  EXPECT_EQ(r.kind, RequestKind::Exec);
  EXPECT_EQ(r.execId, "e1");
  EXPECT_EQ(r.processFile, "/run/berth/x/e1.json");
  EXPECT_TRUE(r.tty);
  EXPECT_TRUE(r.openStdin);
  r = parsed("exec 3f2a_b.c-d /p.json -");
  EXPECT_FALSE(r.tty);
  EXPECT_FALSE(r.openStdin);
  EXPECT_TRUE(parsed("exec e /p.json stdin").openStdin);
}

TEST(Request, ParsesExecResize) {
  Request r = parsed("exec-resize e1 50 132");
  EXPECT_EQ(r.kind, RequestKind::ExecResize);
  EXPECT_EQ(r.execId, "e1");
  EXPECT_EQ(r.rows, 50);
  EXPECT_EQ(r.cols, 132);
}

TEST(Request, RefusesEmptyWordsFromExtraSpaces) {
  failure("");
  failure(" status");
  failure("status ");
  failure("resize  24 80");
}

TEST(Request, RefusesUnknownVerbsAndWrongArity) {
  EXPECT_NE(failure("kill 9").find("unknown request"), std::string::npos);
  failure("START");
  failure("start now");
  failure("resize 24");
  failure("attach");
  failure("exec e1 /p.json");
  failure("exec-resize e1 24");
}

TEST(Request, RefusesBadDimensions) {
  failure("resize -1 80");
  failure("resize 24 eighty");
  failure("resize 65536 80");
  failure("resize 24 80x");
}

TEST(Request, RefusesUnknownOrRepeatedStreamsAndFlags) {
  failure("attach stdout,");
  failure("attach stdout,stdout");
  failure("attach tty");
  failure("exec e /p.json tty,tty");
  failure("exec e /p.json detach");
  failure("exec e /p.json ");
}

TEST(Request, RefusesARelativeProcessFileAndOddExecIds) {
  failure("exec e1 p.json -");
  failure("exec ../x /p.json -");
  failure("exec a/b /p.json -");
  failure("exec " + std::string(kMaxExecId + 1, 'a') + " /p.json -");
  parsed("exec " + std::string(kMaxExecId, 'a') + " /p.json -");
}

TEST(Request, RefusesAnOverlongLine) {
  failure("exec e /" + std::string(kMaxRequestLine, 'p') + " -");
}

}  // namespace
}  // namespace berth::shim
