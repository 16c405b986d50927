// Error mapping, request building and URL encoding.
#include <catch2/catch.hpp>

#include <regex>

#include "client_harness.hpp"

namespace daoctl::test {
namespace {

using platform::error_from_response;

TEST_CASE("status codes map to error kinds", "[platform][errors]") {
  struct Case {
    long status;
    ErrorKind kind;
  };
  const std::vector<Case> cases = {
      {400, ErrorKind::Validation}, {401, ErrorKind::Auth},     {403, ErrorKind::Auth},
      {404, ErrorKind::NotFound},   {409, ErrorKind::Conflict}, {410, ErrorKind::NotFound},
      {412, ErrorKind::Conflict},   {413, ErrorKind::Validation}, {422, ErrorKind::Validation},
      {405, ErrorKind::Remote},     {429, ErrorKind::Remote},   {500, ErrorKind::Remote},
      {502, ErrorKind::Remote},     {503, ErrorKind::Remote},   {504, ErrorKind::Remote},
  };
  for (const auto& c : cases) {
    CAPTURE(c.status);
    const Error e = error_from_response(response(c.status), "user 42");
    CHECK(e.kind == c.kind);
    CHECK(e.http_status == c.status);
    CHECK(e.object == "user 42");
  }
}

TEST_CASE("the detail comes from problem+json, SCIM errors or the raw body", "[platform][errors]") {
  struct Case {
    const char* name;
    long status;
    std::string body;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"problem detail", 404,
       R"({"type":"https://daoffice.example/problems/not-found","title":"Not Found","status":404,"detail":"department 9 does not exist"})",
       "department 9 does not exist"},
      {"problem title only", 500, R"({"type":"about:blank","title":"Internal error","status":500})",
       "Internal error"},
      {"problem 422 field errors", 422,
       R"({"title":"Validation failed","status":422,"detail":"the policy is invalid","errors":[{"field":"min_length","message":"must be at least 8"},{"field":"history","message":"must be 0..24"}]})",
       "the policy is invalid; min_length: must be at least 8; history: must be 0..24"},
      {"problem 409 existing id", 409,
       R"({"title":"Conflict","status":409,"detail":"external id hr-17 exists","existing_id":"311"})",
       "external id hr-17 exists (existing id 311)"},
      {"scim detail and type", 409,
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName ivanov.i is taken"})",
       "userName ivanov.i is taken (scimType uniqueness)"},
      {"scim type only", 400,
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter"})",
       "scimType invalidFilter"},
      {"plain text", 502, "upstream connect error or disconnect/reset before headers\nsecond line",
       "upstream connect error or disconnect/reset before headers"},
      {"html page", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>",
       "non-JSON answer (text/html, 50 bytes)"},
      {"empty body", 404, "", ""},
      {"json but not an object", 500, R"(["oops"])", R"(["oops"])"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const Error e = error_from_response(response(c.status, c.body, {{"Content-Type", "text/html"}}), "x");
      CHECK(e.detail == c.detail);
    }
  }
}

TEST_CASE("a 409 keeps the existing id typed and never from the text", "[platform][errors]") {
  const Error text_id = error_from_response(
      response(409, R"({"title":"Conflict","status":409,"detail":"external id hr-17 exists","existing_id":"311"})"), "x");
  CHECK(text_id.existing_id == "311");
  const Error number_id = error_from_response(response(409, R"({"status":409,"existing_id":312})"), "x");
  CHECK(number_id.existing_id == "312");
  // A server's own words that look like our marker are not an id.
  const Error spoof = error_from_response(
      response(409, R"j({"status":409,"detail":"taken (existing id 999)"})j"), "x");
  CHECK(spoof.existing_id.empty());
  CHECK(spoof.detail == "taken (existing id 999)");
  // Only a 409 names an existing object.
  const Error not_conflict = error_from_response(response(422, R"({"status":422,"existing_id":"5"})"), "x");
  CHECK(not_conflict.existing_id.empty());
}

TEST_CASE("a long non-JSON body is cut to one short line", "[platform][errors]") {
  const Error e = error_from_response(response(500, std::string(500, 'x')), "x");
  CHECK(e.detail == std::string(200, 'x') + "...");
}

TEST_CASE("the message names method, path and status, auth errors carry hints", "[platform][errors]") {
  ClientHarness h;
  h.fake->next(response(404, R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"User 42 not found"})"))
      .next(response(401, R"({"title":"Unauthorized","status":401,"detail":"invalid token"})"))
      .next(response(403, R"({"title":"Forbidden","status":403})"));

  auto not_found = h.client.send(h.client.make_request("GET", "/scim/v2/Users/42?attributes=userName", "user 42"));
  REQUIRE_FALSE(not_found.has_value());
  CHECK(not_found.error().message == "GET /scim/v2/Users/42 failed with 404 Not Found");
  CHECK(not_found.error().describe().find("User 42 not found") != std::string::npos);
  CHECK(not_found.error().kind == ErrorKind::NotFound);

  auto unauthorized = h.client.send(h.client.make_request("GET", "/api/v1/me", ""));
  REQUIRE_FALSE(unauthorized.has_value());
  CHECK(unauthorized.error().message == "GET /api/v1/me failed with 401 Unauthorized");
  CHECK(unauthorized.error().object == "GET /api/v1/me");
  CHECK(unauthorized.error().hint == "check the token: DAOCTL_TOKEN, token_file or token_command of the context");

  auto forbidden = h.client.send(h.client.make_request("DELETE", "/api/v1/users/7/sessions", "sessions of user 7"));
  REQUIRE_FALSE(forbidden.has_value());
  CHECK(forbidden.error().kind == ErrorKind::Auth);
  CHECK_THAT(forbidden.error().hint, Catch::Contains("scope"));
  for (const Error& e : {not_found.error(), unauthorized.error(), forbidden.error()}) {
    CHECK(e.describe().find(kToken) == std::string::npos);
  }
}

TEST_CASE("a body that is not JSON is a Remote error naming the object", "[platform][errors]") {
  ClientHarness h;
  h.fake->next(response(200, "<html>login page</html>"));
  auto result = h.client.get_json("/api/v1/departments/3", "department 3");
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == ErrorKind::Remote);
  CHECK(result.error().object == "department 3");
  CHECK(result.error().message == "cannot parse the JSON answer of GET /api/v1/departments/3");
  CHECK_FALSE(result.error().detail.empty());
}

TEST_CASE("an empty 2xx body is JSON null", "[platform]") {
  ClientHarness h;
  h.fake->next(response(204));
  auto result = h.client.send_json("DELETE", "/scim/v2/Users/5", "user 5");
  REQUIRE(result.has_value());
  CHECK(result->is_null());
}

http::Header header_named(const http::Request& r, const std::string& name) {
  for (const auto& header : r.headers) {
    if (header.name == name) return header;
  }
  return {};
}

TEST_CASE("make_request sets URL, auth, content types and idempotency", "[platform][request]") {
  auto options = test_options();
  options.base_url = "https://daoffice.example/";
  ClientHarness h(options);
  const auto& c = h.client;

  const auto get = c.make_request("GET", "/api/v1/me", "");
  CHECK(get.url == "https://daoffice.example/api/v1/me");
  CHECK(get.object == "GET /api/v1/me");
  CHECK(header_named(get, "Authorization").value == std::string("Bearer ") + kToken);
  CHECK(header_named(get, "Accept").value == "application/json");
  CHECK(header_named(get, "Content-Type").name.empty());
  CHECK(header_named(get, "Idempotency-Key").name.empty());
  CHECK(get.idempotent);

  const auto scim_post = c.make_request("POST", "/scim/v2/Users", "user jdoe", json{{"userName", "jdoe"}});
  CHECK(scim_post.body == R"({"userName":"jdoe"})");
  CHECK(header_named(scim_post, "Content-Type").value == "application/scim+json");
  CHECK(header_named(scim_post, "Accept").value == "application/scim+json, application/json");
  CHECK(scim_post.idempotent);
  const std::regex uuid_v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::string key = header_named(scim_post, "Idempotency-Key").value;
  CHECK(std::regex_match(key, uuid_v4));

  const auto patch = c.make_request("PATCH", "/api/v1/departments/3", "department 3", json::object());
  CHECK(header_named(patch, "Content-Type").value == "application/json");
  CHECK(header_named(patch, "Idempotency-Key").value != key);

  // The same jitter seed in two clients must not repeat idempotency keys.
  ClientHarness other;
  CHECK(header_named(other.client.make_request("POST", "/scim/v2/Users", ""), "Idempotency-Key").value != key);
}

TEST_CASE("url_encode_segment keeps a value inside its path segment", "[platform][url]") {
  using platform::url_encode_query;
  using platform::url_encode_segment;
  struct Case {
    std::string in;
    std::string segment;
  };
  const std::vector<Case> cases = {
      {"42", "42"},
      {"ivanov.i", "ivanov.i"},
      {"../admin", "..%2Fadmin"},
      {"..", "%2E%2E"},
      {".", "%2E"},
      {"a/b?c", "a%2Fb%3Fc"},
      {"a b", "a%20b"},
      {"a+b&c=d#e", "a%2Bb%26c%3Dd%23e"},
      {"Иванов", "%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2"},
      {"100%", "100%25"},
      {"~user_name-1", "~user_name-1"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    CHECK(url_encode_segment(c.in) == c.segment);
  }
  CHECK(url_encode_query(R"(userName eq "Иван")") == "userName%20eq%20%22%D0%98%D0%B2%D0%B0%D0%BD%22");
  CHECK(url_encode_query("..") == "..");
}

TEST_CASE("header values are redacted for traces", "[platform][trace]") {
  using http::redact_header_value;
  CHECK(redact_header_value("Authorization", std::string("Bearer ") + kToken) == "Bearer ***");
  CHECK(redact_header_value("authorization", "opaque") == "***");
  CHECK(redact_header_value("Proxy-Authorization", "Basic dXNlcjpwdw==") == "Basic ***");
  CHECK(redact_header_value("Set-Cookie", "sid=abc") == "***");
  CHECK(redact_header_value("Content-Type", "application/json") == "application/json");
}

TEST_CASE("a JSON answer with a number out of range is a Remote error, not an abort", "[platform][errors]") {
  // Found by fuzzing: nlohmann throws out_of_range (not parse_error) for 1e400.
  ClientHarness h;
  h.fake->next(response(200, R"({"id": 1e400})"));
  auto doc = h.client.get_json("/api/v1/me", "me");
  REQUIRE_FALSE(doc);
  CHECK(doc.error().kind == ErrorKind::Remote);
  CHECK_THAT(doc.error().message, Catch::Contains("cannot use the JSON answer of GET /api/v1/me"));
}

}  // namespace
}  // namespace daoctl::test
