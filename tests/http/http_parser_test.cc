// http_internal::HttpRequestReader without sockets: the same request is read the
// same whatever the bytes' split, one request ends where the next begins,
// and each refusal has its status.

#include "broker/http/http_parser.h"

#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wharf::http_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

struct Outcome {
  HttpRequestReader::State state = HttpRequestReader::State::kNeedMore;
  int status = 0;
  HttpRequest request;
  size_t consumed = 0;  // Bytes of `bytes` the request took.
  size_t buffered = 0;  // Bytes fed but not consumed when reading stopped.
};

// Feeds `bytes` in pieces of `step` as a connection would: unconsumed bytes
// are passed again with the next piece.
Outcome Read(const std::string& bytes, size_t step, HttpLimits limits = {}) {
  HttpRequestReader reader(limits);
  Outcome out;
  std::string pending;
  size_t offered = 0;
  while (reader.state() == HttpRequestReader::State::kNeedMore && offered < bytes.size()) {
    const size_t piece = std::min(step, bytes.size() - offered);
    pending.append(bytes, offered, piece);
    offered += piece;
    while (!pending.empty() && reader.state() == HttpRequestReader::State::kNeedMore) {
      const size_t used = reader.Feed(pending);
      pending.erase(0, used);
      if (used == 0) break;
    }
  }
  out.state = reader.state();
  out.status = reader.failure_status();
  out.consumed = offered - pending.size();
  out.buffered = pending.size();
  if (out.state == HttpRequestReader::State::kComplete || out.status == 413) {
    out.request = reader.TakeRequest();
  }
  return out;
}

const std::string kPipelined =
    "POST /a/b?x=1&y=%20 HTTP/1.1\r\nHost: h:1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n"
    "Content-Length: 5\r\n\r\nhello"
    "GET / HTTP/1.1\r\nHost: h:1\r\n\r\n";

TEST(HttpRequestReaderTest, ReadsTheSameRequestWhateverTheSplit) {
  for (size_t step : {kPipelined.size(), size_t{1}, size_t{2}, size_t{7}, size_t{64}}) {
    SCOPED_TRACE(step);
    Outcome out = Read(kPipelined, step);
    ASSERT_EQ(out.state, HttpRequestReader::State::kComplete);
    EXPECT_EQ(out.request.method, "POST");
    EXPECT_EQ(out.request.path, "/a/b");
    EXPECT_EQ(out.request.query, "x=1&y=%20");
    EXPECT_EQ(out.request.body, "hello");
    EXPECT_THAT(out.request.headers,
                ElementsAre(Pair("host", "h:1"), Pair("x-amz-target", "AmazonSQS.ListQueues"),
                            Pair("content-length", "5")));
    // The next request is left for the next reader.
    EXPECT_EQ(kPipelined.substr(out.consumed), "GET / HTTP/1.1\r\nHost: h:1\r\n\r\n");
  }
}

TEST(HttpRequestReaderTest, ReadsAChunkedBody) {
  const std::string bytes =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\n\r\n";
  for (size_t step : {bytes.size(), size_t{1}, size_t{3}}) {
    Outcome out = Read(bytes, step);
    ASSERT_EQ(out.state, HttpRequestReader::State::kComplete);
    EXPECT_EQ(out.request.body, "hello!");
    EXPECT_EQ(out.consumed, bytes.size());
  }
}

TEST(HttpRequestReaderTest, RefusesEachMalformedFramingWith400) {
  for (const char* fields :
       {"Content-Length: abc\r\n", "Content-Length: 68a\r\n", "Content-Length: 66, 5\r\n",
        "Content-Length: 5, 5\r\n", "Content-Length: -1\r\n", "Content-Length: 0x5\r\n",
        "Content-Length: 18446744073709551616\r\n", "Content-Length:\r\n",
        "Content-Length: 5\r\nContent-Length: 5\r\n",
        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        "Transfer-Encoding: chunked, chunked\r\n", "Transfer-Encoding: identity\r\n",
        "Host: again\r\n", "Bad Name: x\r\n", "X: a\nY: b\r\n"}) {
    SCOPED_TRACE(fields);
    Outcome out = Read(std::string("POST / HTTP/1.1\r\nHost: h\r\n") + fields + "\r\nhello", 1);
    EXPECT_EQ(out.state, HttpRequestReader::State::kFailed);
    EXPECT_EQ(out.status, 400);
  }
  for (const char* request :
       {"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",  // No Host in HTTP/1.1.
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "G\x01T / HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n"}) {
    SCOPED_TRACE(request);
    Outcome out = Read(request, 1);
    EXPECT_EQ(out.state, HttpRequestReader::State::kFailed);
    EXPECT_EQ(out.status, 400);
  }
}

// Beast bounds the lines of the head, not a chunk's size line: the reader
// refuses one longer than the header limit instead of waiting for its end.
TEST(HttpRequestReaderTest, RefusesAnEndlessChunkSizeLine) {
  HttpLimits limits;
  limits.max_header_bytes = 100;
  Outcome out = Read(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(1000, 'f'),
      16, limits);
  EXPECT_EQ(out.state, HttpRequestReader::State::kFailed);
  EXPECT_EQ(out.status, 400);
  EXPECT_LE(out.buffered, 100u + 16u);
}

// A chunk size line whose quoted extension is still open: Beast parses the
// size again on each read that finds the extension incomplete; it must not
// count the chunk against the body limit each time (found by the fuzzer).
TEST(HttpRequestReaderTest, AChunkSizeLineInPiecesCountsItsChunkOnce) {
  HttpLimits limits;
  limits.max_body_bytes = 100;
  const std::string bytes =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "50;x=\"open\r\n" +
      std::string(80, 'a');
  for (size_t step : {bytes.size(), size_t{1}, size_t{4}}) {
    SCOPED_TRACE(step);
    Outcome out = Read(bytes, step, limits);
    EXPECT_EQ(out.state, HttpRequestReader::State::kNeedMore);
  }
}

TEST(HttpRequestReaderTest, AcceptsHttp10WithoutHost) {
  Outcome out = Read("GET /x HTTP/1.0\r\n\r\n", 3);
  ASSERT_EQ(out.state, HttpRequestReader::State::kComplete);
  EXPECT_EQ(out.request.path, "/x");
}

TEST(HttpRequestReaderTest, RefusesAnOversizedBodyFromItsLengthWithTheHeadKept) {
  HttpLimits limits;
  limits.max_body_bytes = 10;
  Outcome out = Read(
      "POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: T.Op\r\nContent-Length: 11\r\n\r\n", 1, limits);
  ASSERT_EQ(out.state, HttpRequestReader::State::kFailed);
  EXPECT_EQ(out.status, 413);
  EXPECT_TRUE(out.request.body_too_large);
  EXPECT_EQ(out.request.Header("x-amz-target"), "T.Op");
  Outcome fits =
      Read("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", 4, limits);
  EXPECT_EQ(fits.state, HttpRequestReader::State::kComplete);
  // Bytes after the refused head: the refusal stands and nothing is
  // allocated for the length it announced.
  Outcome huge =
      Read("POST / HTTP/1.0\r\nContent-Length: 27777777777776999\r\n\r\nhello", 64, limits);
  EXPECT_EQ(huge.status, 413);
  Outcome chunked = Read(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
      "chunked\r\n\r\n6\r\nhello!\r\n5\r\nworld\r\n",
      1, limits);
  EXPECT_EQ(chunked.status, 413);
}

TEST(HttpRequestReaderTest, CapsTheRequestLineTheHeaderAndTheFieldCount) {
  HttpLimits limits;
  limits.max_request_line_bytes = 100;
  limits.max_header_bytes = 1000;
  limits.max_header_count = 5;
  EXPECT_EQ(
      Read("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", 16, limits).status,
      414);
  // A line that never ends stops at the header limit, not at memory's.
  EXPECT_EQ(Read("GET /" + std::string(5000, 'a'), 512, limits).status, 414);
  EXPECT_EQ(
      Read("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(2000, 'x') + "\r\n\r\n", 64, limits)
          .status,
      431);
  // The header limit is exact, whether the head arrives whole or in pieces:
  // 32 bytes of request line, Host and framing plus the value.
  for (size_t step : {size_t{1}, size_t{100}, size_t{5000}}) {
    auto head = [](size_t value) {
      return "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(value, 'x') + "\r\n\r\n";
    };
    EXPECT_EQ(Read(head(968), step, limits).state, HttpRequestReader::State::kComplete) << step;
    EXPECT_EQ(Read(head(969), step, limits).status, 431) << step;
  }
  std::string fields;
  for (int i = 0; i < 6; ++i) fields += "X" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(Read("GET / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n", 64, limits).status, 431);
}

TEST(HttpRequestReaderTest, ExpectsContinueOnlyWhileTheBodyIsAwaited) {
  HttpRequestReader reader(HttpLimits{});
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  EXPECT_EQ(reader.Feed(head), head.size());
  EXPECT_TRUE(reader.ExpectsContinue());
  EXPECT_EQ(reader.Feed("ok"), 2u);
  EXPECT_FALSE(reader.ExpectsContinue());
  EXPECT_EQ(reader.state(), HttpRequestReader::State::kComplete);
}

TEST(HttpRequestReaderTest, TellsWhetherTheConnectionStaysOpen) {
  auto keep_alive = [](const std::string& request) {
    HttpRequestReader reader(HttpLimits{});
    reader.Feed(request);
    return reader.header_done() && reader.keep_alive();
  };
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

TEST(HttpRequestReaderTest, ReadsTheNextRequestAfterReset) {
  HttpRequestReader reader(HttpLimits{});
  size_t used = reader.Feed(kPipelined);
  ASSERT_EQ(reader.state(), HttpRequestReader::State::kComplete);
  EXPECT_EQ(reader.TakeRequest().body, "hello");
  reader.Reset();
  EXPECT_FALSE(reader.started());
  used += reader.Feed(std::string_view(kPipelined).substr(used));
  ASSERT_EQ(reader.state(), HttpRequestReader::State::kComplete);
  EXPECT_EQ(reader.TakeRequest().method, "GET");
  EXPECT_EQ(used, kPipelined.size());
}

}  // namespace
}  // namespace wharf::http_internal
