#include "core/schema/json_schema_validator.hpp"

#include <catch2/catch.hpp>

#include "problem_printing.hpp"

using daoctl::schema::JsonSchemaValidator;
using daoctl::schema::Problem;
using nlohmann::json;

namespace {

// A password-policy-like schema exercising every keyword the contract uses,
// with its definitions behind #/$defs references.
const json& policy_schema() {
  static const json schema = json::parse(R"({
    "$defs": {
      "Colour": {"type": "string", "pattern": "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"},
      "Password": {
        "type": "object",
        "required": ["min_length"],
        "additionalProperties": false,
        "properties": {
          "min_length": {"type": "integer", "minimum": 8, "maximum": 128},
          "history": {"type": "integer", "minimum": 0, "maximum": 24},
          "expiry": {"type": "number", "exclusiveMinimum": 0}
        }
      }
    },
    "type": "object",
    "required": ["policies", "mode"],
    "properties": {
      "policies": {"type": "object", "properties": {"password": {"$ref": "#/$defs/Password"}}},
      "mode": {"type": "string", "enum": ["directory_only", "domains", "open"]},
      "api_version": {"const": "1"},
      "name": {"type": "string", "minLength": 2, "maxLength": 5},
      "primary_color": {"$ref": "#/$defs/Colour"},
      "parent_id": {"type": ["string", "null"]},
      "domains": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true,
                  "items": {"type": "string"}},
      "started": {"type": "string", "format": "date-time"}
    }
  })");
  return schema;
}

json valid_document() {
  return json::parse(R"({"policies": {"password": {"min_length": 12, "history": 5}},
                         "mode": "domains", "api_version": "1", "name": "corp",
                         "primary_color": "#0a66c2", "parent_id": null, "domains": ["a"],
                         "started": "not a date: format is documentation"})");
}

}  // namespace

TEST_CASE("a valid document has no problems") {
  auto validator = JsonSchemaValidator::compile(policy_schema());
  REQUIRE(validator.has_value());
  CHECK(validator->validate(valid_document()).empty());
}

TEST_CASE("each kind of violation is reported at its JSON pointer with a precise message") {
  auto validator = JsonSchemaValidator::compile(policy_schema());
  REQUIRE(validator.has_value());
  struct Row {
    const char* pointer;  // where to put the bad value ("" to remove `remove`)
    json value;
    Problem expected;
  };
  const std::vector<Row> rows = {
      {"/policies/password/min_length",
       4,
       {"/policies/password/min_length", "4 is less than the minimum 8"}},
      {"/policies/password/min_length",
       129,
       {"/policies/password/min_length", "129 is greater than the maximum 128"}},
      {"/policies/password/expiry",
       0,
       {"/policies/password/expiry", "0 is not greater than the exclusive minimum 0"}},
      {"/policies/password/history",
       "5",
       {"/policies/password/history", "expected integer, found string \"5\""}},
      {"/policies/password/history",
       2.5,
       {"/policies/password/history", "expected integer, found number 2.5"}},
      {"/parent_id", 7, {"/parent_id", "expected string or null, found integer 7"}},
      {"/mode",
       "closed",
       {"/mode", "\"closed\" is not one of [\"directory_only\", \"domains\", \"open\"]"}},
      {"/api_version", "2", {"/api_version", "\"2\" is not the required value \"1\""}},
      {"/name", "x", {"/name", "\"x\" is shorter than the minimum length 2"}},
      {"/name", "corporate", {"/name", "\"corporate\" is longer than the maximum length 5"}},
      {"/primary_color",
       "blue",
       {"/primary_color",
        "\"blue\" does not match the pattern ^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"}},
      {"/domains", json::array(), {"/domains", "array of 0 items has fewer than the minimum 1"}},
      {"/domains", {"a", "b", "c"}, {"/domains", "array of 3 items has more than the maximum 2"}},
      {"/domains", {"a", "a"}, {"/domains", "items 0 and 1 are equal (uniqueItems)"}},
      {"/domains/0", 1, {"/domains/0", "expected string, found integer 1"}},
      {"/policies/password/lockout",
       true,
       {"/policies/password/lockout",
        "unknown key 'lockout' (expected one of expiry, history, min_length)", true}},
  };
  for (const auto& row : rows) {
    INFO(row.pointer << " = " << row.value.dump());
    json doc = valid_document();
    doc[json::json_pointer(row.pointer)] = row.value;
    const auto problems = validator->validate(doc);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].path == row.expected.path);
    CHECK(problems[0].message == row.expected.message);
  }
}

TEST_CASE("all problems are returned, missing properties at their parent") {
  auto validator = JsonSchemaValidator::compile(policy_schema());
  REQUIRE(validator.has_value());
  json doc = valid_document();
  doc.erase("mode");
  doc["policies"]["password"].erase("min_length");
  doc["policies"]["password"]["history"] = 25;
  doc["policies"]["password"]["x"] = 1;
  doc["policies"]["password"]["y"] = 2;
  auto problems = validator->validate(doc);
  std::sort(problems.begin(), problems.end(),
            [](const Problem& a, const Problem& b) { return a.path < b.path; });
  const std::vector<Problem> expected = {
      {"", "missing required property \"mode\""},
      {"/policies/password", "missing required property \"min_length\""},
      {"/policies/password/history", "25 is greater than the maximum 24"},
      {"/policies/password/x", "unknown key 'x' (expected one of expiry, history, min_length)", true},
      {"/policies/password/y", "unknown key 'y' (expected one of expiry, history, min_length)", true},
  };
  CHECK(problems == expected);
}

TEST_CASE("a schema inside a larger document resolves #/components/schemas references") {
  const json openapi = json::parse(R"({
    "openapi": "3.1.0",
    "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {"schema":
      {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}}
    }}}}}}},
    "components": {"schemas": {"Item": {"type": "object", "required": ["id"],
                                        "properties": {"id": {"type": "string"}}}}}
  })");
  auto validator = JsonSchemaValidator::compile(
      openapi, "/paths/~1x/get/responses/200/content/application~1json/schema");
  REQUIRE(validator.has_value());
  CHECK(validator->validate(json::parse(R"({"items": [{"id": "1"}]})")).empty());
  const auto problems = validator->validate(json::parse(R"({"items": [{"id": "1"}, {"id": 2}]})"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == Problem{"/items/1/id", "expected string, found integer 2"});
}

TEST_CASE("schemas that cannot compile are errors naming the schema") {
  struct Row {
    json document;
    std::string pointer;
    std::string object;
  };
  const std::vector<Row> rows = {
      {json::parse(R"({"$ref": "#/$defs/Missing"})"), "", "JSON Schema at #"},
      {json::parse(R"({"type": "object"})"), "/nowhere", "JSON Schema at #/nowhere"},
      {json::parse(R"({"a": 5})"), "/a", "JSON Schema at #/a"},
      {json::parse(R"({"type": "strng"})"), "", "JSON Schema at #"},
  };
  for (const auto& row : rows) {
    INFO(row.document.dump() << " at " << row.pointer);
    auto validator = JsonSchemaValidator::compile(row.document, row.pointer);
    REQUIRE_FALSE(validator.has_value());
    CHECK(validator.error().kind == daoctl::ErrorKind::Validation);
    CHECK(validator.error().object == row.object);
    CHECK_FALSE(validator.error().detail.empty());
  }
}

TEST_CASE("problems are formatted as file:line:column: pointer: message") {
  daoctl::schema::SourceMap map;
  map.record("", {1, 1});
  map.record("/policies/password", {3, 5});
  map.record("/policies/password/min_length", {3, 17});
  const Problem bad_value{"/policies/password/min_length", "4 is less than the minimum 8"};
  CHECK(format_problem(bad_value, "env.yaml", map) ==
        "env.yaml:3:17: /policies/password/min_length: 4 is less than the minimum 8");
  const Problem missing{"/policies/password/history", "x"};
  CHECK(format_problem(missing, "env.yaml", map) == "env.yaml:3:5: /policies/password/history: x");
  CHECK(format_problem(Problem{"", "missing required property \"mode\""}, "env.yaml", map) ==
        "env.yaml:1:1: (root): missing required property \"mode\"");
  CHECK(format_problem(Problem{"/a", "m"}, "env.yaml", daoctl::schema::SourceMap{}) ==
        "env.yaml: /a: m");
}
