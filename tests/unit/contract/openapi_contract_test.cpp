#include "core/schema/openapi_contract.hpp"

#include <catch2/catch.hpp>

#include "problem_printing.hpp"

using daoctl::schema::Headers;
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

json scim_user() {
  return json::parse(R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "42", "userName": "ivanov.i", "active": true,
    "emails": [{"value": "ivanov@corp.example", "type": "work", "primary": true}],
    "urn:daoffice:scim:schemas:extension:unknown:1.0:User": {"anything": 1},
    "meta": {"resourceType": "User", "created": "2026-11-26T23:37:24Z",
             "lastModified": "2026-11-26T23:37:24Z", "version": "W/\"3\"",
             "location": "/scim/v2/Users/42"}})");
}

}  // namespace

TEST_CASE("the embedded contract lints clean") {
  const auto problems = contract().lint();
  for (const auto& p : problems) UNSCOPED_INFO(contract().format(p));
  CHECK(problems.empty());
  CHECK(contract().operations().size() >= 80);
}

TEST_CASE("lint reports every kind of contract defect at its position") {
  const char* text =
      "openapi: 3.1.0\n"
      "paths:\n"
      "  /things/{id}:\n"
      "    get:\n"
      "      responses:\n"
      "        '200':\n"
      "          $ref: '#/components/responses/Missing'\n"
      "    delete:\n"
      "      operationId: deleteThing\n"
      "      parameters:\n"
      "        - {name: id, in: path, schema: {type: string}}\n"
      "        - {name: other, in: path, required: true, schema: {type: string}}\n"
      "      responses: {}\n"
      "  /other:\n"
      "    get:\n"
      "      operationId: deleteThing\n"
      "      responses:\n"
      "        '200':\n"
      "          description: ok\n"
      "          content:\n"
      "            application/json:\n"
      "              schema: {type: wrong}\n";
  auto c = OpenApiContract::parse(text, "bad.yaml");
  REQUIRE(c.has_value());
  std::vector<std::string> lines;
  for (const auto& p : c->lint()) lines.push_back(c->format(p));
  std::sort(lines.begin(), lines.end());
  // Sorted as text: "bad.yaml:11..." before "bad.yaml:5...".
  const std::vector<std::string> expected = {
      "bad.yaml:11:11: /paths/~1things~1{id}/delete/parameters/0: path parameter id must be "
      "required: true",
      "bad.yaml:12:11: /paths/~1things~1{id}/delete/parameters/1: path parameter other is not in "
      "the path template /things/{id}",
      "bad.yaml:22:23: /paths/~1other/get/responses/200/content/application~1json/schema: schema "
      "does not compile: ",
      "bad.yaml:5:7: /paths/~1things~1{id}/get: operation GET /things/{id} has no operationId",
      "bad.yaml:5:7: /paths/~1things~1{id}/get: path parameter {id} of GET /things/{id} is not "
      "declared",
      "bad.yaml:7:17: /paths/~1things~1{id}/get/responses/200/$ref: reference "
      "#/components/responses/Missing does not resolve",
      "bad.yaml:9:20: /paths/~1things~1{id}/delete/operationId: operationId deleteThing is also "
      "used by /paths/~1other/get",
      "bad.yaml:9:7: /paths/~1things~1{id}/delete: operation DELETE /things/{id} documents no "
      "response",
  };
  REQUIRE(lines.size() == expected.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i]);
    // The valijson wording of the compile failure is its own; the rest is exact.
    if (expected[i].ends_with("does not compile: "))
      CHECK(lines[i].starts_with(expected[i]));
    else
      CHECK(lines[i] == expected[i]);
  }
}

TEST_CASE("concrete paths find their operation, literal segments beating parameters") {
  struct Row {
    const char* method;
    const char* path;
    const char* operation_id;  // "" = no operation
    std::map<std::string, std::string> parameters;
  };
  const std::vector<Row> rows = {
      {"GET", "/scim/v2/Users/42", "getScimUser", {{"id", "42"}}},
      {"get", "/scim/v2/Users?filter=userName%20eq%20%22x%22", "listScimUsers", {}},
      {"PATCH", "/scim/v2/Groups/7", "patchScimGroup", {{"id", "7"}}},
      {"DELETE", "/api/v1/users/42/sessions", "revokeSessions", {{"id", "42"}}},
      {"PUT", "/api/v1/settings/branding/logo", "putBrandingLogo", {}},
      {"PUT", "/api/v1/settings/branding", "putBranding", {}},
      {"GET", "/api/v1/backups/b%2F1/download", "downloadBackup", {{"id", "b/1"}}},
      {"PUT",
       "/api/v1/events/5/invitations/42",
       "setInvitationState",
       {{"id", "5"}, {"user_id", "42"}}},
      {"GET", "/api/v1/jobs/", "listJobs", {}},
      {"GET", "/api/v1/nothing", "", {}},
      {"POST", "/scim/v2/Users/42", "", {}},
      {"GET", "/scim/v2/Users/42/extra", "", {}},
  };
  for (const auto& row : rows) {
    INFO(row.method << " " << row.path);
    auto match = contract().find_operation(row.method, row.path);
    if (std::string(row.operation_id).empty()) {
      CHECK_FALSE(match.has_value());
      continue;
    }
    REQUIRE(match.has_value());
    CHECK(match->operation->operation_id == row.operation_id);
    CHECK(match->path_parameters == row.parameters);
  }
}

TEST_CASE("response validation accepts documented answers") {
  const auto& c = contract();
  CHECK(c.validate_response("GET", "/scim/v2/Users/42", 200, "application/scim+json", scim_user())
            .empty());
  CHECK(c.validate_response("DELETE", "/scim/v2/Users/42", 204, "", nullptr).empty());
  const json health = {{"status", "ok"},
                       {"version", "0.1.0"},
                       {"api_version", "1"},
                       {"time", "2026-11-26T23:37:24Z"}};
  CHECK(c.validate_response("GET", "/api/v1/health", 200, "application/json; charset=utf-8", health)
            .empty());
  const json problem = {{"type", "https://daoffice.example/problems/not-found"},
                        {"title", "Not Found"},
                        {"status", 404},
                        {"detail", "no department 9"},
                        {"instance", "/api/v1/departments/9"}};
  CHECK(
      c.validate_response("GET", "/api/v1/departments/9", 404, "application/problem+json", problem)
          .empty());
}

TEST_CASE("response validation catches wrong types, missing fields, undocumented answers") {
  const auto& c = contract();
  struct Row {
    const char* method;
    const char* path;
    int status;
    const char* content_type;
    json body;
    std::vector<Problem> expected;
  };
  json wrong_type = scim_user();
  wrong_type["active"] = "yes";
  json missing = scim_user();
  missing.erase("userName");
  const json job = json::parse(R"({"id": "1", "kind": "backup", "state": "done", "progress": 1.5,
      "error": null, "result": null, "created_at": "2026-11-26T23:37:24Z", "updated_at": "2026-11-26T23:37:24Z"})");
  const std::vector<Row> rows = {
      {"GET",
       "/scim/v2/Users/42",
       200,
       "application/scim+json",
       wrong_type,
       {{"/active", "expected boolean, found string \"yes\""}}},
      {"GET",
       "/scim/v2/Users/42",
       200,
       "application/scim+json",
       missing,
       {{"", "missing required property \"userName\""}}},
      {"GET",
       "/api/v1/jobs/1",
       200,
       "application/json",
       job,
       {{"/progress", "1.5 is greater than the maximum 1"},
        {"/state", "\"done\" is not one of [\"queued\", \"running\", \"succeeded\", \"failed\"]"}}},
      {"GET",
       "/scim/v2/Users/42",
       418,
       "application/scim+json",
       scim_user(),
       {{"(response)",
         "GET /scim/v2/Users/{id}: status 418 is not documented (documented: 200, "
         "401, 403, 404, 429, 500, 503)"}}},
      {"GET",
       "/scim/v2/Users/42",
       200,
       "text/html",
       "<html/>",
       {{"(response)",
         "GET /scim/v2/Users/{id} 200: content type text/html is not documented "
         "(documented: application/scim+json)"}}},
      {"DELETE",
       "/scim/v2/Users/42",
       204,
       "application/json",
       json::object(),
       {{"(response)",
         "DELETE /scim/v2/Users/{id} 204: the contract documents no body, but one was sent"}}},
      {"GET",
       "/api/v1/nowhere",
       200,
       "application/json",
       json::object(),
       {{"(response)", "GET /api/v1/nowhere: the path is not in the contract"}}},
      {"POST",
       "/api/v1/me",
       200,
       "application/json",
       json::object(),
       {{"(response)",
         "POST /api/v1/me: the method is not documented for this path (documented: GET)"}}},
  };
  for (const auto& row : rows) {
    INFO(row.method << " " << row.path << " " << row.status);
    auto problems =
        c.validate_response(row.method, row.path, row.status, row.content_type, row.body);
    CHECK(problems == row.expected);
  }
}

TEST_CASE("required response headers are checked when headers are given") {
  const auto& c = contract();
  Headers headers{{"content-type", "application/scim+json"}};
  auto problems = c.validate_response("POST", "/scim/v2/Users", 201, "application/scim+json",
                                      scim_user(), &headers);
  std::sort(problems.begin(), problems.end(),
            [](const Problem& a, const Problem& b) { return a.message < b.message; });
  const std::vector<Problem> expected = {
      {"(response)", "POST /scim/v2/Users 201: missing required header ETag"},
      {"(response)", "POST /scim/v2/Users 201: missing required header Location"},
  };
  CHECK(problems == expected);
  headers["etag"] = "W/\"1\"";
  headers["LOCATION"] = "/scim/v2/Users/42";
  CHECK(c.validate_response("POST", "/scim/v2/Users", 201, "application/scim+json", scim_user(),
                            &headers)
            .empty());
}
