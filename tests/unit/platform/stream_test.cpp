// send_stream and enqueue: calls pulled from a source as slots free up, and
// follow-up calls started from completions without a barrier.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

namespace daoctl::test {
namespace {

using namespace std::chrono_literals;

http::Response ok_response(int status = 201) {
  http::Response r;
  r.status = status;
  r.body = "{}";
  return r;
}

TEST_CASE("send_stream asks its source only while fewer than window calls are unfinished", "[platform][stream]") {
  ClientHarness h(test_options(), 4);
  h.fake->respond_with([](const http::Request&) { return answer(ok_response()); },
                       [](const http::Request&) { return 10ms; });
  int produced = 0, done = 0;
  std::size_t most_unfinished = 0;
  std::function<std::optional<platform::Call>()> source = [&]() -> std::optional<platform::Call> {
    if (produced == 50) return std::nullopt;
    ++produced;
    most_unfinished = std::max<std::size_t>(most_unfinished, static_cast<std::size_t>(produced - done));
    return platform::Call{h.client.make_request("POST", "/api/v1/posts", "post", json{{"n", produced}}),
                          [&](Result<http::Response> r) { done += r.has_value() ? 1 : 0; }};
  };
  h.client.send_stream(source, 6);
  CHECK(produced == 50);
  CHECK(done == 50);
  CHECK(most_unfinished <= 6);
  CHECK(h.fake->max_seen_in_flight() == 4);
  CHECK(h.fake->requests().size() == 50);
}

TEST_CASE("enqueue from a completion starts a follow-up in the same run", "[platform][stream]") {
  ClientHarness h(test_options(), 2);
  h.fake->respond_with([](const http::Request&) { return answer(ok_response()); },
                       [](const http::Request&) { return 10ms; });
  int posts = 0, comments = 0;
  std::function<std::optional<platform::Call>()> source = [&]() -> std::optional<platform::Call> {
    if (posts == 3) return std::nullopt;
    ++posts;
    return platform::Call{h.client.make_request("POST", "/api/v1/posts", "post"), [&](Result<http::Response> r) {
                            REQUIRE(r);
                            for (int i = 0; i < 2; ++i)
                              h.client.enqueue({h.client.make_request("POST", "/api/v1/posts/1/comments", "comment"),
                                                [&](Result<http::Response> c) { comments += c.has_value() ? 1 : 0; }});
                          }};
  };
  h.client.send_stream(source, 8);
  CHECK(posts == 3);
  CHECK(comments == 6);
  CHECK(h.fake->requests().size() == 9);
  // 9 requests of 10 ms on 2 connections with no barrier: 50 ms of virtual time.
  CHECK(h.fake->elapsed() == 50ms);
}

TEST_CASE("enqueue outside a run fails at once", "[platform][stream]") {
  ClientHarness h;
  std::optional<Result<http::Response>> result;
  h.client.enqueue({h.client.make_request("GET", "/api/v1/me", ""), [&](Result<http::Response> r) { result = std::move(r); }});
  REQUIRE(result.has_value());
  REQUIRE_FALSE(result->has_value());
  CHECK(result->error().kind == ErrorKind::Internal);
  CHECK(h.fake->requests().empty());
}

}  // namespace
}  // namespace daoctl::test
