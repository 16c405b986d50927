// SCIM (startIndex/count) and native cursor paging.
#include <catch2/catch.hpp>

#include "client_harness.hpp"

namespace daoctl::test {
namespace {

// The value of query parameter `name` in `url`, or -1.
long long query_number(const std::string& url, const std::string& name) {
  auto pos = url.find(name + "=");
  if (pos == std::string::npos) return -1;
  return std::stoll(url.substr(pos + name.size() + 1));
}

// A SCIM server holding users with ids 1..total, answering pages of at most
// max_count (the platform clamps count like this).
FakeTransport::Responder scim_users(long long total, long long max_count = 1000) {
  return [=](const http::Request& req) {
    const long long start = std::max(1LL, query_number(req.url, "startIndex"));
    const long long count = std::min(query_number(req.url, "count"), max_count);
    json resources = json::array();
    for (long long id = start; id < start + count && id <= total; ++id) {
      resources.push_back({{"id", std::to_string(id)}, {"userName", "user" + std::to_string(id)}});
    }
    json page = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:ListResponse"}},
                 {"totalResults", total},
                 {"startIndex", start},
                 {"itemsPerPage", resources.size()},
                 {"Resources", resources}};
    return answer(response(200, page.dump(), {{"Content-Type", "application/scim+json"}}));
  };
}

std::vector<long long> ids_of(const std::vector<json>& pages) {
  std::vector<long long> ids;
  for (const auto& page : pages) {
    for (const auto& r : page) ids.push_back(std::stoll(r["id"].get<std::string>()));
  }
  return ids;
}

std::vector<long long> iota(long long from, long long to) {
  std::vector<long long> v;
  for (long long i = from; i <= to; ++i) v.push_back(i);
  return v;
}

TEST_CASE("scim_list reads 2,500 users in pages of 1000, in order, though pages finish out of order",
          "[platform][paging]") {
  ClientHarness h;
  // Page 2 (startIndex 1001) is the slowest, so page 3 completes before it.
  h.fake->respond_with(scim_users(2500), [](const http::Request& req) {
    return query_number(req.url, "startIndex") == 1001 ? 500ms : 100ms;
  });
  std::vector<json> pages;
  auto status = h.client.scim_list("/scim/v2/Users", "", 1000, [&](const json& r) { pages.push_back(r); });
  REQUIRE(status.has_value());
  REQUIRE(pages.size() == 3);
  CHECK(pages[0].size() == 1000);
  CHECK(pages[2].size() == 500);
  CHECK(ids_of(pages) == iota(1, 2500));

  const auto& sent = h.fake->requests();
  REQUIRE(sent.size() == 3);
  CHECK(sent[1].request.url == h.url("/scim/v2/Users?startIndex=1001&count=1000"));
  CHECK(sent[2].request.url == h.url("/scim/v2/Users?startIndex=2001&count=1000"));
  CHECK(sent[1].started == sent[2].started);  // fetched concurrently
  const auto& order = h.fake->completion_order();
  REQUIRE(order.size() == 3);
  CHECK(order[1] == sent[2].request.url);  // page 3 did finish first
}

TEST_CASE("scim_list_resources hands over each resource's own text, in order, from one parse",
          "[platform][paging]") {
  // Bodies as another server writes them: whitespace and newlines between
  // tokens, braces and escaped quotes inside strings, nested objects and
  // arrays, a resource that is the last member, pages finishing out of order.
  auto user = [](long long id) {
    return "{ \"id\" : \"" + std::to_string(id) + "\",\n  \"displayName\": \"a } b \\\" ] {\",\n" +
           "  \"emails\": [ {\"value\": \"u" + std::to_string(id) + "@x\"} ], \"meta\": {\"v\": [1, {\"w\": []}]} }";
  };
  ClientHarness h;
  h.fake->respond_with(
      [&](const http::Request& req) {
        const long long start = query_number(req.url, "startIndex");
        std::string body = "{\n \"totalResults\" : 5 ,\n \"Resources\" : [\n  ";
        for (long long id = start; id < start + 2 && id <= 5; ++id) body += (id == start ? "" : " ,\n  ") + user(id);
        body += "\n ] ,\n \"itemsPerPage\": 2 }\n";
        return answer(response(200, body, {{"Content-Type", "application/scim+json"}}));
      },
      [](const http::Request& req) { return query_number(req.url, "startIndex") == 3 ? 300ms : 10ms; });
  std::vector<std::string> got;
  auto st = h.client.scim_list_resources("/scim/v2/Users", "", 2,
                                         [&](std::string_view body, std::span<const std::string_view> users) -> Status {
                                           for (auto u : users) {
                                             CHECK(u.data() >= body.data());
                                             CHECK(u.data() + u.size() <= body.data() + body.size());
                                             got.emplace_back(u);
                                           }
                                           return {};
                                         });
  REQUIRE(st.has_value());
  REQUIRE(got.size() == 5);
  for (long long id = 1; id <= 5; ++id) CHECK(got[static_cast<std::size_t>(id - 1)] == user(id));
}

TEST_CASE("scim_list_resources: a resource that is not an object fails its page", "[platform][paging]") {
  ClientHarness h;
  h.fake->next(response(200, R"({"totalResults":3,"Resources":[{"id":"1"},"2",{"id":"3"}]})"));
  int calls = 0;
  auto st = h.client.scim_list_resources("/scim/v2/Users", "", 100,
                                         [&](std::string_view, std::span<const std::string_view>) -> Status {
                                           ++calls;
                                           return {};
                                         });
  REQUIRE_FALSE(st.has_value());
  CHECK(st.error().kind == ErrorKind::Remote);
  CHECK(st.error().detail == "a resource is not an object");
  CHECK(st.error().object == "page 1 of /scim/v2/Users");
  CHECK(calls == 0);
}

TEST_CASE("scim_list encodes the filter and keeps an existing query", "[platform][paging]") {
  ClientHarness h;
  h.fake->on("GET",
             h.url("/scim/v2/Users?attributes=id&filter=userName%20eq%20%22%D0%B8%D0%B2%D0%B0%D0%BD%22&startIndex=1&count=50"),
             response(200, R"({"totalResults":1,"Resources":[{"id":"9"}]})"));
  int seen = 0;
  auto status = h.client.scim_list("/scim/v2/Users?attributes=id", R"(userName eq "иван")", 50,
                                   [&](const json& r) { seen += static_cast<int>(r.size()); });
  REQUIRE(status.has_value());
  CHECK(seen == 1);
}

TEST_CASE("scim_list follows the page size the server really uses", "[platform][paging]") {
  ClientHarness h;
  h.fake->respond_with(scim_users(2500, 1000));
  std::vector<json> pages;
  REQUIRE(h.client.scim_list("/scim/v2/Users", "", 5000, [&](const json& r) { pages.push_back(r); }));
  CHECK(ids_of(pages) == iota(1, 2500));
  CHECK(h.fake->requests().size() == 3);
  CHECK(h.fake->requests()[1].request.url == h.url("/scim/v2/Users?startIndex=1001&count=1000"));
}

TEST_CASE("scim_list with no results and with a missing Resources member", "[platform][paging]") {
  ClientHarness h;
  h.fake->next(response(200, R"({"totalResults":0})"));
  int pages = 0;
  REQUIRE(h.client.scim_list("/scim/v2/Groups", "displayName eq \"x\"", 100, [&](const json& r) {
    ++pages;
    CHECK(r.empty());
  }));
  CHECK(pages == 1);
  CHECK(h.fake->requests().size() == 1);
}

TEST_CASE("scim_list fails on an early empty page instead of returning a shorter list", "[platform][paging]") {
  ClientHarness h;
  // The server claims 5000 users but page 3 is empty: the listing is an
  // error naming the page, never 2000 users and success.
  auto full = scim_users(5000);
  h.fake->respond_with([&](const http::Request& req) {
    if (query_number(req.url, "startIndex") == 2001) {
      return answer(response(200, R"({"totalResults":5000,"Resources":[]})"));
    }
    return full(req);
  });
  std::vector<json> pages;
  auto status = h.client.scim_list("/scim/v2/Users", "", 1000, [&](const json& r) { pages.push_back(r); });
  REQUIRE_FALSE(status.has_value());
  CHECK(status.error().kind == ErrorKind::Remote);
  CHECK(status.error().object == "page 3 of /scim/v2/Users");
  CHECK(status.error().message == "short page in the listing of /scim/v2/Users");
  CHECK(status.error().detail ==
        "page 3 (startIndex 2001) returned 0 resources where totalResults 5000 and a page size of 1000 call "
        "for 1000; the listing would be 1000 short");
  CHECK(ids_of(pages) == iota(1, 2000));  // pages before it only; 4 and 5 are never delivered
  CHECK(h.fake->requests().size() == 5);
}

TEST_CASE("scim_list returns the error of the earliest failed page and delivers only pages before it",
          "[platform][paging]") {
  ClientHarness h;
  auto full = scim_users(4000);
  h.fake->respond_with(
      [&](const http::Request& req) {
        const auto start = query_number(req.url, "startIndex");
        if (start == 2001) return answer(response(404, R"({"detail":"gone"})"));
        if (start == 3001) return answer(response(400, R"({"detail":"bad"})"));
        return full(req);
      },
      [](const http::Request& req) { return query_number(req.url, "startIndex") == 3001 ? 10ms : 300ms; });
  std::vector<json> pages;
  auto status = h.client.scim_list("/scim/v2/Users", "", 1000, [&](const json& r) { pages.push_back(r); });
  REQUIRE_FALSE(status.has_value());
  CHECK(status.error().kind == ErrorKind::NotFound);
  CHECK(status.error().object == "page 3 of /scim/v2/Users");
  CHECK(ids_of(pages) == iota(1, 2000));
}

TEST_CASE("scim_list reports a page without Resources array as a Remote error", "[platform][paging]") {
  ClientHarness h;
  h.fake->next(response(200, R"({"totalResults":3,"Resources":{"id":"1"}})"));
  auto status = h.client.scim_list("/scim/v2/Users", "", 100, [](const json&) {});
  REQUIRE_FALSE(status.has_value());
  CHECK(status.error().kind == ErrorKind::Remote);
  CHECK(status.error().detail == R"(the page has no "Resources" array)");
}

TEST_CASE("cursor_list follows next_cursor until null, encoding the cursor", "[platform][paging]") {
  ClientHarness h;
  h.fake->on("GET", h.url("/api/v1/departments?parent_id=3&limit=2"),
             response(200, R"({"items":[{"id":"1"},{"id":"2"}],"next_cursor":"c/2=="})"))
      .on("GET", h.url("/api/v1/departments?parent_id=3&limit=2&cursor=c%2F2%3D%3D"),
          response(200, R"({"items":[{"id":"3"},{"id":"4"}],"next_cursor":"c4"})"))
      .on("GET", h.url("/api/v1/departments?parent_id=3&limit=2&cursor=c4"),
          response(200, R"({"items":[{"id":"5"}],"next_cursor":null})"));
  std::vector<std::string> ids;
  auto status = h.client.cursor_list("/api/v1/departments?parent_id=3", 2, [&](const json& items) {
    for (const auto& i : items) ids.push_back(i["id"]);
  });
  REQUIRE(status.has_value());
  CHECK(ids == std::vector<std::string>{"1", "2", "3", "4", "5"});
}

TEST_CASE("cursor_list ends on an absent cursor and refuses a repeated one", "[platform][paging]") {
  SECTION("absent next_cursor") {
    ClientHarness h;
    h.fake->next(response(200, R"({"items":[]})"));
    REQUIRE(h.client.cursor_list("/api/v1/jobs", 100, [](const json&) {}));
  }
  SECTION("repeated cursor") {
    ClientHarness h;
    h.fake->next(response(200, R"({"items":[1],"next_cursor":"abc"})"))
        .next(response(200, R"({"items":[2],"next_cursor":"abc"})"));
    auto status = h.client.cursor_list("/api/v1/jobs", 100, [](const json&) {});
    REQUIRE_FALSE(status.has_value());
    CHECK(status.error().kind == ErrorKind::Remote);
    CHECK(status.error().object == "page 2 of /api/v1/jobs");
  }
  SECTION("missing items") {
    ClientHarness h;
    h.fake->next(response(200, R"({"next_cursor":null})"));
    auto status = h.client.cursor_list("/api/v1/jobs", 100, [](const json&) {});
    REQUIRE_FALSE(status.has_value());
    CHECK(status.error().detail == R"(the page has no "items" array)");
  }
}

}  // namespace
}  // namespace daoctl::test
