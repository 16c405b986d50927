#include <catch2/catch.hpp>

#include "sim/seed.hpp"
#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {
const std::string kEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const std::string kProfile = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

std::string create_user(const RunningSim& sim, const std::string& user_name, const std::string& external = {}) {
  auto r = sim.post("/scim/v2/Users", user_doc(user_name, external));
  REQUIRE(r);
  REQUIRE(r->status == 201);
  return body_of(r)["id"].get<std::string>();
}
}  // namespace

TEST_CASE("SCIM user create, read, replace and delete") {
  RunningSim sim;
  auto doc = user_doc("ivanov.ivan", "hr-1001");
  doc[kEnterprise] = {{"employeeNumber", "1001"}, {"department", "IT"}};
  doc[kProfile] = {{"skills", {"C++", "SQL"}}, {"hireDate", "2020-01-15"}};
  doc["password"] = "never-stored";
  auto created = sim.post("/scim/v2/Users", doc);
  REQUIRE(created);
  REQUIRE(created->status == 201);
  auto user = body_of(created);
  auto id = user["id"].get<std::string>();
  CHECK(created->get_header_value("Location") == "/scim/v2/Users/" + id);
  CHECK(created->get_header_value("ETag") == "W/\"1\"");
  CHECK(user["meta"]["version"] == "W/\"1\"");
  CHECK(user["meta"]["resourceType"] == "User");
  CHECK(user["meta"]["location"] == "/scim/v2/Users/" + id);
  CHECK(user["schemas"] == json::array({"urn:ietf:params:scim:schemas:core:2.0:User", kEnterprise, kProfile}));
  CHECK(user[kEnterprise]["employeeNumber"] == "1001");
  CHECK(user[kProfile]["skills"] == json::array({"C++", "SQL"}));
  CHECK_FALSE(user.contains("password"));
  CHECK_FALSE(user.contains("groups"));

  auto got = sim.get("/scim/v2/Users/" + id);
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(body_of(got) == user);

  auto replacement = user_doc("ivanov.ivan", "hr-1001");
  replacement["title"] = "Team Lead";
  replacement["active"] = false;
  auto put = sim.put("/scim/v2/Users/" + id, replacement);
  REQUIRE(put);
  CHECK(put->status == 200);
  auto replaced = body_of(put);
  CHECK(replaced["title"] == "Team Lead");
  CHECK(replaced["active"] == false);
  CHECK_FALSE(replaced.contains(kEnterprise));  // PUT replaces the whole resource
  CHECK(replaced["meta"]["version"] == "W/\"2\"");
  CHECK(replaced["meta"]["created"] == user["meta"]["created"]);

  auto deleted = sim.del("/scim/v2/Users/" + id);
  REQUIRE(deleted);
  CHECK(deleted->status == 204);
  auto gone = sim.get("/scim/v2/Users/" + id);
  REQUIRE(gone);
  CHECK(gone->status == 404);
  CHECK(body_of(gone)["status"] == "404");
}

TEST_CASE("invalid user documents are 400 with a SCIM error that names the attribute") {
  RunningSim sim;
  struct Row {
    json doc;
    std::string scim_type;
    std::string mentions;
  };
  const Row rows[] = {
      {json{{"name", {{"givenName", "A"}}}}, "invalidValue", "userName"},
      {json{{"userName", ""}}, "invalidValue", "userName"},
      {json{{"userName", "a"}, {"active", "maybe"}}, "invalidValue", "active"},
      {json{{"userName", "a"}, {"emails", "a@b"}}, "invalidValue", "emails"},
      {json{{"userName", "a"}, {kProfile, {{"departmentId", "x1"}}}}, "invalidValue", "departmentId"},
      {json{{"userName", "a"}, {kProfile, {{"departmentId", "999"}}}}, "invalidValue", "999"},
      {json::array({1, 2}), "invalidSyntax", "object"},
  };
  for (const auto& row : rows) {
    INFO(row.doc.dump());
    auto r = sim.post("/scim/v2/Users", row.doc);
    REQUIRE(r);
    CHECK(r->status == 400);
    auto body = body_of(r);
    CHECK(body["scimType"] == row.scim_type);
    CHECK(body["detail"].get<std::string>().find(row.mentions) != std::string::npos);
  }
  auto broken = sim.client().Post("/scim/v2/Users", "{\"userName\":\n  \"a\",,}", "application/scim+json");
  REQUIRE(broken);
  CHECK(broken->status == 400);
  CHECK(body_of(broken)["scimType"] == "invalidSyntax");
  CHECK(body_of(broken)["detail"].get<std::string>().find("line 2") != std::string::npos);
}

TEST_CASE("userName is unique case-insensitively and externalId exactly: 409 uniqueness") {
  RunningSim sim;
  create_user(sim, "petrov.petr", "ext-1");
  auto same_name = sim.post("/scim/v2/Users", user_doc("Petrov.PETR", "ext-2"));
  REQUIRE(same_name);
  CHECK(same_name->status == 409);
  CHECK(body_of(same_name)["scimType"] == "uniqueness");
  auto same_external = sim.post("/scim/v2/Users", user_doc("other", "ext-1"));
  REQUIRE(same_external);
  CHECK(same_external->status == 409);
  CHECK(body_of(same_external)["scimType"] == "uniqueness");
  auto other_case_external = sim.post("/scim/v2/Users", user_doc("other", "EXT-1"));
  REQUIRE(other_case_external);
  CHECK(other_case_external->status == 201);
}

TEST_CASE("SCIM user filters: eq on userName, externalId, emails, id, active, sw on userName, and") {
  RunningSim sim;
  auto a = create_user(sim, "smith.john", "x-1");
  auto b = create_user(sim, "smith.jane", "x-2");
  auto blocked = user_doc("blocked.user", "x-3");
  blocked["active"] = false;
  auto c = body_of(sim.post("/scim/v2/Users", blocked))["id"].get<std::string>();
  auto ids = [&](const std::string& filter) {
    auto r = sim.client().Get("/scim/v2/Users", httplib::Params{{"filter", filter}}, httplib::Headers{});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    std::vector<std::string> out;
    auto body = body_of(r);
    CHECK(body["totalResults"] == body["Resources"].size());
    for (const auto& u : body["Resources"]) out.push_back(u["id"]);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(ids(R"(userName eq "SMITH.John")") == V{a});
  CHECK(ids(R"(externalId eq "x-2")") == V{b});
  CHECK(ids(R"(externalId eq "X-2")").empty());
  CHECK(ids(R"(emails.value eq "Smith.Jane@corp.example")") == V{b});
  CHECK(ids(R"(emails[value eq "smith.jane@corp.example"])") == V{b});
  CHECK(ids(R"(id eq ")" + c + "\"") == V{c});
  CHECK(ids("active eq false") == V{c});
  CHECK(ids("active eq true") == V{a, b});
  CHECK(ids(R"(userName eq "smith.john" and active eq true)") == V{a});
  CHECK(ids(R"((userName eq "smith.john") and externalId eq "x-2")").empty());
  CHECK(ids(R"(id eq "not-a-number")").empty());
  // sw: a prefix of userName, any case, served by the index (completion asks it).
  CHECK(ids(R"(userName sw "SMITH.")") == V{a, b});
  CHECK(ids(R"(userName sw "smith.j" and active eq true)") == V{a, b});
  CHECK(ids(R"(userName sw "smith.jo")") == V{a});
  CHECK(ids(R"(userName sw "")").size() == 3);
  CHECK(ids(R"(userName sw "smith.john.")").empty());

  for (const std::string bad : {R"(userName co "smith")", R"(userName eq "a" or userName eq "b")",
                                R"(externalId sw "x")", R"(userName sw true)",
                                R"(title eq "x")", R"(userName eq )", R"(userName eq "unterminated)"}) {
    INFO(bad);
    auto r = sim.client().Get("/scim/v2/Users", httplib::Params{{"filter", bad}}, httplib::Headers{});
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(body_of(r)["scimType"] == "invalidFilter");
  }
}

TEST_CASE("SCIM paging: 1-based startIndex, count 0, beyond the end, clamp at 1000, id order") {
  RunningSim sim;
  daoctl::sim::SeedOptions options;
  options.users = 1005;
  REQUIRE(sim.store().bulk_load(daoctl::sim::generate_seed(options)));
  auto page = [&](const std::string& query) {
    auto r = sim.get("/scim/v2/Users?" + query);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return body_of(r);
  };
  auto first = page("startIndex=1&count=10");
  CHECK(first["totalResults"] == 1005);
  CHECK(first["startIndex"] == 1);
  CHECK(first["itemsPerPage"] == 10);
  CHECK(first["Resources"][0]["id"] == "1");
  CHECK(first["Resources"][9]["id"] == "10");

  auto zero = page("startIndex=0&count=3");  // < 1 is 1
  CHECK(zero["startIndex"] == 1);
  CHECK(zero["Resources"][0]["id"] == "1");

  auto none = page("count=0");
  CHECK(none["totalResults"] == 1005);
  CHECK(none["itemsPerPage"] == 0);
  CHECK(none["Resources"].empty());

  auto beyond = page("startIndex=2000&count=10");
  CHECK(beyond["totalResults"] == 1005);
  CHECK(beyond["itemsPerPage"] == 0);
  CHECK(beyond["Resources"].empty());

  auto last = page("startIndex=1001&count=10");
  CHECK(last["itemsPerPage"] == 5);
  CHECK(last["Resources"][4]["id"] == "1005");

  auto clamped = page("count=5000");
  CHECK(clamped["itemsPerPage"] == 1000);

  auto defaulted = page("");
  CHECK(defaulted["itemsPerPage"] == 100);

  // Deleting a user shifts later pages by one without gaps or repeats.
  REQUIRE(sim.del("/scim/v2/Users/5")->status == 204);
  auto shifted = page("startIndex=5&count=2");
  CHECK(shifted["totalResults"] == 1004);
  CHECK(shifted["Resources"][0]["id"] == "6");

  auto bad = sim.get("/scim/v2/Users?count=ten");
  REQUIRE(bad);
  CHECK(bad->status == 400);
}

TEST_CASE("SCIM user PATCH: paths, extension URNs, value filters, no-path replace") {
  RunningSim sim;
  auto doc = user_doc("patch.me", "p-1");
  doc["emails"].push_back({{"value", "home@example.org"}, {"type", "home"}});
  auto id = body_of(sim.post("/scim/v2/Users", doc))["id"].get<std::string>();
  auto path = "/scim/v2/Users/" + id;
  auto apply = [&](json ops) {
    auto r = sim.patch(path, patch_op(std::move(ops)));
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 200);
    return body_of(r);
  };

  auto u = apply({{{"op", "replace"}, {"path", "title"}, {"value", "Engineer"}},
                  {{"op", "replace"}, {"path", "name.givenName"}, {"value", "Пётр"}}});
  CHECK(u["title"] == "Engineer");
  CHECK(u["name"]["givenName"] == "Пётр");
  CHECK(u["name"]["familyName"] == "Иванов");

  u = apply({{{"op", "add"}, {"path", kEnterprise + ":department"}, {"value", "IT"}},
             {{"op", "add"}, {"path", kProfile + ":skills"}, {"value", {"Go"}}}});
  CHECK(u[kEnterprise]["department"] == "IT");
  CHECK(u[kProfile]["skills"] == json::array({"Go"}));
  CHECK(u["schemas"].size() == 3);

  u = apply({{{"op", "add"}, {"path", kProfile + ":skills"}, {"value", {"Go", "Rust"}}}});
  CHECK(u[kProfile]["skills"] == json::array({"Go", "Rust"}));

  u = apply({{{"op", "replace"}, {"path", R"(emails[type eq "work"].value)"}, {"value", "new@corp.example"}}});
  CHECK(u["emails"][0]["value"] == "new@corp.example");
  u = apply({{{"op", "remove"}, {"path", R"(emails[type eq "home"])"}}});
  CHECK(u["emails"].size() == 1);

  // Azure AD style: no path, keys are paths, booleans as strings.
  u = apply({{{"op", "Replace"},
              {"value", {{"active", "False"}, {"displayName", "Patched"}, {kEnterprise + ":division", "East"}}}}});
  CHECK(u["active"] == false);
  CHECK(u["displayName"] == "Patched");
  CHECK(u[kEnterprise]["division"] == "East");

  u = apply({{{"op", "remove"}, {"path", "title"}}});
  CHECK_FALSE(u.contains("title"));
  CHECK(u["meta"]["version"] == "W/\"8\"");

  // The new email is searchable: the lookup columns follow PATCH.
  auto found = sim.client().Get("/scim/v2/Users", httplib::Params{{"filter", R"(emails.value eq "new@corp.example")"}},
                                httplib::Headers{});
  CHECK(body_of(found)["totalResults"] == 1);

  struct Bad {
    json ops;
    std::string scim_type;
  };
  const Bad bad[] = {
      {{{{"op", "remove"}}}, "noTarget"},
      {{{{"op", "replace"}, {"path", R"(emails[type eq "fax"].value)"}, {"value", "x"}}}, "noTarget"},
      {{{{"op", "replace"}, {"path", "id"}, {"value", "9"}}}, "mutability"},
      {{{{"op", "replace"}, {"path", "groups"}, {"value", json::array()}}}, "mutability"},
      {{{{"op", "move"}, {"path", "title"}, {"value", "x"}}}, "invalidSyntax"},
      {{{{"op", "replace"}, {"path", "userName"}, {"value", 5}}}, "invalidValue"},
      {{{{"op", "replace"}, {"path", "urn:unknown:schema:attr"}, {"value", 5}}}, "invalidValue"},
  };
  for (const auto& b : bad) {
    INFO(b.ops.dump());
    auto r = sim.patch(path, patch_op(b.ops));
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(body_of(r)["scimType"] == b.scim_type);
  }
  auto empty = sim.patch(path, json{{"Operations", json::array()}});
  CHECK(empty->status == 400);
}

TEST_CASE("If-Match: a stale ETag is 412 for PUT, PATCH and DELETE, the current one passes") {
  RunningSim sim;
  auto created = sim.post("/scim/v2/Users", user_doc("etag.user"));
  auto id = body_of(created)["id"].get<std::string>();
  auto path = "/scim/v2/Users/" + id;
  auto etag = created->get_header_value("ETag");
  auto patched = sim.patch(path, patch_op({{{"op", "replace"}, {"path", "title"}, {"value", "A"}}}),
                           {{"If-Match", etag}});
  REQUIRE(patched);
  CHECK(patched->status == 200);
  CHECK(patched->get_header_value("ETag") == "W/\"2\"");

  auto stale_patch = sim.patch(path, patch_op({{{"op", "replace"}, {"path", "title"}, {"value", "B"}}}),
                               {{"If-Match", etag}});
  REQUIRE(stale_patch);
  CHECK(stale_patch->status == 412);
  CHECK(body_of(stale_patch)["status"] == "412");
  CHECK(sim.put(path, user_doc("etag.user"), {{"If-Match", etag}})->status == 412);
  CHECK(sim.del(path, {{"If-Match", etag}})->status == 412);
  CHECK(sim.del(path, {{"If-Match", "garbage"}})->status == 412);
  CHECK(sim.put(path, user_doc("etag.user"), {{"If-Match", "*"}})->status == 200);
  CHECK(sim.del(path, {{"If-Match", "W/\"1\", W/\"3\""}})->status == 204);
}

TEST_CASE("Idempotency-Key replays the first answer and rejects a different body") {
  RunningSim sim;
  httplib::Headers key{{"Idempotency-Key", "create-42"}};
  auto first = sim.post("/scim/v2/Users", user_doc("idem.user"), key);
  REQUIRE(first);
  REQUIRE(first->status == 201);
  CHECK_FALSE(first->has_header("Idempotent-Replayed"));
  auto again = sim.post("/scim/v2/Users", user_doc("idem.user"), key);
  REQUIRE(again);
  CHECK(again->status == 201);
  CHECK(again->get_header_value("Idempotent-Replayed") == "true");
  CHECK(again->body == first->body);
  CHECK(again->get_header_value("Location") == first->get_header_value("Location"));
  CHECK(body_of(sim.get("/scim/v2/Users"))["totalResults"] == 1);

  auto different = sim.post("/scim/v2/Users", user_doc("someone.else"), key);
  REQUIRE(different);
  CHECK(different->status == 422);

  // Keys are scoped to method and path.
  auto id = body_of(first)["id"].get<std::string>();
  auto patch_body = patch_op({{{"op", "add"}, {"path", "title"}, {"value", "X"}}});
  auto p1 = sim.patch("/scim/v2/Users/" + id, patch_body, key);
  auto p2 = sim.patch("/scim/v2/Users/" + id, patch_body, key);
  CHECK(p1->status == 200);
  CHECK(p2->get_header_value("Idempotent-Replayed") == "true");
  CHECK(body_of(p2)["meta"]["version"] == "W/\"2\"");
}

TEST_CASE("discovery documents state what the platform supports") {
  RunningSim sim;
  auto spc = body_of(sim.get("/scim/v2/ServiceProviderConfig"));
  CHECK(spc["patch"]["supported"] == true);
  CHECK(spc["bulk"]["supported"] == false);
  CHECK(spc["filter"]["maxResults"] == 1000);
  CHECK(spc["etag"]["supported"] == true);
  CHECK(spc["authenticationSchemes"][0]["type"] == "oauthbearertoken");
  CHECK(spc["urn:daoffice:scim:config:1.0"]["maxPatchOperations"] == 1000);

  auto types = body_of(sim.get("/scim/v2/ResourceTypes"));
  CHECK(types["totalResults"] == 2);
  CHECK(types["Resources"][0]["schemaExtensions"].size() == 2);

  auto schemas = body_of(sim.get("/scim/v2/Schemas"));
  CHECK(schemas["totalResults"] == 4);
  auto user = body_of(sim.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"));
  bool has_user_name = false;
  for (const auto& a : user["attributes"])
    if (a["name"] == "userName") has_user_name = a["uniqueness"] == "server" && a["required"] == true;
  CHECK(has_user_name);
  CHECK(sim.get("/scim/v2/Schemas/urn:nope")->status == 404);
}
