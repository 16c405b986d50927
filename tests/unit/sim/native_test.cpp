#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {
json create_department(const RunningSim& sim, json body, int expected = 201) {
  auto r = sim.post("/api/v1/departments", body);
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == expected);
  return body_of(r);
}
}  // namespace

TEST_CASE("departments form a tree with computed path and member_count") {
  RunningSim sim;
  auto company = create_department(sim, {{"name", "Company"}, {"external_id", "d-root"}});
  CHECK(company["parent_id"].is_null());
  CHECK(company["path"] == "Company");
  auto it = create_department(sim, {{"name", "IT"}, {"parent_id", company["id"]}});
  auto backend = create_department(sim, {{"name", "Backend"}, {"parent_id", it["id"]}, {"external_id", "d-be"}});
  CHECK(backend["path"] == "Company/IT/Backend");
  CHECK(backend["member_count"] == 0);
  CHECK(backend["head_user_id"].is_null());

  auto user = user_doc("dev.one");
  user["urn:daoffice:scim:schemas:extension:profile:1.0:User"] = {{"departmentId", backend["id"]}};
  auto user_id = body_of(sim.post("/scim/v2/Users", user))["id"].get<std::string>();
  auto got = sim.get("/api/v1/departments/" + backend["id"].get<std::string>());
  REQUIRE(got);
  CHECK(got->get_header_value("ETag") == "W/\"1\"");
  CHECK(body_of(got)["member_count"] == 1);

  SECTION("sibling names are unique, external ids are unique with existing_id") {
    auto dup = sim.post("/api/v1/departments", json{{"name", "IT"}, {"parent_id", company["id"]}});
    REQUIRE(dup);
    CHECK(dup->status == 409);
    CHECK(dup->get_header_value("Content-Type") == "application/problem+json");
    CHECK(body_of(dup)["type"] == "https://daoffice.example/problems/conflict");
    auto ext = sim.post("/api/v1/departments", json{{"name", "Other"}, {"external_id", "d-be"}});
    REQUIRE(ext);
    CHECK(ext->status == 409);
    CHECK(body_of(ext)["existing_id"] == backend["id"]);
    create_department(sim, {{"name", "IT"}, {"parent_id", backend["id"]}});  // same name elsewhere is fine
  }

  SECTION("invalid input is 422 naming the field") {
    auto r = sim.post("/api/v1/departments", json{{"name", "A/B"}});
    CHECK(r->status == 422);
    CHECK(body_of(r)["errors"][0]["field"] == "name");
    auto no_parent = sim.post("/api/v1/departments", json{{"name", "X"}, {"parent_id", "999"}});
    CHECK(no_parent->status == 422);
    CHECK(body_of(no_parent)["errors"][0]["field"] == "parent_id");
    auto unknown = sim.post("/api/v1/departments", json{{"name", "X"}, {"colour", "red"}});
    CHECK(unknown->status == 422);
  }

  SECTION("moving under a descendant is 422; a valid move updates paths") {
    auto cycle = sim.patch("/api/v1/departments/" + it["id"].get<std::string>(), json{{"parent_id", backend["id"]}});
    REQUIRE(cycle);
    CHECK(cycle->status == 422);
    CHECK(body_of(cycle)["errors"][0]["field"] == "parent_id");
    auto self = sim.patch("/api/v1/departments/" + it["id"].get<std::string>(), json{{"parent_id", it["id"]}});
    CHECK(self->status == 422);
    auto moved = sim.patch("/api/v1/departments/" + backend["id"].get<std::string>(),
                           json{{"parent_id", company["id"]}, {"name", "Platform"}, {"head_user_id", user_id}});
    REQUIRE(moved);
    CHECK(moved->status == 200);
    CHECK(body_of(moved)["path"] == "Company/Platform");
    CHECK(body_of(moved)["head_user_id"] == user_id);
    CHECK(moved->get_header_value("ETag") == "W/\"2\"");
    auto stale = sim.patch("/api/v1/departments/" + backend["id"].get<std::string>(), json{{"name", "Z"}},
                           {{"If-Match", "W/\"1\""}});
    CHECK(stale->status == 412);
    CHECK(body_of(stale)["type"] == "https://daoffice.example/problems/precondition-failed");
  }

  SECTION("deleting a department with children or members is 409; an empty one is 204") {
    CHECK(sim.del("/api/v1/departments/" + it["id"].get<std::string>())->status == 409);
    auto with_members = sim.del("/api/v1/departments/" + backend["id"].get<std::string>());
    CHECK(with_members->status == 409);
    CHECK(body_of(with_members)["detail"].get<std::string>().find("member") != std::string::npos);
    REQUIRE(sim.del("/scim/v2/Users/" + user_id)->status == 204);
    CHECK(sim.del("/api/v1/departments/" + backend["id"].get<std::string>())->status == 204);
    CHECK(sim.get("/api/v1/departments/" + backend["id"].get<std::string>())->status == 404);
  }

  SECTION("lists page with an opaque cursor and filter by parent_id and external_id") {
    for (int i = 0; i < 5; ++i) create_department(sim, {{"name", "Team " + std::to_string(i)}, {"parent_id", it["id"]}});
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
      auto r = sim.get("/api/v1/departments?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
      REQUIRE(r);
      REQUIRE(r->status == 200);
      auto page = body_of(r);
      for (const auto& d : page["items"]) seen.push_back(d["id"]);
      cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
      ++pages;
    } while (!cursor.empty());
    CHECK(seen.size() == 8);
    CHECK(pages == 3);
    auto children = body_of(sim.get("/api/v1/departments?parent_id=" + it["id"].get<std::string>()));
    CHECK(children["items"].size() == 6);
    auto roots = body_of(sim.get("/api/v1/departments?parent_id=null"));
    CHECK(roots["items"].size() == 1);
    auto by_ext = body_of(sim.get("/api/v1/departments?external_id=d-be"));
    CHECK(by_ext["items"][0]["id"] == backend["id"]);
    CHECK(sim.get("/api/v1/departments?cursor=garbage")->status == 400);
  }
}

TEST_CASE("sessions and tokens: simulated login, list, revoke all") {
  RunningSim sim;
  auto user_id = body_of(sim.post("/scim/v2/Users", user_doc("login.user")))["id"].get<std::string>();
  auto base = "/api/v1/users/" + user_id;
  auto s1 = sim.post(base + "/sessions", json{{"client", "web"}});
  REQUIRE(s1);
  CHECK(s1->status == 201);
  CHECK(body_of(s1)["client"] == "web");
  CHECK(sim.post(base + "/sessions", json::object())->status == 201);
  CHECK(sim.post(base + "/tokens", json{{"name", "ci"}})->status == 201);
  auto listed = body_of(sim.get(base + "/sessions"));
  CHECK(listed["items"].size() == 2);
  CHECK(listed["next_cursor"].is_null());
  CHECK(listed["items"][0].contains("last_seen_at"));
  CHECK(body_of(sim.get(base + "/tokens"))["items"][0]["name"] == "ci");

  auto revoked = sim.del(base + "/sessions");
  REQUIRE(revoked);
  CHECK(revoked->status == 200);
  CHECK(body_of(revoked) == json{{"revoked", 2}});
  CHECK(body_of(sim.get(base + "/sessions"))["items"].empty());
  CHECK(body_of(sim.get(base + "/tokens"))["items"].size() == 1);  // tokens are separate
  CHECK(body_of(sim.del(base + "/tokens")) == json{{"revoked", 1}});
  CHECK(body_of(sim.del(base + "/sessions")) == json{{"revoked", 0}});

  // active=false blocks login.
  auto blocked = sim.patch("/scim/v2/Users/" + user_id,
                           patch_op(json::array({json{{"op", "replace"}, {"path", "active"}, {"value", false}}})));
  REQUIRE(blocked->status == 200);
  auto refused = sim.post(base + "/sessions", json::object());
  CHECK(refused->status == 403);
  CHECK(body_of(refused)["type"] == "https://daoffice.example/problems/forbidden");

  CHECK(sim.get("/api/v1/users/999/sessions")->status == 404);
  CHECK(sim.del("/api/v1/users/999/tokens")->status == 404);
}

TEST_CASE("native POST honours Idempotency-Key") {
  RunningSim sim;
  httplib::Headers key{{"Idempotency-Key", "dept-1"}};
  auto first = sim.post("/api/v1/departments", json{{"name", "Company"}}, key);
  auto second = sim.post("/api/v1/departments", json{{"name", "Company"}}, key);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->status == 201);
  CHECK(second->status == 201);
  CHECK(second->get_header_value("Idempotent-Replayed") == "true");
  CHECK(second->body == first->body);
  auto other = sim.post("/api/v1/departments", json{{"name", "Other"}}, key);
  CHECK(other->status == 422);
  CHECK(body_of(other)["type"] == "https://daoffice.example/problems/validation");
  CHECK(body_of(sim.get("/api/v1/departments"))["items"].size() == 1);
}

TEST_CASE("a job has one wire format: read by id, listed and answered by a transfer") {
  RunningSim sim;
  auto failed = sim.store().create_job("backup");
  auto stored = sim.store().update_job(failed.id, "failed", 0.25,
                                       R"({"type":"https://daoffice.example/problems/internal","title":"Internal error",)"
                                       R"("status":500,"detail":"disk \u00e9 full"})",
                                       R"({"partial":[1,2]})");
  REQUIRE(stored);
  // The bytes clients see: members in this order, ids as strings, null for
  // an absent error or result, and the stored JSON parsed, not quoted.
  const std::string expected = fmt::format(
      R"({{"created_at":"{}","error":{{"detail":"disk é full","status":500,"title":"Internal error",)"
      R"("type":"https://daoffice.example/problems/internal"}},"id":"{}",)"
      R"("kind":"backup","progress":0.25,"result":{{"partial":[1,2]}},"state":"failed",)"
      R"("updated_at":"{}"}})",
      stored->created_at, failed.id, stored->updated_at);
  auto by_id = sim.get("/api/v1/jobs/" + std::to_string(failed.id));
  REQUIRE(by_id);
  CHECK(by_id->body == expected);
  auto listed = body_of(sim.get("/api/v1/jobs?kind=backup"));
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0].dump() == expected);

  auto from = sim.post("/scim/v2/Users", user_doc("from.owner"));
  auto to = sim.post("/scim/v2/Users", user_doc("to.owner"));
  REQUIRE(from->status == 201);
  REQUIRE(to->status == 201);
  auto transfer = sim.post("/api/v1/users/" + body_of(from)["id"].get<std::string>() + "/transfer",
                           json{{"to_user_id", body_of(to)["id"]}, {"what", {"posts"}}});
  REQUIRE(transfer->status == 202);
  auto queued = body_of(transfer);
  CHECK(transfer->body ==
        fmt::format(R"({{"created_at":"{0}","error":null,"id":"{1}","kind":"transfer","progress":0.0,)"
                    R"("result":null,"state":"queued","updated_at":"{0}"}})",
                    queued["created_at"].get<std::string>(), queued["id"].get<std::string>()));
}

TEST_CASE("a transfer moves only the asked kinds of the owner's content and counts them") {
  RunningSim sim;
  auto from = body_of(sim.post("/scim/v2/Users", user_doc("old.owner")))["id"].get<std::string>();
  auto to = body_of(sim.post("/scim/v2/Users", user_doc("new.owner")))["id"].get<std::string>();
  auto other = body_of(sim.post("/scim/v2/Users", user_doc("bystander")))["id"].get<std::string>();
  {
    std::lock_guard lock(sim.store().mutex());
    auto& db = sim.store().db();
    for (const auto& [kind, owner] : std::vector<std::pair<std::string, std::string>>{
             {"posts", from}, {"posts", from}, {"files", from}, {"events", from}, {"posts", other}})
      db.prepare("INSERT INTO owned_content(kind, owner_id) VALUES(?1, ?2)").bind(1, kind).bind(2, static_cast<std::int64_t>(std::stoll(owner))).run();
  }
  auto started = sim.post("/api/v1/users/" + from + "/transfer",
                          json{{"to_user_id", to}, {"what", {"files", "posts", "communities"}}});
  REQUIRE(started->status == 202);
  auto job = body_of(sim.get(started->get_header_value("Location")));
  CHECK(job["state"] == "succeeded");
  CHECK(job["result"] == json{{"moved", {{"communities", 0}, {"files", 1}, {"posts", 2}}}});
  std::lock_guard lock(sim.store().mutex());
  auto st = sim.store().db().prepare("SELECT kind, owner_id FROM owned_content ORDER BY id");
  std::vector<std::pair<std::string, std::int64_t>> rows;
  while (st.step()) rows.emplace_back(st.column_text(0), st.column_int64(1));
  CHECK(rows == std::vector<std::pair<std::string, std::int64_t>>{
                    {"posts", std::stoll(to)}, {"posts", std::stoll(to)}, {"files", std::stoll(to)},
                    {"events", std::stoll(from)}, {"posts", std::stoll(other)}});
}

TEST_CASE("jobs are listed by kind and read by id") {
  RunningSim sim;
  auto backup = sim.store().create_job("backup");
  sim.store().create_job("transfer");
  sim.store().update_job(backup.id, "succeeded", 1.0, std::nullopt, R"({"backup_id":"7"})");
  auto job = body_of(sim.get("/api/v1/jobs/" + std::to_string(backup.id)));
  CHECK(job["kind"] == "backup");
  CHECK(job["state"] == "succeeded");
  CHECK(job["progress"] == 1.0);
  CHECK(job["result"] == json{{"backup_id", "7"}});
  CHECK(job["error"].is_null());
  auto backups = body_of(sim.get("/api/v1/jobs?kind=backup"));
  CHECK(backups["items"].size() == 1);
  CHECK(body_of(sim.get("/api/v1/jobs"))["items"].size() == 2);
  CHECK(sim.get("/api/v1/jobs/12345")->status == 404);
}
