// A URL that is not a daoctl platform (issue 19): an HTML 404, a JSON API
// that is something else, a wrong base path. Those are Config errors (exit
// 2) "... does not look like a daoctl platform API", while a 404 of the
// platform itself stays NotFound (exit 7). And the local SCIM filter check.
#include <catch2/catch.hpp>

#include "client_harness.hpp"
#include "connectors/platform/scim_filter.hpp"

namespace daoctl::test {
namespace {

constexpr const char* kProblem404 =
    R"({"type":"https://daoffice.example/problems/not-found","title":"Not Found","status":404,"detail":"user 9 does not exist"})";
constexpr const char* kSpc = "/scim/v2/ServiceProviderConfig";

platform::ClientOptions detecting(std::string base = kBase) {
  auto o = test_options();
  o.base_url = std::move(base);
  o.detect_non_platform = true;
  return o;
}

TEST_CASE("an HTML 404 is not the platform: Config, naming URL, request and content type", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/api/v1/departments"),
             response(404, "<html><body><h1>404 Not Found</h1>nginx</body></html>",
                      {{"Content-Type", "text/html; charset=utf-8"}}));
  auto r = h.client.get_json("/api/v1/departments", "departments");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK(exit_code_for(r.error().kind) == exit_code::usage);
  CHECK(r.error().message == std::string(kBase) + " does not look like a daoctl platform API");
  CHECK(r.error().detail == "GET /api/v1/departments answered 404 Not Found with text/html");
  CHECK_THAT(r.error().hint, Catch::Contains("check --url / the context's url"));
  CHECK(h.fake->requests().size() == 1);  // no confirming request, no retry
}

TEST_CASE("a 404 with no body and no content type is not the platform either", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/scim/v2/Users/7"), response(404));
  auto r = h.client.get_json("/scim/v2/Users/7", "user 7");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK_THAT(r.error().detail, Catch::Contains("answered 404 Not Found with an empty body"));
}

TEST_CASE("a JSON 404 whose ServiceProviderConfig is missing too is a wrong base path", "[platform][not-a-platform]") {
  const std::string base = std::string(kBase) + "/wrong";
  ClientHarness h(detecting(base + "/"));
  h.fake->on("GET", base + "/scim/v2/Users/9", response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  h.fake->on("GET", base + kSpc, response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  h.fake->on("GET", base + "/scim/v2/Users/10", response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  auto r = h.client.get_json("/scim/v2/Users/9", "user 9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK(r.error().message == base + " does not look like a daoctl platform API");
  CHECK(r.error().detail ==
        "GET /wrong/scim/v2/Users/9 answered 404 Not Found with application/problem+json; "
        "GET /wrong/scim/v2/ServiceProviderConfig answered 404 too");
  // The verdict is kept: the next 404 is not confirmed again.
  auto again = h.client.get_json("/scim/v2/Users/10", "user 10");
  REQUIRE_FALSE(again);
  CHECK(again.error().kind == ErrorKind::Config);
  CHECK(h.fake->requests().size() == 3);
}

TEST_CASE("a JSON 404 of a real platform stays NotFound, confirmed once", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/scim/v2/Users/9"), response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  h.fake->on("GET", h.url(kSpc), response(200, R"({"schemas":[]})", {{"Content-Type", "application/scim+json"}}));
  h.fake->on("GET", h.url("/api/v1/backups/3"), response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  auto r = h.client.get_json("/scim/v2/Users/9", "user 9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::NotFound);
  CHECK(r.error().detail == "user 9 does not exist");
  CHECK(r.error().object == "user 9");
  auto b = h.client.get_json("/api/v1/backups/3", "backup 3");
  REQUIRE_FALSE(b);
  CHECK(b.error().kind == ErrorKind::NotFound);
  CHECK(h.fake->requests().size() == 3);  // the second 404 needed no confirmation
}

TEST_CASE("a confirming request that fails otherwise keeps the plain 404", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/scim/v2/Users/9"), response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  h.fake->on("GET", h.url(kSpc), response(401, R"({"detail":"no token"})", {{"Content-Type", "application/json"}}));
  auto r = h.client.get_json("/scim/v2/Users/9", "user 9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::NotFound);
}

TEST_CASE("a confirming request answered by an HTML page (a portal's 200) is not a platform", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/scim/v2/Users/9"), response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  h.fake->on("GET", h.url(kSpc), response(200, "<!doctype html><html></html>", {{"Content-Type", "text/html"}}));
  auto r = h.client.get_json("/scim/v2/Users/9", "user 9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK_THAT(r.error().detail, Catch::EndsWith("; GET /scim/v2/ServiceProviderConfig answered 200 OK with text/html"));
}

TEST_CASE("a portal answering 200 and a web page to every request is not a platform, once, without retries", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/scim/v2/Users?count=100"), response(200, "<!DOCTYPE html><title>Sign in</title>",
                                                               {{"Content-Type", "text/html; charset=UTF-8"}}));
  auto r = h.client.get_json("/scim/v2/Users?count=100", "page 1 of /scim/v2/Users");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK_THAT(r.error().message, Catch::EndsWith("does not look like a daoctl platform API"));
  CHECK_THAT(r.error().detail, Catch::StartsWith("GET /scim/v2/Users answered 200 OK with text/html (a web page"));
  CHECK(h.fake->requests().size() == 1);
}

TEST_CASE("without detection (a third-party SCIM service's client) a 200 web page is handed to the caller", "[platform][not-a-platform]") {
  ClientHarness h;  // detect_non_platform off
  h.fake->on("GET", h.url("/x"), response(200, "<html></html>", {{"Content-Type", "text/html"}}));
  auto r = h.client.send(h.client.make_request("GET", "/x", "x"));
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("without detection (a third-party SCIM service's client) a 404 is NotFound", "[platform][not-a-platform]") {
  ClientHarness h;  // detect_non_platform off
  h.fake->on("GET", h.url("/scim/v2/Users/9"), response(404, "<html>nope</html>", {{"Content-Type", "text/html"}}));
  auto r = h.client.get_json("/scim/v2/Users/9", "user 9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::NotFound);
  CHECK(h.fake->requests().size() == 1);
}

TEST_CASE("paths outside /api/v1 and /scim/v2 are not confirmed", "[platform][not-a-platform]") {
  ClientHarness h(detecting());
  h.fake->on("GET", h.url("/Users/9"), response(404, kProblem404, {{"Content-Type", "application/problem+json"}}));
  auto r = h.client.get_json("/Users/9", "user 9");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::NotFound);
  CHECK(h.fake->requests().size() == 1);
}

TEST_CASE("a 400 invalidFilter from the platform is a usage error", "[platform][filter]") {
  const Error e = platform::error_from_response(
      response(400, R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"'or' is not supported"})"),
      "page 1 of /scim/v2/Users");
  CHECK(e.kind == ErrorKind::Usage);
  CHECK_THAT(e.detail, Catch::Contains("'or' is not supported"));
}

TEST_CASE("valid SCIM filters pass the local check", "[platform][filter]") {
  for (const char* f : {
           "",
           "userName eq \"jdoe\"",
           "USERNAME EQ \"jdoe\"",
           "active eq false",
           "title pr",
           "meta.lastModified gt \"2011-05-13T04:42:34Z\"",
           "userName eq \"a\" or userName eq \"b\"",
           "not (active eq true) and (title co \"eng\" or title sw \"Dir\")",
           "emails[type eq \"work\" and value co \"@corp.example\"]",
           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701\"",
           "x eq -1.5e3",
           "x eq null",
           "displayName eq \"quote \\\" and \\u00e9\"",
           "displayName eq \"Отдел кадров\"",
           "  userName  eq  \"padded\"  ",
       }) {
    CAPTURE(f);
    CHECK(platform::check_scim_filter(f));
  }
}

TEST_CASE("malformed SCIM filters are usage errors naming the column", "[platform][filter]") {
  struct Case {
    const char* filter;
    const char* detail;
  };
  const std::vector<Case> cases = {
      {"active eqq false", "column 8: unknown operator 'eqq' (expected eq, ne, co, sw, ew, gt, lt, ge, le or pr)"},
      {"userName eq 'jdoe'", "column 13: strings are in double quotes: \"...\", not '...'"},
      {"userName eq jdoe", "column 13: expected a value (a \"string\", a number, true, false or null), found 'jdoe' (strings are in double quotes)"},
      {"userName eq \"jdoe", "column 13: the string starting here has no closing '\"'"},
      {"(active eq true", "column 16: expected ')' closing the '(' at column 1"},
      {"active eq true)", "column 15: ')' without a matching '('"},
      {"jdoe", "column 5: expected an operator after 'jdoe'"},
      {"active eq true and", "column 19: expected a filter after 'and' at the end"},
      {"active eq true userName eq \"x\"", "column 16: unexpected 'userName' (expected and, or or the end)"},
      {"   ", "column 4: the filter is empty"},
      {"not active eq true", "column 5: 'not' must be followed by a filter in parentheses: not (...)"},
      {"emails[type eq \"work\"", "column 22: expected ']' closing the '[' at column 7"},
      {"x eq 12abc", "column 6: '12abc' is not a number (strings are in double quotes)"},
      {"x eq \"bad \\q\"", "column 11: unknown escape \\q in a string"},
      {"= \"x\"", "column 1: expected an attribute name, found '='"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.filter);
    auto st = platform::check_scim_filter(c.filter);
    REQUIRE_FALSE(st);
    CHECK(st.error().kind == ErrorKind::Usage);
    CHECK(st.error().message == "invalid SCIM filter");
    CHECK(st.error().object == std::string("filter '") + c.filter + "'");
    CHECK(st.error().detail == c.detail);
  }
}

TEST_CASE("scim_list refuses a malformed filter before any request", "[platform][filter]") {
  ClientHarness h;
  auto st = h.client.scim_list("/scim/v2/Users", "active eqq false", 100, [](const platform::json&) {});
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == ErrorKind::Usage);
  CHECK(h.fake->requests().empty());
}

}  // namespace
}  // namespace daoctl::test
