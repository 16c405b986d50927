// Retries, backoff, Retry-After and the rate limit, in virtual time.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

namespace daoctl::test {
namespace {

using platform::backoff_ceiling;
using platform::RetryPolicy;
using Code = http::TransportError::Code;

TEST_CASE("a 503 is retried and the second answer is returned", "[platform][retry]") {
  ClientHarness h;
  h.fake->on("GET", h.url("/api/v1/me"), response(503, "", {{"Retry-After", "1"}}))
      .on("GET", h.url("/api/v1/me"), response(200, R"({"subject":"admin"})"));

  auto result = h.client.get_json("/api/v1/me", "the current token");
  REQUIRE(result.has_value());
  CHECK((*result)["subject"] == "admin");
  CHECK(h.fake->requests().size() == 2);
  CHECK(h.gap(1) >= 1000ms);
  CHECK(h.client.stats().requests == 2);
  CHECK(h.client.stats().retries == 1);
  CHECK(h.client.stats().failures == 0);
}

TEST_CASE("every retryable status and transport error is retried for a GET", "[platform][retry]") {
  struct Case {
    const char* name;
    http::Outcome first;
  };
  const std::vector<Case> cases = {
      {"429", answer(response(429))},
      {"500", answer(response(500))},
      {"502", answer(response(502))},
      {"503", answer(response(503))},
      {"504", answer(response(504))},
      {"connect", transport_error(Code::Connect, "Couldn't connect to server")},
      {"timeout", transport_error(Code::Timeout, "Timeout was reached")},
      {"reset", transport_error(Code::Reset, "Failure when receiving data from the peer")},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      ClientHarness h;
      h.fake->next(c.first).next(response(200, "{}"));
      auto result = h.client.send(h.client.make_request("GET", "/api/v1/me", ""));
      CHECK(result.has_value());
      CHECK(h.fake->requests().size() == 2);
    }
  }
}

TEST_CASE("statuses and transport errors that are not transient are not retried", "[platform][retry]") {
  struct Case {
    const char* name;
    http::Outcome outcome;
    ErrorKind kind;
  };
  const std::vector<Case> cases = {
      {"501", answer(response(501)), ErrorKind::Remote},
      {"404", answer(response(404)), ErrorKind::NotFound},
      {"tls", transport_error(Code::Tls, "SSL certificate problem: unable to get local issuer"),
       ErrorKind::Network},
      {"aborted by sink", transport_error(Code::Aborted, "Failed writing received data"), ErrorKind::Io},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      ClientHarness h;
      h.fake->next(c.outcome);
      auto result = h.client.send(h.client.make_request("GET", "/api/v1/me", ""));
      REQUIRE_FALSE(result.has_value());
      CHECK(result.error().kind == c.kind);
      CHECK(h.fake->requests().size() == 1);
    }
  }
}

TEST_CASE("429 with Retry-After: 3 waits at least three seconds", "[platform][retry]") {
  ClientHarness h;
  h.fake->next(response(429, "", {{"Retry-After", "3"}})).next(response(200, "{}"));
  REQUIRE(h.client.send(h.client.make_request("GET", "/scim/v2/Users/1", "user 1")));
  CHECK(h.gap(1) >= 3000ms);
  // The backoff of the first retry (at most base_delay) never adds to Retry-After.
  CHECK(h.gap(1) <= 3000ms);
}

TEST_CASE("Retry-After as an HTTP-date is honoured against the wall clock", "[platform][retry]") {
  ClientHarness h;  // wall clock pinned at Tue, 14 Nov 2023 22:13:20 GMT
  h.fake->next(response(503, "", {{"Retry-After", "Tue, 14 Nov 2023 22:13:27 GMT"}}))
      .next(response(200, "{}"));
  REQUIRE(h.client.send(h.client.make_request("GET", "/api/v1/me", "")));
  CHECK(h.gap(1) == 7000ms);
}

TEST_CASE("a Retry-After beyond max_retry_after fails the request at once, naming the wait", "[platform][retry]") {
  auto options = test_options();
  options.retry.max_retry_after = 5s;
  ClientHarness h(options);
  h.fake->next(response(429, R"({"detail":"quota exhausted"})", {{"Retry-After", "3600"}}));
  auto result = h.client.send(h.client.make_request("GET", "/api/v1/me", "me"));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().http_status == 429);
  CHECK(result.error().message == "GET /api/v1/me failed with 429 Too Many Requests");
  CHECK(result.error().detail ==
        "quota exhausted; the platform asked to retry after 3600 s, longer than the 5 s daoctl waits for one "
        "request, so it was not retried");
  CHECK(h.fake->requests().size() == 1);
  CHECK(h.fake->elapsed() < 1s);
}

TEST_CASE("a Retry-After up to max_retry_after is waited out", "[platform][retry]") {
  auto options = test_options();
  options.retry.max_retry_after = 5s;
  ClientHarness h(options);
  h.fake->next(response(429, "", {{"Retry-After", "5"}})).next(response(200, "{}"));
  REQUIRE(h.client.send(h.client.make_request("GET", "/api/v1/me", "")));
  CHECK(h.gap(1) == 5000ms);
}

TEST_CASE("parse_retry_after reads seconds and all three HTTP-date forms", "[platform][retry]") {
  using platform::parse_retry_after;
  CHECK(parse_retry_after("3", kWallNow) == 3000ms);
  CHECK(parse_retry_after(" 0 ", kWallNow) == 0ms);
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", kWallNow) == 10000ms);
  CHECK(parse_retry_after("Tuesday, 14-Nov-23 22:13:30 GMT", kWallNow) == 10000ms);
  CHECK(parse_retry_after("Tue Nov 14 22:13:30 2023", kWallNow) == 10000ms);
  CHECK(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", kWallNow) == 0ms);  // in the past
  CHECK_FALSE(parse_retry_after("soon", kWallNow).has_value());
  CHECK_FALSE(parse_retry_after("", kWallNow).has_value());
  CHECK_FALSE(parse_retry_after("-5", kWallNow).has_value());
  // Found by fuzzing: a date whose distance overflows system_clock's
  // nanoseconds (UB); like a huge delta-seconds value it means one day.
  CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kWallNow) == 86'400'000ms);
  CHECK(parse_retry_after("Sun, 14 Jan 2024 22:13:20 GMT", kWallNow) == 86'400'000ms);
  CHECK(parse_retry_after("Wed, 15 Nov 2023 22:13:30 GMT", kWallNow) == 86'410'000ms);
}

TEST_CASE("a POST without an Idempotency-Key is sent once", "[platform][retry]") {
  ClientHarness h;
  http::Request req;
  req.method = "POST";
  req.url = h.url("/api/v1/departments");
  req.body = R"({"name":"IT"})";
  req.object = "department IT";
  h.fake->next(response(503)).next(transport_error(Code::Reset, "Connection reset by peer"));

  auto result = h.client.send(req);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == ErrorKind::Remote);
  CHECK(result.error().http_status == 503);
  CHECK(result.error().message == "POST /api/v1/departments failed with 503 Service Unavailable");

  auto second = h.client.send(req);  // a reset is not retried either: the POST may have landed
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().kind == ErrorKind::Network);
  CHECK(h.fake->requests().size() == 2);
}

TEST_CASE("a POST made by make_request carries a key and is retried with the same key", "[platform][retry]") {
  ClientHarness h;
  h.fake->next(transport_error(Code::Timeout, "Operation timed out"))
      .next(response(503))
      .next(response(201, R"({"id":"7"})"));
  auto result = h.client.send_json("POST", "/api/v1/departments", "department IT", json{{"name", "IT"}});
  REQUIRE(result.has_value());
  CHECK((*result)["id"] == "7");
  const auto& sent = h.fake->requests();
  REQUIRE(sent.size() == 3);
  auto key_of = [](const http::Request& r) {
    for (const auto& header : r.headers) {
      if (header.name == "Idempotency-Key") return header.value;
    }
    return std::string();
  };
  CHECK_FALSE(key_of(sent[0].request).empty());
  CHECK(key_of(sent[1].request) == key_of(sent[0].request));
  CHECK(key_of(sent[2].request) == key_of(sent[0].request));
  CHECK(sent[2].request.body == R"({"name":"IT"})");
}

TEST_CASE("after max_attempts the error says how many attempts were made", "[platform][retry]") {
  auto options = test_options();
  options.retry.max_attempts = 4;
  ClientHarness h(options);
  for (int i = 0; i < 4; ++i) {
    h.fake->next(response(503, R"({"title":"Service Unavailable","detail":"maintenance"})",
                          {{"Content-Type", "application/problem+json"}}));
  }
  auto result = h.client.send(h.client.make_request("GET", "/scim/v2/Users/42", "user 42"));
  REQUIRE_FALSE(result.has_value());
  const Error& e = result.error();
  CHECK(e.kind == ErrorKind::Remote);
  CHECK(e.message == "GET /scim/v2/Users/42 failed with 503 Service Unavailable after 4 attempts");
  CHECK(e.object == "user 42");
  CHECK(e.detail == "maintenance");
  CHECK(e.http_status == 503);
  CHECK(h.fake->requests().size() == 4);
  CHECK(h.client.stats().retries == 3);
  CHECK(h.client.stats().failures == 1);
}

TEST_CASE("transport errors after retries become Network errors with the cause and a hint", "[platform][retry]") {
  auto options = test_options();
  options.retry.max_attempts = 2;
  ClientHarness h(options);
  h.fake->next(transport_error(Code::Connect, "Failed to connect to daoffice.example port 443"))
      .next(transport_error(Code::Connect, "Failed to connect to daoffice.example port 443"));
  auto result = h.client.send(h.client.make_request("GET", "/api/v1/health", ""));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == ErrorKind::Network);
  CHECK(result.error().message == "GET /api/v1/health failed after 2 attempts");
  CHECK(result.error().object == "GET /api/v1/health");
  CHECK(result.error().detail == "Failed to connect to daoffice.example port 443");
  CHECK_THAT(result.error().hint, Catch::Contains("base URL"));
}

TEST_CASE("backoff ceiling doubles per retry and stops at max_delay", "[platform][retry]") {
  RetryPolicy policy;
  policy.base_delay = 200ms;
  policy.max_delay = 1000ms;
  const std::vector<std::chrono::milliseconds> expected = {200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms};
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i + 1);
    CHECK(backoff_ceiling(policy, static_cast<int>(i + 1)) == expected[i]);
  }
  CHECK(backoff_ceiling(policy, 1000) == 1000ms);  // no overflow for a large count
}

TEST_CASE("observed delays stay under the growing ceiling and reach the cap", "[platform][retry]") {
  auto options = test_options();
  options.retry.max_attempts = 10;
  options.retry.base_delay = 100ms;
  options.retry.max_delay = 800ms;
  std::vector<std::chrono::milliseconds> longest(10, 0ms);
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    options.jitter_seed = seed;
    ClientHarness h(options);
    for (int i = 0; i < 9; ++i) h.fake->next(response(503));
    h.fake->next(response(200, "{}"));
    REQUIRE(h.client.send(h.client.make_request("GET", "/api/v1/me", "")));
    for (size_t retry = 1; retry < 10; ++retry) {
      CAPTURE(seed, retry);
      CHECK(h.gap(retry) <= backoff_ceiling(options.retry, static_cast<int>(retry)));
      longest[retry] = std::max(longest[retry], h.gap(retry));
    }
  }
  // Over 40 seeds full jitter gets close to each ceiling, so the delays grow.
  CHECK(longest[1] > 50ms);
  CHECK(longest[3] > 200ms);
  CHECK(longest[9] > 400ms);
  CHECK(longest[9] <= 800ms);
}

TEST_CASE("jitter is deterministic for a seed and differs between seeds", "[platform][retry]") {
  auto delays_for = [](uint64_t seed) {
    auto options = test_options();
    options.jitter_seed = seed;
    options.retry.max_attempts = 6;
    ClientHarness h(options);
    for (int i = 0; i < 5; ++i) h.fake->next(response(502));
    h.fake->next(response(200, "{}"));
    REQUIRE(h.client.send(h.client.make_request("GET", "/api/v1/me", "")));
    std::vector<std::chrono::milliseconds> gaps;
    for (size_t i = 1; i < 6; ++i) gaps.push_back(h.gap(i));
    return gaps;
  };
  CHECK(delays_for(7) == delays_for(7));
  CHECK(delays_for(7) != delays_for(8));
}

TEST_CASE("rate limit 10/s spaces 20 requests over at least 1.9 s", "[platform][ratelimit]") {
  auto options = test_options();
  options.rate_limit = 10;
  ClientHarness h(options);
  h.fake->respond_with([](const http::Request&) { return answer(response(200, "{}")); });
  std::vector<platform::Call> calls;
  int ok = 0;
  for (int i = 0; i < 20; ++i) {
    calls.push_back({h.client.make_request("GET", "/scim/v2/Users/" + std::to_string(i), ""),
                     [&](Result<http::Response> r) { ok += r.has_value() ? 1 : 0; }});
  }
  h.client.send_all(std::move(calls));
  CHECK(ok == 20);
  const auto& sent = h.fake->requests();
  REQUIRE(sent.size() == 20);
  CHECK(sent.back().started - sent.front().started >= 1900ms);
  for (size_t i = 1; i < sent.size(); ++i) {
    CAPTURE(i);
    CHECK(h.gap(i) >= 99ms);
  }
}

TEST_CASE("retries also respect the rate limit", "[platform][ratelimit]") {
  auto options = test_options();
  options.rate_limit = 2;  // one start per 500 ms
  options.retry.base_delay = 1ms;
  ClientHarness h(options);
  h.fake->next(response(503)).next(response(200, "{}"));
  REQUIRE(h.client.send(h.client.make_request("GET", "/api/v1/me", "")));
  CHECK(h.gap(1) >= 500ms);
}

TEST_CASE("send_all keeps at most max_in_flight requests on the wire", "[platform][concurrency]") {
  ClientHarness h(test_options(), 3);
  h.fake->respond_with([](const http::Request&) { return answer(response(204)); },
                       [](const http::Request&) { return 100ms; });
  std::vector<platform::Call> calls;
  int done = 0;
  for (int i = 0; i < 9; ++i) {
    calls.push_back({h.client.make_request("DELETE", "/scim/v2/Users/" + std::to_string(i), ""),
                     [&](Result<http::Response> r) { done += r.has_value() ? 1 : 0; }});
  }
  h.client.send_all(std::move(calls));
  CHECK(done == 9);
  CHECK(h.fake->max_seen_in_flight() == 3);
  CHECK(h.fake->elapsed() == 300ms);
}

TEST_CASE("a send from inside a completion fails instead of re-entering the transport", "[platform]") {
  ClientHarness h;
  h.fake->next(response(200, "{}"));
  std::optional<Result<http::Response>> nested;
  std::vector<platform::Call> calls;
  calls.push_back({h.client.make_request("GET", "/api/v1/me", ""), [&](Result<http::Response>) {
                     nested = h.client.send(h.client.make_request("GET", "/api/v1/health", ""));
                   }});
  h.client.send_all(std::move(calls));
  REQUIRE(nested.has_value());
  REQUIRE_FALSE(nested->has_value());
  CHECK(nested->error().kind == ErrorKind::Internal);
  // The client is usable again afterwards.
  h.fake->next(response(200, "{}"));
  CHECK(h.client.send(h.client.make_request("GET", "/api/v1/health", "")).has_value());
}

}  // namespace
}  // namespace daoctl::test
