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

http::Request request(const std::string& method, const std::string& url) {
  http::Request r = get(url);
  r.method = method;
  return r;
}

// Submits each request in turn, runs the fake, and returns the statuses.
std::vector<long> statuses_of(http::Transport& transport, const std::vector<http::Request>& requests) {
  std::vector<long> statuses;
  for (const auto& r : requests)
    transport.submit(r, transport.now(), [&](http::Outcome o) { statuses.push_back(o.response ? o.response->status : -1); });
  transport.run();
  return statuses;
}

TEST_CASE("a path target matches on any host, after a whole URL's stubs", "[platform][fake]") {
  FakeTransport fake;
  fake.on("GET", "/x?a=1", response(201)).on("GET", "http://b/x?a=1", response(202));
  CHECK(statuses_of(fake, {get("http://a/x?a=1"), get("http://b/x?a=1")}) == std::vector<long>{201, 202});
  CHECK(fake.unused() == 0);
}

TEST_CASE("a route answers every request for its target once the scripted ones are used", "[platform][fake]") {
  FakeTransport fake;
  int calls = 0;
  fake.on("GET", "/r", response(200)).serve("GET", "/r", [&](const http::Request& r) {
    ++calls;
    return answer(response(r.method == "GET" ? 204 : 500));
  });
  CHECK(statuses_of(fake, {get("http://a/r"), get("http://a/r"), get("http://b/r")}) ==
        std::vector<long>{200, 204, 204});
  CHECK(calls == 2);
  fake.serve("GET", "/r", [](const http::Request&) { return answer(response(410)); });
  CHECK(statuses_of(fake, {get("http://a/r")}) == std::vector<long>{410});
  CHECK(fake.requests_to("GET", "/r").size() == 4);
  CHECK(fake.requests_to("GET", "http://b/r").size() == 1);
  CHECK(fake.requests_to("POST", "/r").empty());
}

TEST_CASE("answer_unmatched answers what matches nothing and lists it", "[platform][fake]") {
  FakeTransport fake;
  fake.answer_unmatched(answer(response(599)));
  fake.on("DELETE", "/u/1", response(204));
  CHECK(statuses_of(fake, {request("DELETE", "http://a/u/1"), request("POST", "http://a/u/1")}) ==
        std::vector<long>{204, 599});
  CHECK(fake.unmatched() == std::vector<std::string>{"POST http://a/u/1"});
}

TEST_CASE("allow_unused turns off the unused-response check", "[platform][fake]") {
  FakeTransport fake;
  fake.on("GET", "http://a/never", response(200)).next(response(200));
  CHECK(fake.unused() == 2);
  fake.allow_unused();
}

TEST_CASE("clients sharing a fake see one record and one clock", "[platform][fake]") {
  auto fake = std::make_shared<FakeTransport>();
  fake->next(response(200), 3s).next(response(201));
  SharedFakeTransport first(fake);
  SharedFakeTransport second(fake);
  CHECK(statuses_of(first, {get("http://a/1")}) == std::vector<long>{200});
  CHECK(second.now() == fake->start_time() + 3s);
  CHECK(statuses_of(second, {get("http://a/2")}) == std::vector<long>{201});
  REQUIRE(fake->requests().size() == 2);
  CHECK(fake->requests()[1].started == fake->start_time() + 3s);
}

}  // namespace
}  // namespace daoctl::test
