#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "connectors/hr/http_json_source.hpp"
#include "fixtures.hpp"
#include "tests/unit/common/fake_transport.hpp"

using namespace daoctl;
using namespace daoctl::hr;
using daoctl::hr::test::collect_into;
using daoctl::hr::test::describe_fields;
using daoctl::test::FakeTransport;
using daoctl::test::response;
using daoctl::test::transport_error;

namespace {

const std::string kSecret = "Bearer s3cr3t-t0ken";

HttpJsonSourceOptions base_options(std::string url) {
  HttpJsonSourceOptions o;
  o.url = std::move(url);
  o.auth_value = kSecret;
  o.record.key = "id";
  return o;
}

std::string auth_of(const http::Request& r) {
  for (const auto& h : r.headers)
    if (h.name == "Authorization") return h.value;
  return {};
}

std::vector<std::string> urls_of(const FakeTransport& t) {
  std::vector<std::string> urls;
  for (const auto& r : t.requests()) urls.push_back(r.request.url);
  return urls;
}

long long elapsed_seconds(const FakeTransport& t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.elapsed()).count();
}

std::vector<std::string> ids_of(const std::vector<SourceRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.emplace_back(r.first("id"));
  return ids;
}

void check_no_secret(const Error& e) {
  for (const std::string* s : {&e.message, &e.object, &e.detail, &e.hint})
    CHECK(s->find("s3cr3t") == std::string::npos);
}

}  // namespace

TEST_CASE("next link in the body, relative, with the auth header on every page", "[http]") {
  FakeTransport t;
  t.on("GET", "https://hr.example/api/employees",
       response(200, R"({"data":[{"id":"1","name":"Анна"},{"id":"2"}],"links":{"next":"/api/employees?page=2"}})"));
  t.on("GET", "https://hr.example/api/employees?page=2",
       response(200, R"({"data":[{"id":"3"}],"links":{"next":null}})"));
  auto o = base_options("https://hr.example/api/employees");
  o.records_pointer = "/data";
  o.paging = HttpPaging::NextLink;
  o.next_pointer = "/links/next";
  std::vector<SourceRecord> records;
  auto report = read_http_json(t, o, collect_into(records));
  REQUIRE(report);
  CHECK(report->complete);
  CHECK(report->pages == 2);
  CHECK(report->records == 3);
  CHECK(ids_of(records) == std::vector<std::string>{"1", "2", "3"});
  CHECK(records[0].first("name") == "Анна");
  CHECK(records[2].origin == "https://hr.example/api/employees?page=2#/data/0");
  REQUIRE(t.requests().size() == 2);
  for (const auto& [r, started] : t.requests()) {
    CHECK(auth_of(r) == kSecret);
    CHECK(r.method == "GET");
    CHECK(r.idempotent);
  }
  CHECK(t.requests()[1].request.object == "GET https://hr.example/api/employees?page=2");
  CHECK(t.unmatched().empty());
  CHECK(t.unused() == 0);
}

TEST_CASE("next link in the RFC 8288 Link header", "[http]") {
  FakeTransport t;
  t.on("GET", "https://hr.example/v1/people?limit=2",
       response(200, R"([{"id":"1"},{"id":"2"}])",
                {{"link", R"(<https://hr.example/v1/people?limit=2&after=2>; rel="next", <https://hr.example/v1/people?limit=2&after=4>; rel="last")"}}));
  t.on("GET", "https://hr.example/v1/people?limit=2&after=2",
       response(200, R"([{"id":"3"},{"id":"4"}])", {{"link", R"(<?limit=2&after=4>; rel="last next")"}}));
  t.on("GET", "https://hr.example/v1/people?limit=2&after=4",
       response(200, R"([{"id":"5"}])", {{"link", R"(<https://hr.example/v1/people?limit=2>; rel="first")"}}));
  auto o = base_options("https://hr.example/v1/people?limit=2");
  o.paging = HttpPaging::NextLink;
  std::vector<SourceRecord> records;
  auto report = read_http_json(t, o, collect_into(records));
  REQUIRE(report);
  CHECK(report->pages == 3);
  CHECK(ids_of(records) == std::vector<std::string>{"1", "2", "3", "4", "5"});
  CHECK(t.unmatched().empty());
}

TEST_CASE("page numbers until an empty page or total_pages", "[http]") {
  SECTION("until an empty page") {
    FakeTransport t;
    t.on("GET", "https://hr.example/api/staff?active=true&page=1&per_page=2",
         response(200, R"({"staff":[{"id":"1"},{"id":"2"}]})"));
    t.on("GET", "https://hr.example/api/staff?active=true&page=2&per_page=2",
         response(200, R"({"staff":[{"id":"3"}]})"));
    t.on("GET", "https://hr.example/api/staff?active=true&page=3&per_page=2",
         response(200, R"({"staff":[]})"));
    auto o = base_options("https://hr.example/api/staff?active=true");
    o.records_pointer = "/staff";
    o.paging = HttpPaging::PageNumber;
    o.page_size_parameter = "per_page";
    o.page_size = 2;
    std::vector<SourceRecord> records;
    auto report = read_http_json(t, o, collect_into(records));
    REQUIRE(report);
    CHECK(report->pages == 3);
    CHECK(ids_of(records) == std::vector<std::string>{"1", "2", "3"});
    CHECK(t.unmatched().empty());
  }
  SECTION("until total_pages, without asking for one more") {
    FakeTransport t;
    t.on("GET", "https://hr.example/api/staff?page=0", response(200, R"({"staff":[{"id":"1"}],"meta":{"total_pages":2}})"));
    t.on("GET", "https://hr.example/api/staff?page=1", response(200, R"({"staff":[{"id":"2"}],"meta":{"total_pages":2}})"));
    auto o = base_options("https://hr.example/api/staff");
    o.records_pointer = "/staff";
    o.paging = HttpPaging::PageNumber;
    o.first_page = 0;
    o.total_pages_pointer = "/meta/total_pages";
    std::vector<SourceRecord> records;
    auto report = read_http_json(t, o, collect_into(records));
    REQUIRE(report);
    CHECK(urls_of(t) == std::vector<std::string>{"https://hr.example/api/staff?page=0",
                                                 "https://hr.example/api/staff?page=1"});
    CHECK(ids_of(records) == std::vector<std::string>{"1", "2"});
  }
}

TEST_CASE("cursor paging, the cursor percent-encoded", "[http]") {
  FakeTransport t;
  t.on("GET", "https://hr.example/api/emp?fields=all",
       response(200, R"({"items":[{"id":"1"}],"meta":{"next_cursor":"a b/c=="}})"));
  t.on("GET", "https://hr.example/api/emp?fields=all&cursor=a%20b%2Fc%3D%3D",
       response(200, R"({"items":[{"id":"2"}],"meta":{"next_cursor":""}})"));
  auto o = base_options("https://hr.example/api/emp?fields=all");
  o.records_pointer = "/items";
  o.paging = HttpPaging::Cursor;
  o.cursor_pointer = "/meta/next_cursor";
  std::vector<SourceRecord> records;
  auto report = read_http_json(t, o, collect_into(records));
  REQUIRE(report);
  CHECK(ids_of(records) == std::vector<std::string>{"1", "2"});
  CHECK(t.unmatched().empty());

  o.cursor_pointer.clear();
  auto bad = read_http_json(t, o, collect_into(records));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == ErrorKind::Config);
}

TEST_CASE("a failed page fails the whole read", "[http]") {
  FakeTransport t;
  t.on("GET", "https://hr.example/e?page=1", response(200, R"([{"id":"1"}])"));
  t.on("GET", "https://hr.example/e?page=2", response(500, R"({"error":"database down"})"));
  auto o = base_options("https://hr.example/e");
  o.paging = HttpPaging::PageNumber;
  std::vector<SourceRecord> records;
  auto report = read_http_json(t, o, collect_into(records));
  REQUIRE_FALSE(report);
  CHECK(report.error().kind == ErrorKind::Remote);
  CHECK(report.error().http_status == 500);
  CHECK(report.error().message == "cannot read HR source page");
  CHECK(report.error().object == "GET https://hr.example/e?page=2");
  CHECK(report.error().detail == R"(HTTP 500: {"error":"database down"})");
  CHECK(records.size() == 1);      // page 1 reached the sink, but the read failed as a whole
  CHECK(t.requests().size() == 2);  // a 500 is not retried: the server said it failed
  check_no_secret(report.error());
}

TEST_CASE("429/503 and connection errors are retried, Retry-After is honoured", "[http]") {
  SECTION("recovers") {
    FakeTransport t;
    t.on("GET", "https://hr.example/e", response(503, "busy", {{"retry-after", "5"}}));
    t.on("GET", "https://hr.example/e",
         transport_error(http::TransportError::Code::Reset, "connection reset"));
    t.on("GET", "https://hr.example/e", response(200, R"([{"id":"1"}])"));
    auto o = base_options("https://hr.example/e");
    std::vector<SourceRecord> records;
    auto report = read_http_json(t, o, collect_into(records));
    REQUIRE(report);
    CHECK(records.size() == 1);
    CHECK(t.requests().size() == 3);
    CHECK(elapsed_seconds(t) == 5 + 2);  // Retry-After, then the 2nd backoff step
  }
  SECTION("gives up") {
    FakeTransport t;
    for (int i = 0; i < 3; ++i)
      t.on("GET", "https://hr.example/e",
           transport_error(http::TransportError::Code::Connect, "connection refused"));
    auto o = base_options("https://hr.example/e");
    std::vector<SourceRecord> records;
    auto report = read_http_json(t, o, collect_into(records));
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::Network);
    CHECK(report.error().detail == "connection refused (after 3 attempts)");
    CHECK(elapsed_seconds(t) == 1 + 2);
  }
}

TEST_CASE("401 is an auth error that never shows the secret", "[http]") {
  FakeTransport t;
  t.on("GET", "https://hr.example/e?api_key=abc123&dept=7", response(401, R"({"message":"bad token"})"));
  auto o = base_options("https://hr.example/e?api_key=abc123&dept=7");
  auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
  REQUIRE_FALSE(report);
  CHECK(report.error().kind == ErrorKind::Auth);
  CHECK(report.error().object == "GET https://hr.example/e?api_key=REDACTED&dept=7");
  CHECK(report.error().hint == "check the secret that provides the Authorization header");
  CHECK(report.error().describe().find("abc123") == std::string::npos);
  check_no_secret(report.error());
}

TEST_CASE("paging guards: loops, the page limit, pages that are not JSON", "[http]") {
  SECTION("a next link back to a page already read") {
    FakeTransport t;
    t.on("GET", "https://hr.example/e", response(200, R"({"d":[{"id":"1"}],"next":"/e?p=2"})"));
    t.on("GET", "https://hr.example/e?p=2", response(200, R"({"d":[{"id":"2"}],"next":"https://hr.example/e"})"));
    auto o = base_options("https://hr.example/e");
    o.records_pointer = "/d";
    o.paging = HttpPaging::NextLink;
    o.next_pointer = "/next";
    auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::Safety);
    CHECK(report.error().message == "HR source paging loops");
    CHECK(report.error().detail == "page 3 links back to a page already read");
  }
  SECTION("more pages than max_pages") {
    FakeTransport t;
    t.on("GET", "https://hr.example/e?page=1", response(200, R"([{"id":"1"}])"));
    t.on("GET", "https://hr.example/e?page=2", response(200, R"([{"id":"2"}])"));
    auto o = base_options("https://hr.example/e");
    o.paging = HttpPaging::PageNumber;
    o.max_pages = 2;
    auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::Safety);
    CHECK(report.error().message == "HR source has more than 2 pages");
    CHECK(t.requests().size() == 2);
  }
  SECTION("a page that is not JSON") {
    FakeTransport t;
    t.on("GET", "https://hr.example/e", response(200, "[{\"id\":\"1\"},\n <html>"));
    auto o = base_options("https://hr.example/e");
    auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().kind == ErrorKind::Parse);
    CHECK(report.error().message == "HR source page 1 is not valid JSON");
    CHECK(report.error().object == "GET https://hr.example/e:2:2");
  }
}

TEST_CASE("URL helpers", "[http]") {
  CHECK(redact_url("https://u:pw@hr.example/a?token=x&page=2&X-Amz-Signature=s#f") ==
        "https://REDACTED@hr.example/a?token=REDACTED&page=2&X-Amz-Signature=REDACTED#f");
  CHECK(redact_url("https://hr.example/a") == "https://hr.example/a");
  CHECK(resolve_url("https://hr.example/api/v1/emp?page=1", "?page=2") ==
        "https://hr.example/api/v1/emp?page=2");
  CHECK(resolve_url("https://hr.example/api/v1/emp?page=1", "/other") == "https://hr.example/other");
  CHECK(resolve_url("https://hr.example/api/v1/emp", "emp2?x=1") == "https://hr.example/api/v1/emp2?x=1");
  CHECK(resolve_url("https://hr.example/api", "//cdn.example/x") == "https://cdn.example/x");
  CHECK(resolve_url("https://hr.example/api", "http://other.example/y") == "http://other.example/y");
  CHECK(next_link({R"(<https://a/1>; rel=prev)", R"(<https://a/3>; rel=next; title="x, y")"}) ==
        "https://a/3");
  CHECK(next_link({R"(<https://a/1>; rel="prev")"}).empty());
}

TEST_CASE("url_origin: scheme, host and port, canonical", "[http]") {
  CHECK(url_origin("https://HR.Example/api?x=1") == "https://hr.example:443");
  CHECK(url_origin("https://hr.example:443/") == "https://hr.example:443");
  CHECK(url_origin("http://hr.example") == "http://hr.example:80");
  CHECK(url_origin("HTTP://hr.example.:8080#f") == "http://hr.example:8080");
  CHECK(url_origin("https://user:pw@hr.example:8443/x") == "https://hr.example:8443");
  CHECK(url_origin("https://hr.example@evil.example/x") == "https://evil.example:443");
  CHECK(url_origin("https://evil.example#@hr.example/") == "https://evil.example:443");
  CHECK(url_origin("https://[::1]:8443/x") == "https://[::1]:8443");
  CHECK(url_origin("https://[::1]/x") == "https://[::1]:443");
  CHECK_FALSE(url_origin("ftp://hr.example/x"));
  CHECK_FALSE(url_origin("/relative"));
  CHECK_FALSE(url_origin("https:///x"));
  CHECK_FALSE(url_origin("https://hr.example:99999/"));
  CHECK_FALSE(url_origin("https://hr.example:44x/"));
  CHECK_FALSE(url_origin("https://hr%2eexample/"));
}

TEST_CASE("the auth header never follows a next link to another origin", "[http][origin]") {
  struct Case {
    const char* name;
    const char* link;  // in the first page's body
    const char* why;   // in the error detail
  };
  const Case cases[] = {
      {"another host", "https://collector.example/api/employees?page=2", "origin https://collector.example:443"},
      {"another port", "https://hr.example:8443/api/employees?page=2", "origin https://hr.example:8443"},
      {"plain http, same host", "http://hr.example/api/employees?page=2", "downgrades https://hr.example:443"},
      {"protocol-relative, another host", "//collector.example/page2", "origin https://collector.example:443"},
      {"userinfo trick", "https://hr.example@collector.example/page2", "origin https://collector.example:443"},
      {"not http", "ftp://hr.example/page2", "not an http(s) URL"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      FakeTransport t;
      t.on("GET", "https://hr.example/api/employees",
           response(200, fmt::format(R"({{"data":[{{"id":"1"}}],"next":"{}"}})", c.link)));
      auto o = base_options("https://hr.example/api/employees");
      o.records_pointer = "/data";
      o.paging = HttpPaging::NextLink;
      o.next_pointer = "/next";
      std::vector<SourceRecord> records;
      auto report = read_http_json(t, o, collect_into(records));
      REQUIRE_FALSE(report);
      CHECK(report.error().kind == ErrorKind::Safety);
      CHECK(report.error().message == "HR source's next page link leaves the source's origin");
      CHECK(report.error().detail.find(c.why) != std::string::npos);
      CHECK(report.error().detail.find("page 1 (https://hr.example/api/employees) links to ") != std::string::npos);
      check_no_secret(report.error());
      // Only the first page was requested: the link's host got nothing.
      CHECK(urls_of(t) == std::vector<std::string>{"https://hr.example/api/employees"});
    }
  }
}

TEST_CASE("Link header paging keeps to the origin too, allowed_origins opens one more", "[http][origin]") {
  auto script = [](FakeTransport& t) {
    t.on("GET", "https://hr.example/v1/people",
         response(200, R"([{"id":"1"}])", {{"link", R"(<https://hr2.example:8443/v1/people?after=1>; rel="next")"}}));
    t.on("GET", "https://hr2.example:8443/v1/people?after=1",
         response(200, R"([{"id":"2"}])", {{"link", R"(<http://hr2.example:8443/v1/people?after=2>; rel="next")"}}));
  };
  auto o = base_options("https://hr.example/v1/people");
  o.paging = HttpPaging::NextLink;
  SECTION("not listed: refused before the request") {
    FakeTransport t;
    script(t);
    // The script is shared with the next section, which follows the link to
    // hr2; here that second page must never be requested, so it stays unused.
    t.allow_unused();
    auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().object == "https://hr2.example:8443/v1/people?after=1");
    CHECK(report.error().hint.find("allowed_origins") != std::string::npos);
    CHECK(t.requests().size() == 1);
    CHECK(t.unused() == 1);  // hr2's page, refused
  }
  SECTION("listed: followed with the header, but a later downgrade to http is still refused") {
    FakeTransport t;
    script(t);
    o.allowed_origins = {"HTTPS://hr2.example:8443/"};
    auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
    REQUIRE_FALSE(report);
    CHECK(report.error().detail.find("page 2 ") != std::string::npos);
    CHECK(report.error().detail.find("links to http://hr2.example:8443/v1/people?after=2: it downgrades") !=
          std::string::npos);
    REQUIRE(t.requests().size() == 2);
    CHECK(auth_of(t.requests()[1].request) == kSecret);
  }
  SECTION("an allowed origin that is not an origin, or http after https, is a config error") {
    for (const char* bad : {"https://hr2.example/api", "hr2.example", "http://hr2.example"}) {
      FakeTransport t;
      o.allowed_origins = {bad};
      auto report = read_http_json(t, o, [](SourceRecord&&) -> Status { return {}; });
      REQUIRE_FALSE(report);
      CHECK(report.error().kind == ErrorKind::Config);
      CHECK(report.error().detail.find("allowed_origins") != std::string::npos);
      CHECK(t.requests().empty());
    }
  }
}

TEST_CASE("same origin written differently is followed", "[http][origin]") {
  FakeTransport t;
  t.on("GET", "https://hr.example/e", response(200, R"({"d":[{"id":"1"}],"n":"HTTPS://HR.EXAMPLE:443/e?p=2"})"));
  t.on("GET", "HTTPS://HR.EXAMPLE:443/e?p=2", response(200, R"({"d":[{"id":"2"}]})"));
  auto o = base_options("https://hr.example/e");
  o.records_pointer = "/d";
  o.paging = HttpPaging::NextLink;
  o.next_pointer = "/n";
  std::vector<SourceRecord> records;
  auto report = read_http_json(t, o, collect_into(records));
  REQUIRE(report);
  CHECK(ids_of(records) == std::vector<std::string>{"1", "2"});
}

// --- Conditional re-reads (sync watch, issue 20) ---

namespace {

std::string header_of(const http::Request& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return {};
}

bool conditional(const http::Request& r) {
  return !header_of(r, "If-None-Match").empty() || !header_of(r, "If-Modified-Since").empty();
}

http::Response page(std::string body, std::string etag, std::string last_modified = "") {
  http::Response r = response(200, std::move(body));
  if (!etag.empty()) r.headers.emplace("etag", std::move(etag));
  if (!last_modified.empty()) r.headers.emplace("last-modified", std::move(last_modified));
  return r;
}

http::Response not_modified() { return response(304); }

}  // namespace

TEST_CASE("unpaged: a complete read returns its validators, the next read with them is a 304", "[http][conditional]") {
  FakeTransport t;
  const std::string url = "https://hr.example/api/staff?api_key=k3y-s3cr3t";
  t.on("GET", url, page(R"([{"id":"1"},{"id":"2"}])", R"(W/"v1")", "Sun, 06 Dec 2026 10:00:00 GMT"));
  auto o = base_options(url);
  std::vector<SourceRecord> records;
  HttpReadOutcome first;
  auto report = read_http_json(t, o, collect_into(records), &first);
  REQUIRE(report);
  CHECK(report->complete);
  CHECK(records.size() == 2);
  CHECK_FALSE(first.not_modified);
  CHECK_FALSE(first.changed);
  REQUIRE(first.validators.size() == 1);
  // Saved in the state directory: the API key in the URL is not.
  CHECK(first.validators[0].url == "https://hr.example/api/staff?api_key=REDACTED");
  CHECK(first.validators[0].etag == R"(W/"v1")");
  CHECK(first.validators[0].last_modified == "Sun, 06 Dec 2026 10:00:00 GMT");
  REQUIRE(t.requests().size() == 1);
  CHECK_FALSE(conditional(t.requests()[0].request));

  t.on("GET", url, not_modified());
  o.validators = first.validators;
  records.clear();
  HttpReadOutcome second;
  report = read_http_json(t, o, collect_into(records), &second);
  REQUIRE(report);
  CHECK(second.not_modified);
  CHECK(records.empty());
  CHECK(report->records == 0);
  CHECK_FALSE(report->complete);  // nothing was read: never mistaken for an empty source
  CHECK(second.validators == first.validators);
  REQUIRE(t.requests().size() == 2);
  CHECK(header_of(t.requests()[1].request, "If-None-Match") == R"(W/"v1")");  // weak ETag sent as received
  CHECK(header_of(t.requests()[1].request, "If-Modified-Since") == "Sun, 06 Dec 2026 10:00:00 GMT");
  CHECK(auth_of(t.requests()[1].request) == kSecret);
  CHECK(t.unused() == 0);
}

TEST_CASE("unpaged: a 200 to a conditional request is the complete read, fetched once", "[http][conditional]") {
  FakeTransport t;
  const std::string url = "https://hr.example/staff";
  // A server that ignores validators: 200 with the same ETag, always.
  t.on("GET", url, page(R"([{"id":"1"},{"id":"3"}])", R"("v1")"));
  auto o = base_options(url);
  o.validators = {{url, R"("v1")", ""}};
  std::vector<SourceRecord> records;
  HttpReadOutcome out;
  auto report = read_http_json(t, o, collect_into(records), &out);
  REQUIRE(report);
  CHECK(report->complete);
  CHECK_FALSE(out.not_modified);
  CHECK(out.changed);
  CHECK(ids_of(records) == std::vector<std::string>{"1", "3"});
  REQUIRE(t.requests().size() == 1);
  CHECK(header_of(t.requests()[0].request, "If-None-Match") == R"("v1")");
  CHECK(header_of(t.requests()[0].request, "If-Modified-Since").empty());
  REQUIRE(out.validators.size() == 1);
  CHECK(out.validators[0].etag == R"("v1")");
}

TEST_CASE("a 304 to a request that sent no validator is a Remote error naming the URL", "[http][conditional]") {
  FakeTransport t;
  const std::string url = "https://hr.example/staff?token=s3cr3t";
  t.on("GET", url, not_modified());
  std::vector<SourceRecord> records;
  auto report = read_http_json(t, base_options(url), collect_into(records));
  REQUIRE_FALSE(report);
  CHECK(report.error().kind == ErrorKind::Remote);
  CHECK(report.error().http_status == 304);
  CHECK(report.error().object == "GET https://hr.example/staff?token=REDACTED");
  CHECK(report.error().message.find("304") != std::string::npos);
  check_no_secret(report.error());
  CHECK(records.empty());
}

TEST_CASE("page numbers: unchanged only when every page of the last read answers 304", "[http][conditional]") {
  const std::string base = "https://hr.example/staff";
  auto options = [&] {
    auto o = base_options(base);
    o.records_pointer = "/items";
    o.paging = HttpPaging::PageNumber;
    return o;
  };
  // The last complete read: two pages of people and the empty page that ended it.
  FakeTransport t;
  t.on("GET", base + "?page=1", page(R"({"items":[{"id":"1"},{"id":"2"}]})", R"("p1")"));
  t.on("GET", base + "?page=2", page(R"({"items":[{"id":"3"}]})", "", "Sat, 05 Dec 2026 08:00:00 GMT"));
  t.on("GET", base + "?page=3", page(R"({"items":[]})", R"("p3")"));
  std::vector<SourceRecord> records;
  HttpReadOutcome last;
  REQUIRE(read_http_json(t, options(), collect_into(records), &last));
  REQUIRE(last.validators.size() == 3);
  CHECK(last.validators[1].url == base + "?page=2");
  CHECK(last.validators[1].etag.empty());
  CHECK(last.validators[1].last_modified == "Sat, 05 Dec 2026 08:00:00 GMT");

  SECTION("every page 304, in order: unchanged, nothing delivered") {
    FakeTransport c;
    for (int p = 1; p <= 3; ++p) c.on("GET", fmt::format("{}?page={}", base, p), not_modified());
    auto o = options();
    o.validators = last.validators;
    std::vector<SourceRecord> got;
    HttpReadOutcome out;
    auto report = read_http_json(c, o, collect_into(got), &out);
    REQUIRE(report);
    CHECK(out.not_modified);
    CHECK(got.empty());
    CHECK(report->pages == 3);
    REQUIRE(c.requests().size() == 3);
    CHECK(header_of(c.requests()[0].request, "If-None-Match") == R"("p1")");
    CHECK(header_of(c.requests()[1].request, "If-None-Match").empty());
    CHECK(header_of(c.requests()[1].request, "If-Modified-Since") == "Sat, 05 Dec 2026 08:00:00 GMT");
    CHECK(header_of(c.requests()[2].request, "If-None-Match") == R"("p3")");
  }
  SECTION("a later page changed: dropped, and the read starts over unconditionally, never a mix") {
    FakeTransport c;
    c.on("GET", base + "?page=1", not_modified());
    // Page 2 lost employee 3 and page 1 (already 304) is not reused.
    c.on("GET", base + "?page=2", page(R"({"items":[{"id":"4"}]})", R"("p2b")"));
    c.on("GET", base + "?page=1", page(R"({"items":[{"id":"1"},{"id":"2"}]})", R"("p1")"));
    c.on("GET", base + "?page=2", page(R"({"items":[{"id":"4"}]})", R"("p2b")"));
    c.on("GET", base + "?page=3", page(R"({"items":[]})", R"("p3")"));
    auto o = options();
    o.validators = last.validators;
    std::vector<SourceRecord> got;
    HttpReadOutcome out;
    auto report = read_http_json(c, o, collect_into(got), &out);
    REQUIRE(report);
    CHECK(report->complete);
    CHECK_FALSE(out.not_modified);
    CHECK(out.changed);
    CHECK(ids_of(got) == std::vector<std::string>{"1", "2", "4"});
    CHECK(urls_of(c) == std::vector<std::string>{base + "?page=1", base + "?page=2", base + "?page=1",
                                                 base + "?page=2", base + "?page=3"});
    CHECK(conditional(c.requests()[0].request));
    CHECK(conditional(c.requests()[1].request));
    for (size_t i = 2; i < c.requests().size(); ++i) CHECK_FALSE(conditional(c.requests()[i].request));
    REQUIRE(out.validators.size() == 3);
    CHECK(out.validators[1].etag == R"("p2b")");
    CHECK(c.unused() == 0);
  }
  SECTION("the first page changed: its 200 is the read's first page, nothing fetched twice") {
    FakeTransport c;
    c.on("GET", base + "?page=1", page(R"({"items":[{"id":"1"}]})", R"("p1b")"));
    c.on("GET", base + "?page=2", page(R"({"items":[]})", R"("e")"));
    auto o = options();
    o.validators = last.validators;
    std::vector<SourceRecord> got;
    HttpReadOutcome out;
    auto report = read_http_json(c, o, collect_into(got), &out);
    REQUIRE(report);
    CHECK(ids_of(got) == std::vector<std::string>{"1"});
    CHECK(urls_of(c) == std::vector<std::string>{base + "?page=1", base + "?page=2"});
    CHECK_FALSE(conditional(c.requests()[1].request));
    CHECK(out.validators.size() == 2);
  }
  SECTION("validators of another read (the job's URL or page size edited) are not used") {
    FakeTransport c;
    c.on("GET", base + "?page=1&per_page=50", page(R"({"items":[]})", R"("x")"));
    auto o = options();
    o.page_size_parameter = "per_page";
    o.page_size = 50;
    o.validators = last.validators;
    std::vector<SourceRecord> got;
    HttpReadOutcome out;
    REQUIRE(read_http_json(c, o, collect_into(got), &out));
    REQUIRE(c.requests().size() == 1);
    CHECK_FALSE(conditional(c.requests()[0].request));
    CHECK_FALSE(out.changed);
  }
  SECTION("a page with a failure during the conditional phase fails the read") {
    FakeTransport c;
    c.on("GET", base + "?page=1", not_modified());
    c.on("GET", base + "?page=2", response(500, "boom"));
    auto o = options();
    o.validators = last.validators;
    std::vector<SourceRecord> got;
    auto report = read_http_json(c, o, collect_into(got));
    REQUIRE_FALSE(report);
    CHECK(report.error().http_status == 500);
    CHECK(got.empty());
  }
}

TEST_CASE("reads that cannot be conditional return no validators and send none", "[http][conditional]") {
  SECTION("a page with neither ETag nor Last-Modified") {
    FakeTransport t;
    t.on("GET", "https://hr.example/staff?page=1", page(R"({"items":[{"id":"1"}]})", R"("a")"));
    t.on("GET", "https://hr.example/staff?page=2", page(R"({"items":[]})", ""));
    auto o = base_options("https://hr.example/staff");
    o.records_pointer = "/items";
    o.paging = HttpPaging::PageNumber;
    std::vector<SourceRecord> records;
    HttpReadOutcome out;
    REQUIRE(read_http_json(t, o, collect_into(records), &out));
    CHECK(out.validators.empty());
  }
  SECTION("next-link paging: validators given are ignored") {
    FakeTransport t;
    t.on("GET", "https://hr.example/staff", page(R"({"data":[{"id":"1"}],"next":null})", R"("n1")"));
    auto o = base_options("https://hr.example/staff");
    o.records_pointer = "/data";
    o.paging = HttpPaging::NextLink;
    o.next_pointer = "/next";
    o.validators = {{"https://hr.example/staff", R"("n1")", ""}};
    std::vector<SourceRecord> records;
    HttpReadOutcome out;
    REQUIRE(read_http_json(t, o, collect_into(records), &out));
    REQUIRE(t.requests().size() == 1);
    CHECK_FALSE(conditional(t.requests()[0].request));
    CHECK(out.validators.empty());
    CHECK(records.size() == 1);
  }
  SECTION("a saved validator with a line break is not sent") {
    FakeTransport t;
    t.on("GET", "https://hr.example/staff", page(R"([{"id":"1"}])", R"("n1")"));
    auto o = base_options("https://hr.example/staff");
    o.validators = {{"https://hr.example/staff", "\"n1\"\r\nX-Injected: 1", ""}};
    std::vector<SourceRecord> records;
    REQUIRE(read_http_json(t, o, collect_into(records)));
    REQUIRE(t.requests().size() == 1);
    CHECK_FALSE(conditional(t.requests()[0].request));
  }
}
