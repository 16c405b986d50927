// A server that accepts and never answers: each retry is told in one line,
// and the command's time limit (--timeout) bounds all attempts together, not
// each one (issue 19). Virtual time: a 30 s stall costs nothing.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

namespace daoctl::test {
namespace {

using Code = http::TransportError::Code;

struct Stalling {
  std::unique_ptr<platform::PlatformClient> client;
  FakeTransport* fake = nullptr;
  std::vector<std::string> notices;

  explicit Stalling(std::optional<std::chrono::milliseconds> limit, int max_attempts = 5) {
    auto transport = std::make_unique<FakeTransport>();
    fake = transport.get();
    auto o = test_options();
    o.retry.max_attempts = max_attempts;
    o.attempt_timeout = 30s;
    if (limit) {
      o.deadline = fake->now() + *limit;
      o.deadline_name = "--timeout " + std::to_string(limit->count() / 1000) + " s";
    }
    o.on_retry = [this](const std::string& line) { notices.push_back(line); };
    // Never answers: every attempt ends when its own timeout does.
    fake->respond_with([](const http::Request&) { return transport_error(Code::Timeout, "Operation timed out"); },
                       [](const http::Request& r) { return r.timeout.count() > 0 ? r.timeout : 30'000ms; });
    client = std::make_unique<platform::PlatformClient>(std::move(transport), o);
  }
};

TEST_CASE("a silent server: one notice per retry, and the time limit ends all attempts together", "[platform][deadline]") {
  Stalling s(70s);
  auto result = s.client->send(s.client->make_request("GET", "/scim/v2/Users", "users"));
  REQUIRE_FALSE(result);
  // 30 s + 30 s + what is left: never past the limit, however many attempts remain.
  CHECK(s.fake->elapsed() <= 70s);
  CHECK(s.fake->elapsed() >= 60s);
  const auto& requests = s.fake->requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].request.timeout == 30s);
  CHECK(requests[1].request.timeout == 30s);
  CHECK(requests[2].request.timeout < 10s);  // cut to end by the limit
  CHECK(requests[2].started + requests[2].request.timeout <= s.fake->start_time() + 70s);
  REQUIRE(s.notices.size() == 2);
  CHECK_THAT(s.notices[0], Catch::Matches("no answer from daoffice\\.example in 30 s, retry 2/5 in [0-9.]+ s"));
  CHECK_THAT(s.notices[1], Catch::Matches("no answer from daoffice\\.example in 30 s, retry 3/5 in [0-9.]+ s"));
  CHECK(result.error().kind == ErrorKind::Network);
  CHECK(result.error().message == "GET /scim/v2/Users failed after 3 attempts");
  CHECK_THAT(result.error().detail,
             Catch::Contains("the command's time limit (--timeout 70 s) ran out before attempt 4 of 5"));
  CHECK_THAT(result.error().hint, Catch::Contains("--timeout"));
}

TEST_CASE("without a limit a silent server gets every attempt, each told", "[platform][deadline]") {
  Stalling s(std::nullopt);
  auto result = s.client->send(s.client->make_request("GET", "/api/v1/me", "me"));
  REQUIRE_FALSE(result);
  CHECK(s.fake->requests().size() == 5);
  CHECK(s.fake->elapsed() >= 150s);
  REQUIRE(s.notices.size() == 4);
  CHECK_THAT(s.notices[3], Catch::StartsWith("no answer from daoffice.example in 30 s, retry 5/5 in "));
  CHECK(result.error().message == "GET /api/v1/me failed after 5 attempts");
  CHECK(result.error().detail.find("time limit") == std::string::npos);
}

TEST_CASE("a limit shorter than one attempt cuts the first attempt and allows no retry", "[platform][deadline]") {
  Stalling s(5s);
  auto result = s.client->send(s.client->make_request("GET", "/api/v1/me", "me"));
  REQUIRE_FALSE(result);
  REQUIRE(s.fake->requests().size() == 1);
  CHECK(s.fake->requests()[0].request.timeout == 5s);
  CHECK(s.fake->elapsed() == 5s);
  CHECK(s.notices.empty());
  CHECK_THAT(result.error().detail, Catch::Contains("ran out before attempt 2 of 5"));
}

TEST_CASE("a long transfer's own timeout is cut to the limit too", "[platform][deadline]") {
  Stalling s(40s);
  auto req = s.client->make_request("GET", "/api/v1/backups/b1/download", "backup b1");
  req.timeout = std::chrono::hours(12);
  auto result = s.client->send(std::move(req));
  REQUIRE_FALSE(result);
  CHECK(s.fake->requests()[0].request.timeout == 40s);
  CHECK(s.fake->elapsed() <= 40s);
}

TEST_CASE("throttling is not a retry notice, a refused connection and a 502 are", "[platform][deadline]") {
  auto transport = std::make_unique<FakeTransport>();
  FakeTransport* fake = transport.get();
  std::vector<std::string> notices;
  auto o = test_options();
  o.on_retry = [&](const std::string& line) { notices.push_back(line); };
  fake->next(response(503, "", {{"Retry-After", "1"}}))
      .next(response(429, "", {{"Retry-After", "1"}}))
      .next(transport_error(Code::Connect, "Couldn't connect to server"))
      .next(response(502))
      .next(response(200, "{}"));
  platform::PlatformClient client(std::move(transport), o);
  auto result = client.send(client.make_request("GET", "/api/v1/me", "me"));
  REQUIRE(result);
  REQUIRE(notices.size() == 2);
  CHECK_THAT(notices[0], Catch::StartsWith("cannot connect to daoffice.example, retry 4/5 in "));
  CHECK_THAT(notices[1], Catch::StartsWith("daoffice.example answered 502 Bad Gateway, retry 5/5 in "));
}

}  // namespace
}  // namespace daoctl::test
