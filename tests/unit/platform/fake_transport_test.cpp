// The fake itself: virtual time and the registry checks. The [!shouldfail]
// cases pass only when the fake fails the test, as it must.
#include <catch2/catch.hpp>

#include "tests/unit/common/fake_transport.hpp"

namespace daoctl::test {
namespace {

http::Request get(const std::string& url) {
  http::Request r;
  r.url = url;
  return r;
}

TEST_CASE("the fake starts a request at its not_before in virtual time", "[platform][fake]") {
  FakeTransport fake;
  fake.next(response(200), 250ms).next(response(200));
  std::vector<long> statuses;
  fake.submit(get("http://a/1"), fake.now() + 10s, [&](http::Outcome o) { statuses.push_back(o.response->status); });
  fake.submit(get("http://a/2"), fake.now(), [&](http::Outcome o) { statuses.push_back(o.response->status); });
  fake.run();
  REQUIRE(fake.requests().size() == 2);
  CHECK(fake.requests()[0].request.url == "http://a/2");
  CHECK(fake.requests()[0].started == fake.start_time());
  CHECK(fake.requests()[1].started == fake.start_time() + 10s);
  CHECK(fake.elapsed() == 10s);  // the second answer has no latency
  CHECK(statuses.size() == 2);
}

TEST_CASE("an unused scripted response fails the test", "[platform][fake][!shouldfail]") {
  FakeTransport fake;
  fake.on("GET", "http://a/never", response(200));
}

TEST_CASE("a request with no scripted response fails the test", "[platform][fake][!shouldfail]") {
  FakeTransport fake;
  std::optional<http::Outcome> outcome;
  fake.submit(get("http://a/unknown"), fake.now(), [&](http::Outcome o) { outcome = std::move(o); });
  fake.run();
  CHECK(outcome.has_value());
}

TEST_CASE("a throwing completion drops the other transfers and propagates", "[platform][fake]") {
  FakeTransport fake;
  fake.respond_with([](const http::Request&) { return answer(response(200)); });
  int called = 0;
  fake.submit(get("http://a/1"), fake.now(), [&](http::Outcome) { ++called; throw std::runtime_error("stop"); });
  fake.submit(get("http://a/2"), fake.now() + 1s, [&](http::Outcome) { ++called; });
  CHECK_THROWS_AS(fake.run(), std::runtime_error);
  fake.run();  // nothing left
  CHECK(called == 1);
}

}  // namespace
}  // namespace daoctl::test
