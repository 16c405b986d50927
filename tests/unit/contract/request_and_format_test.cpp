// Request bodies against the contract, and the formats the contract uses
// (date, date-time) checked when asked.
#include <catch2/catch.hpp>

#include "core/schema/json_schema_validator.hpp"
#include "core/schema/openapi_contract.hpp"

using daoctl::schema::CompileOptions;
using daoctl::schema::JsonSchemaValidator;
using daoctl::schema::OpenApiContract;
using daoctl::schema::Problem;
using nlohmann::json;

namespace {

const OpenApiContract& contract() {
  static const OpenApiContract loaded = [] {
    auto c = OpenApiContract::load_embedded();
    if (!c) FAIL(c.error().describe());
    return *c;
  }();
  return loaded;
}

json dated_schema() {
  return json::parse(R"({"type": "object", "properties": {
    "day": {"type": "string", "format": "date"},
    "hired": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"},
    "at": {"type": "string", "format": "date-time"},
    "mail": {"type": "string", "format": "email"}}})");
}

}  // namespace

TEST_CASE("format date and date-time are checked when asked, and only then") {
  auto checked = JsonSchemaValidator::compile(dated_schema(), "", CompileOptions{.check_formats = true});
  auto annotation = JsonSchemaValidator::compile(dated_schema());
  REQUIRE(checked);
  REQUIRE(annotation);
  for (const char* good : {"2013-04-24", "2024-02-29", "2000-02-29", "1999-12-31", "2023-04-30"}) {
    CAPTURE(good);
    CHECK(checked->validate(json{{"day", good}, {"hired", good}}).empty());
  }
  for (const char* bad : {"24.04.2013", "2013-02-30", "2023-02-29", "1900-02-29", "2013-13-01", "2013-04-31",
                          "2013-4-24", "2013-04-24 ", "2013-04-24T10:00:00Z", ""}) {
    CAPTURE(bad);
    auto problems = checked->validate(json{{"day", bad}});
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].path == "/day");
    CHECK_THAT(problems[0].message, Catch::Contains("is not a valid date (format date: YYYY-MM-DD"));
    // A pattern beside the format gives one message, not two.
    auto both = checked->validate(json{{"hired", bad}});
    REQUIRE(both.size() == 1);
    CHECK(both[0].path == "/hired");
    CHECK(annotation->validate(json{{"day", bad}}).empty());
  }
  for (const char* good : {"2026-11-26T23:37:24Z", "2026-11-26T23:37:24.123+03:00", "2016-12-31t23:59:60z"}) {
    CAPTURE(good);
    CHECK(checked->validate(json{{"at", good}}).empty());
  }
  for (const char* bad : {"2026-11-26", "2026-11-26T23:37:24", "2026-11-26 23:37:24Z", "2026-02-30T00:00:00Z",
                          "2026-11-26T24:00:00Z"}) {
    CAPTURE(bad);
    auto problems = checked->validate(json{{"at", bad}});
    REQUIRE(problems.size() == 1);
    CHECK_THAT(problems[0].message, Catch::Contains("is not a valid date-time"));
  }
  // Formats the contract does not rely on stay annotations.
  CHECK(checked->validate(json{{"mail", "not an address"}}).empty());
}

TEST_CASE("a request body is checked against the operation's documented schema") {
  const auto& c = contract();
  json user = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
               {"userName", "ivanov"},
               {"urn:daoffice:scim:schemas:extension:profile:1.0:User", {{"hireDate", "24.04.2013"}}}};
  auto problems = c.validate_request("POST", "/scim/v2/Users", "application/scim+json", user);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].path == "/urn:daoffice:scim:schemas:extension:profile:1.0:User/hireDate");
  // application/json to a SCIM endpoint is read as the documented SCIM body.
  CHECK(c.validate_request("POST", "/scim/v2/Users", "application/json; charset=utf-8", user).size() == 1);
  user["urn:daoffice:scim:schemas:extension:profile:1.0:User"]["hireDate"] = "2013-04-24";
  CHECK(c.validate_request("POST", "/scim/v2/Users", "application/scim+json", user).empty());

  auto missing = c.validate_request("POST", "/scim/v2/Users", "application/scim+json", json::object());
  CHECK_FALSE(missing.empty());
  auto empty_patch = c.validate_request(
      "PATCH", "/scim/v2/Users/42", "application/scim+json",
      json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", json::array()}});
  REQUIRE(empty_patch.size() == 1);
  CHECK(empty_patch[0].path == "/Operations");

  auto wrong_type = c.validate_request("POST", "/scim/v2/Users", "text/csv", user);
  REQUIRE(wrong_type.size() == 1);
  CHECK(wrong_type[0].path == "(request)");
  CHECK_THAT(wrong_type[0].message, Catch::Contains("content type text/csv is not documented"));
  // An operation without a request body, given one.
  auto unexpected = c.validate_request("GET", "/scim/v2/Users", "application/json", json::object());
  REQUIRE(unexpected.size() == 1);
  CHECK(unexpected[0].path == "(request)");
  // Undocumented paths are the router's business (404), not this check's.
  CHECK(c.validate_request("POST", "/nowhere", "application/json", json::object()).empty());
}
