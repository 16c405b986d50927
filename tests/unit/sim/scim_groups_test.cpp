#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {
std::string new_user(const RunningSim& sim, const std::string& name) {
  auto r = sim.post("/scim/v2/Users", user_doc(name));
  REQUIRE(r);
  REQUIRE(r->status == 201);
  return body_of(r)["id"].get<std::string>();
}

json member(const std::string& id) { return json{{"value", id}}; }

std::vector<std::string> member_ids(const json& group) {
  std::vector<std::string> out;
  if (group.contains("members"))
    for (const auto& m : group["members"]) out.push_back(m["value"]);
  return out;
}
}  // namespace

TEST_CASE("SCIM groups: create with members, membership shows in the user's groups") {
  RunningSim sim;
  auto a = new_user(sim, "a.user");
  auto b = new_user(sim, "b.user");
  auto created = sim.post("/scim/v2/Groups", json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                                  {"displayName", "intranet-admins"},
                                                  {"externalId", "g-1"},
                                                  {"members", json::array({member(a), member(b)})}});
  REQUIRE(created);
  REQUIRE(created->status == 201);
  auto group = body_of(created);
  auto gid = group["id"].get<std::string>();
  CHECK(created->get_header_value("Location") == "/scim/v2/Groups/" + gid);
  CHECK(member_ids(group) == std::vector<std::string>{a, b});
  CHECK(group["members"][0]["display"] == "a.user");  // no displayName or name.formatted: userName
  CHECK(group["meta"]["version"] == "W/\"1\"");

  auto user = body_of(sim.get("/scim/v2/Users/" + a));
  REQUIRE(user["groups"].size() == 1);
  CHECK(user["groups"][0]["value"] == gid);
  CHECK(user["groups"][0]["display"] == "intranet-admins");

  auto duplicate = sim.post("/scim/v2/Groups", json{{"displayName", "INTRANET-ADMINS"}});
  REQUIRE(duplicate);
  CHECK(duplicate->status == 409);
  CHECK(body_of(duplicate)["scimType"] == "uniqueness");

  auto unknown_member = sim.post("/scim/v2/Groups", json{{"displayName", "x"}, {"members", json::array({member("999")})}});
  CHECK(unknown_member->status == 400);

  auto by_member = sim.client().Get("/scim/v2/Groups", httplib::Params{{"filter", "members.value eq \"" + b + "\""}},
                                    httplib::Headers{});
  CHECK(body_of(by_member)["totalResults"] == 1);
  auto by_name = sim.client().Get("/scim/v2/Groups", httplib::Params{{"filter", R"(displayName eq "Intranet-Admins")"}},
                                  httplib::Headers{});
  CHECK(body_of(by_name)["Resources"][0]["id"] == gid);
  auto lean = body_of(sim.get("/scim/v2/Groups?excludedAttributes=members"));
  CHECK_FALSE(lean["Resources"][0].contains("members"));

  // Deleting a member removes it from the group and moves the group's version.
  REQUIRE(sim.del("/scim/v2/Users/" + a)->status == 204);
  auto after = body_of(sim.get("/scim/v2/Groups/" + gid));
  CHECK(member_ids(after) == std::vector<std::string>{b});
  CHECK(after["meta"]["version"] == "W/\"2\"");
}

TEST_CASE("SCIM group PATCH: add, remove by filter, replace, remove all, order of operations") {
  RunningSim sim;
  auto a = new_user(sim, "a.user");
  auto b = new_user(sim, "b.user");
  auto c = new_user(sim, "c.user");
  auto gid = body_of(sim.post("/scim/v2/Groups", json{{"displayName", "team"}}))["id"].get<std::string>();
  auto path = "/scim/v2/Groups/" + gid;
  auto apply = [&](json ops) {
    auto r = sim.patch(path, patch_op(std::move(ops)));
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == 200);
    return body_of(r);
  };
  using V = std::vector<std::string>;
  auto g = apply(json::array({json{{"op", "add"}, {"path", "members"}, {"value", json::array({member(a), member(b)})}}}));
  CHECK(member_ids(g) == V{a, b});
  g = apply(json::array({json{{"op", "remove"}, {"path", "members[value eq \"" + a + "\"]"}}}));
  CHECK(member_ids(g) == V{b});
  g = apply(json::array({json{{"op", "replace"}, {"path", "members"}, {"value", json::array({member(c)})}},
                         json{{"op", "replace"}, {"path", "displayName"}, {"value", "renamed"}}}));
  CHECK(member_ids(g) == V{c});
  CHECK(g["displayName"] == "renamed");
  // Azure AD removes with a value list on "members".
  g = apply(json::array({json{{"op", "remove"}, {"path", "members"}, {"value", json::array({member(c)})}}}));
  CHECK(member_ids(g).empty());
  // Later operations win: add then remove the same member leaves it out.
  g = apply(json::array({json{{"op", "add"}, {"path", "members"}, {"value", json::array({member(a), member(b)})}},
                         json{{"op", "remove"}, {"path", "members[value eq \"" + a + "\"]"}}}));
  CHECK(member_ids(g) == V{b});
  g = apply(json::array({json{{"op", "remove"}, {"path", "members"}},
                         json{{"op", "add"}, {"value", json{{"members", json::array({member(c)})}}}}}));
  CHECK(member_ids(g) == V{c});
  CHECK(g["meta"]["version"] == "W/\"7\"");
}

TEST_CASE("more than 1000 member operations in one PATCH is 400 tooMany") {
  RunningSim sim;
  auto a = new_user(sim, "a.user");
  auto gid = body_of(sim.post("/scim/v2/Groups", json{{"displayName", "big"}}))["id"].get<std::string>();
  json members = json::array();
  for (int i = 0; i < 1001; ++i) members.push_back(member(a));
  auto r = sim.patch("/scim/v2/Groups/" + gid,
                     patch_op(json::array({json{{"op", "add"}, {"path", "members"}, {"value", members}}})));
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(body_of(r)["scimType"] == "tooMany");
  members.erase(members.begin());
  auto ok = sim.patch("/scim/v2/Groups/" + gid,
                      patch_op(json::array({json{{"op", "add"}, {"path", "members"}, {"value", members}}})));
  CHECK(ok->status == 200);
}

TEST_CASE("SCIM group PUT replaces members and honours If-Match, DELETE is 204") {
  RunningSim sim;
  auto a = new_user(sim, "a.user");
  auto b = new_user(sim, "b.user");
  auto created = sim.post("/scim/v2/Groups", json{{"displayName", "g"}, {"members", json::array({member(a)})}});
  auto gid = body_of(created)["id"].get<std::string>();
  auto put = sim.put("/scim/v2/Groups/" + gid, json{{"displayName", "g2"}, {"members", json::array({member(b)})}},
                     {{"If-Match", created->get_header_value("ETag")}});
  REQUIRE(put);
  CHECK(put->status == 200);
  CHECK(member_ids(body_of(put)) == std::vector<std::string>{b});
  auto stale = sim.put("/scim/v2/Groups/" + gid, json{{"displayName", "g3"}},
                       {{"If-Match", created->get_header_value("ETag")}});
  CHECK(stale->status == 412);
  CHECK(sim.del("/scim/v2/Groups/" + gid)->status == 204);
  CHECK(sim.get("/scim/v2/Groups/" + gid)->status == 404);
  CHECK(body_of(sim.get("/scim/v2/Users/" + b)).contains("groups") == false);
}
