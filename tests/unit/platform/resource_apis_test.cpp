// The resource connectors the commands call instead of naming paths
// (issue 18): a dry run's request is the one the real call sends, and
// POST /api/v1/departments has one 409 policy for the sync and env apply.
#include <catch2/catch.hpp>

#include "client_harness.hpp"
#include "connectors/platform/catalogue_api.hpp"
#include "connectors/platform/departments_api.hpp"
#include "connectors/platform/groups_api.hpp"
#include "connectors/platform/users_api.hpp"

using namespace daoctl;
using namespace daoctl::test;

namespace {

std::string header_of(const http::Request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return {};
}

}  // namespace

TEST_CASE("a dry run's request description: method, encoded path, body when there is one") {
  const json body = {{"Operations", json::array()}};
  CHECK(platform::UsersApi::create_request(body).describe() ==
        json{{"method", "POST"}, {"path", "/scim/v2/Users"}, {"body", body}});
  CHECK(platform::UsersApi::patch_request("a/b", body).describe() ==
        json{{"method", "PATCH"}, {"path", "/scim/v2/Users/a%2Fb"}, {"body", body}});
  CHECK(platform::UsersApi::remove_request("7").describe() == json{{"method", "DELETE"}, {"path", "/scim/v2/Users/7"}});
  CHECK(platform::UsersApi::revoke_request("7", "tokens").describe() ==
        json{{"method", "DELETE"}, {"path", "/api/v1/users/7/tokens"}});
  CHECK(platform::GroupsApi::remove_request("g 1").describe() ==
        json{{"method", "DELETE"}, {"path", "/scim/v2/Groups/g%201"}});
}

TEST_CASE("the writes send what their request description says") {
  ClientHarness h;
  h.fake->on("PATCH", h.url("/scim/v2/Users/7"), response(200, R"({"id":"7"})"));
  h.fake->on("DELETE", h.url("/api/v1/users/7/sessions"), response(200, R"({"revoked":2})"));
  h.fake->on("DELETE", h.url("/scim/v2/Groups/g1"), response(204));
  platform::UsersApi users(h.client);
  const json body = {{"Operations", json::array()}};
  auto patched = users.patch("7", body, "user ivanov");
  REQUIRE(patched);
  CHECK((*patched)["id"] == "7");
  auto revoked = users.revoke("7", "sessions", "sessions of user ivanov");
  REQUIRE(revoked);
  CHECK((*revoked)["revoked"] == 2);
  CHECK(platform::GroupsApi(h.client).remove("g1", "group hr"));
  REQUIRE(h.fake->requests().size() == 3);
  CHECK(json::parse(h.fake->requests()[0].request.body) == body);
}

TEST_CASE("a department create: the id, or after a 409 the department with the external_id") {
  ClientHarness h;
  platform::DepartmentsApi departments(h.client);

  h.fake->on("POST", h.url("/api/v1/departments"), response(201, R"({"id":"5","name":"IT"})"));
  auto created = departments.create("IT", "", "d-it", "department IT", "key-1");
  REQUIRE(created);
  CHECK(*created == "5");
  const auto& post = h.fake->requests().back().request;
  CHECK(json::parse(post.body) == platform::DepartmentsApi::create_body("IT", "", "d-it"));
  CHECK(json::parse(post.body)["parent_id"].is_null());
  CHECK(header_of(post, "Idempotency-Key") == "key-1");

  // Made by an earlier run that died before it could tell: converge on it.
  h.fake->on("POST", h.url("/api/v1/departments"), response(409, R"({"status":409,"detail":"exists"})"));
  h.fake->on("GET", h.url("/api/v1/departments?external_id=d-be"),
             response(200, R"({"items":[{"id":"9","name":"Backend"}],"next_cursor":null})"));
  auto adopted = departments.create("Backend", "5", "d-be", "department IT/Backend");
  REQUIRE(adopted);
  CHECK(*adopted == "9");

  // A 409 for another reason (a sibling of the same name): the 409 is the error.
  h.fake->on("POST", h.url("/api/v1/departments"), response(409, R"({"status":409,"detail":"sibling"})"));
  h.fake->on("GET", h.url("/api/v1/departments?external_id=d-qa"), response(200, R"({"items":[],"next_cursor":null})"));
  auto refused = departments.create("QA", "5", "d-qa", "department IT/QA");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::Conflict);
  CHECK(refused.error().object == "department IT/QA");
}

TEST_CASE("a catalogue create after a 409 finds the object by external_id and patches it") {
  ClientHarness h;
  platform::CatalogueApi badges(h.client, platform::Catalogue::Badges);
  CHECK(std::string(badges.path()) == "/api/v1/badges");
  h.fake->on("POST", h.url("/api/v1/badges"), response(409, R"({"status":409,"detail":"exists"})"));
  h.fake->on("GET", h.url("/api/v1/badges?external_id=b1"),
             response(200, R"({"items":[{"id":"12","external_id":"b1"}],"next_cursor":null})"));
  h.fake->on("PATCH", h.url("/api/v1/badges/12"), response(200, R"({"id":"12"})"));
  auto id = badges.create({{"name", "Helper"}, {"external_id", "b1"}}, "b1", "badge b1");
  REQUIRE(id);
  CHECK(*id == "12");
  CHECK(json::parse(h.fake->requests().back().request.body) == json{{"name", "Helper"}});

  // None found: the 409 stays the error.
  h.fake->on("POST", h.url("/api/v1/badges"), response(409, R"({"status":409,"detail":"exists"})"));
  h.fake->on("GET", h.url("/api/v1/badges?external_id=b2"), response(200, R"({"items":[],"next_cursor":null})"));
  auto refused = badges.create({{"name", "Other"}, {"external_id", "b2"}}, "b2", "badge b2");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().http_status == 409);
}
