// daoctl-sim enforces schemas/openapi.yaml on what it is sent (and, in tests,
// on what it answers): a body the contract forbids never reaches the store.
#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {
const std::string kProfile = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

std::string create_user(const RunningSim& sim, const std::string& user_name) {
  auto r = sim.post("/scim/v2/Users", user_doc(user_name, "ext-" + user_name));
  REQUIRE(r);
  REQUIRE(r->status == 201);
  return body_of(r)["id"].get<std::string>();
}
}  // namespace

TEST_CASE("a SCIM user whose hireDate is not a contract date is refused with the JSON path") {
  RunningSim sim;
  for (const char* bad : {"24.04.2013", "2013-02-30", "2023-02-29", "2013-4-24", "2013-04-24T00:00:00Z"}) {
    CAPTURE(bad);
    auto doc = user_doc("petrov", "hr-1");
    doc[kProfile] = {{"hireDate", bad}};
    auto r = sim.post("/scim/v2/Users", doc);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(r->get_header_value("Content-Type").starts_with("application/scim+json"));
    auto body = body_of(r);
    CHECK(body["scimType"] == "invalidValue");
    CHECK(body["status"] == "400");
    const std::string detail = body["detail"];
    CHECK_THAT(detail, Catch::Contains("/" + kProfile + "/hireDate"));
    CHECK_THAT(detail, Catch::Contains("is not a valid date"));
  }
  // Nothing was stored by the refused requests.
  CHECK(body_of(sim.get("/scim/v2/Users"))["totalResults"] == 0);
  // A real leap day and an ordinary date pass.
  for (const char* good : {"2024-02-29", "2000-02-29", "2013-04-24"}) {
    CAPTURE(good);
    auto doc = user_doc(std::string("u") + good, std::string("hr-") + good);
    doc[kProfile] = {{"hireDate", good}};
    auto r = sim.post("/scim/v2/Users", doc);
    REQUIRE(r);
    CHECK(r->status == 201);
  }
}

TEST_CASE("every problem of a SCIM body is named, not only the first") {
  RunningSim sim;
  json doc = {{"schemas", json::array()}, {"userName", ""}, {"active", "yes"}};
  auto r = sim.post("/scim/v2/Users", doc);
  REQUIRE(r);
  CHECK(r->status == 400);
  const std::string detail = body_of(r)["detail"];
  CHECK_THAT(detail, Catch::Contains("/schemas"));
  CHECK_THAT(detail, Catch::Contains("/userName"));
  CHECK_THAT(detail, Catch::Contains("/active: expected boolean, found string \"yes\""));
}

TEST_CASE("PATCH values are checked against the attribute they write") {
  RunningSim sim;
  auto id = create_user(sim, "sidorov");
  auto r = sim.patch("/scim/v2/Users/" + id,
                     patch_op({{{"op", "replace"}, {"path", "title"}, {"value", "Engineer"}},
                               {{"op", "replace"}, {"path", kProfile + ":hireDate"}, {"value", "24.04.2013"}}}));
  REQUIRE(r);
  CHECK(r->status == 400);
  const std::string detail = body_of(r)["detail"];
  CHECK_THAT(detail, Catch::Contains("/Operations/1/value: \"24.04.2013\" is not a valid date"));
  // The refused PATCH changed nothing, not even its valid first operation.
  auto user = body_of(sim.get("/scim/v2/Users/" + id));
  CHECK_FALSE(user.contains("title"));

  // A path-less replace carries an object of attributes.
  r = sim.patch("/scim/v2/Users/" + id,
                patch_op({{{"op", "replace"}, {"value", {{"active", "no"}, {"name", {{"givenName", 7}}}}}}}));
  REQUIRE(r);
  CHECK(r->status == 400);
  const std::string second = body_of(r)["detail"];
  CHECK_THAT(second, Catch::Contains("/Operations/0/value/active"));
  CHECK_THAT(second, Catch::Contains("/Operations/0/value/name/givenName"));

  // A PATCH with no operations is refused (RFC 7644: Operations has at least one).
  r = sim.patch("/scim/v2/Users/" + id, patch_op(json::array()));
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK_THAT(body_of(r)["detail"].get<std::string>(), Catch::Contains("/Operations"));

  // Valid operations and value-filter paths still work.
  r = sim.patch("/scim/v2/Users/" + id,
                patch_op({{{"op", "replace"}, {"path", kProfile + ":hireDate"}, {"value", "2013-04-24"}},
                          {{"op", "remove"}, {"path", "emails[type eq \"work\"]"}}}));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(body_of(r)[kProfile]["hireDate"] == "2013-04-24");
}

TEST_CASE("a native body that breaks the contract is refused with field errors") {
  RunningSim sim;
  auto r = sim.post("/api/v1/departments", json{{"name", 42}, {"parent_id", nullptr}});
  REQUIRE(r);
  CHECK((r->status == 400 || r->status == 422));
  CHECK(r->get_header_value("Content-Type").starts_with("application/problem+json"));
  auto body = body_of(r);
  REQUIRE(body.contains("errors"));
  CHECK(body["errors"][0]["field"] == "name");
  CHECK_THAT(body["detail"].get<std::string>(), Catch::Contains("/name: expected string"));
}

TEST_CASE("a body that is not JSON is still answered by the handler with line and column") {
  RunningSim sim;
  auto r = sim.client().Post("/scim/v2/Users", "{\"userName\": ", "application/scim+json");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(body_of(r)["scimType"] == "invalidSyntax");
}
