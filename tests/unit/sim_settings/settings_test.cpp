#include <catch2/catch.hpp>
#include <string>

#include "../sim/sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

namespace {

json strong_policy() {
  return {{"min_length", 15},       {"require_upper", false},  {"require_lower", false},
          {"require_digit", false}, {"require_symbol", false}, {"history", 5},
          {"max_age_days", 0},      {"lockout_threshold", 10}, {"lockout_minutes", 15}};
}

// The smallest PNG header the sim's content checks accept: signature + IHDR.
std::string png_of(std::uint32_t width, std::uint32_t height) {
  std::string png("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16);
  for (auto v : {width, height})
    for (int shift = 24; shift >= 0; shift -= 8)
      png.push_back(static_cast<char>((v >> shift) & 0xFF));
  png.append(std::string("\x08\x06\0\0\0", 5));
  return png;
}

}  // namespace

TEST_CASE("password policy: defaults, replace with ETag, 422 names the field") {
  RunningSim sim;
  auto got = sim.get("/api/v1/settings/password-policy");
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(got->get_header_value("ETag") == "W/\"1\"");
  CHECK(body_of(got)["min_length"] == 8);

  auto put =
      sim.put("/api/v1/settings/password-policy", strong_policy(), {{"If-Match", "W/\"1\""}});
  REQUIRE(put);
  CHECK(put->status == 200);
  CHECK(put->get_header_value("ETag") == "W/\"2\"");
  CHECK(body_of(sim.get("/api/v1/settings/password-policy")) == strong_policy());

  auto stale =
      sim.put("/api/v1/settings/password-policy", strong_policy(), {{"If-Match", "W/\"1\""}});
  REQUIRE(stale);
  CHECK(stale->status == 412);

  auto tiny = strong_policy();
  tiny["min_length"] = 4;
  auto refused = sim.put("/api/v1/settings/password-policy", tiny);
  REQUIRE(refused);
  CHECK(refused->status == 422);
  auto problem = body_of(refused);
  REQUIRE(problem["errors"].size() == 1);
  CHECK(problem["errors"][0]["field"] == "min_length");

  auto unknown = strong_policy();
  unknown["complexity"] = "high";
  auto refused_unknown = sim.put("/api/v1/settings/password-policy", unknown);
  REQUIRE(refused_unknown);
  CHECK(refused_unknown->status == 422);
}

TEST_CASE("registration: mode domains needs a domain") {
  RunningSim sim;
  auto bad = sim.put("/api/v1/settings/registration",
                     json{{"mode", "domains"}, {"allowed_domains", json::array()}});
  REQUIRE(bad);
  CHECK(bad->status == 422);
  json good = {{"mode", "domains"}, {"allowed_domains", {"corp.example"}}};
  auto ok = sim.put("/api/v1/settings/registration", good);
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(body_of(sim.get("/api/v1/settings/registration")) == good);
}

TEST_CASE("keyword rules get ids and a default scope") {
  RunningSim sim;
  auto put = sim.put("/api/v1/settings/keyword-rules",
                     json{{"rules", {{{"pattern", "secret"}, {"action", "flag"}}}}});
  REQUIRE(put);
  CHECK(put->status == 200);
  auto rules = body_of(sim.get("/api/v1/settings/keyword-rules"))["rules"];
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]["id"] == "1");
  CHECK(rules[0]["scope"] == "all");
  auto bad = sim.put("/api/v1/settings/keyword-rules",
                     json{{"rules", {{{"pattern", "x"}, {"action", "delete"}}}}});
  REQUIRE(bad);
  CHECK(bad->status == 422);
}

TEST_CASE("branding colours and images are checked by content") {
  RunningSim sim;
  auto bad_colour = sim.put(
      "/api/v1/settings/branding",
      json{{"primary_color", "blue"}, {"accent_color", "#fff"}, {"background_color", "#000"}});
  REQUIRE(bad_colour);
  CHECK(bad_colour->status == 422);
  CHECK(body_of(bad_colour)["errors"][0]["field"] == "primary_color");

  auto client = sim.client();
  SECTION("a PNG logo is stored and served back byte for byte") {
    const auto png = png_of(64, 32);
    auto put = client.Put("/api/v1/settings/branding/logo", png, "image/png");
    REQUIRE(put);
    INFO(put->body);
    CHECK(put->status == 200);
    auto image = json::parse(put->body);
    CHECK(image["width"] == 64);
    CHECK(image["height"] == 32);
    CHECK(image["size"] == png.size());
    auto back = client.Get("/api/v1/settings/branding/logo");
    REQUIRE(back);
    CHECK(back->body == png);
    CHECK(back->get_header_value("Content-Type") == "image/png");
    CHECK(body_of(sim.get("/api/v1/settings/branding"))["logo_url"] ==
          "/api/v1/settings/branding/logo");
  }
  SECTION("a JPEG sent as image/png is 422") {
    std::string jpeg("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11);
    auto put = client.Put("/api/v1/settings/branding/logo", jpeg, "image/png");
    REQUIRE(put);
    CHECK(put->status == 422);
  }
  SECTION("a JPEG content type is 415, an oversized logo 413, too many pixels 422") {
    auto wrong_type = client.Put("/api/v1/settings/branding/logo", png_of(1, 1), "image/jpeg");
    REQUIRE(wrong_type);
    CHECK(wrong_type->status == 415);
    auto big = png_of(100, 100) + std::string(2u << 20, '\0');
    auto too_big = client.Put("/api/v1/settings/branding/logo", big, "image/png");
    REQUIRE(too_big);
    CHECK(too_big->status == 413);
    auto huge = client.Put("/api/v1/settings/branding/favicon", png_of(1024, 1024), "image/png");
    REQUIRE(huge);
    CHECK(huge->status == 422);
  }
  SECTION("no favicon yet is 404") {
    auto none = client.Get("/api/v1/settings/branding/favicon");
    REQUIRE(none);
    CHECK(none->status == 404);
  }
}

TEST_CASE("communities and badges: external ids, 409 with existing_id, patch, delete") {
  RunningSim sim;
  auto owner = body_of(sim.post("/scim/v2/Users", user_doc("owner.one")))["id"].get<std::string>();
  auto created =
      sim.post("/api/v1/communities",
               json{{"name", "Welcome"}, {"external_id", "welcome"}, {"owners", {owner}}});
  REQUIRE(created);
  INFO(created->body);
  REQUIRE(created->status == 201);
  auto community = body_of(created);
  CHECK(community["visibility"] == "public");
  CHECK(community["member_count"] == 0);
  CHECK(community["owners"] == json{owner});

  auto dup = sim.post("/api/v1/communities", json{{"name", "Again"}, {"external_id", "welcome"}});
  REQUIRE(dup);
  CHECK(dup->status == 409);
  CHECK(body_of(dup)["existing_id"] == community["id"]);

  auto unknown_owner = sim.post("/api/v1/communities", json{{"name", "X"}, {"owners", {"999"}}});
  REQUIRE(unknown_owner);
  CHECK(unknown_owner->status == 422);

  auto listed = body_of(sim.get("/api/v1/communities?external_id=welcome"));
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["next_cursor"].is_null());

  const std::string path = "/api/v1/communities/" + community["id"].get<std::string>();
  auto patched = sim.patch(path, json{{"visibility", "private"}}, {{"If-Match", "W/\"1\""}});
  REQUIRE(patched);
  CHECK(patched->status == 200);
  CHECK(body_of(patched)["visibility"] == "private");
  auto stale = sim.del(path, {{"If-Match", "W/\"1\""}});
  REQUIRE(stale);
  CHECK(stale->status == 412);
  auto deleted = sim.del(path);
  REQUIRE(deleted);
  CHECK(deleted->status == 204);

  auto badge = sim.post("/api/v1/badges", json{{"name", "Mentor"}, {"external_id", "mentor"}});
  REQUIRE(badge);
  CHECK(badge->status == 201);
  auto badge_dup =
      sim.post("/api/v1/badges", json{{"name", "Mentor 2"}, {"external_id", "mentor"}});
  REQUIRE(badge_dup);
  CHECK(badge_dup->status == 409);
  CHECK(body_of(badge_dup)["existing_id"] == body_of(badge)["id"]);
  auto bad_badge = sim.post("/api/v1/badges", json{{"name", ""}});
  REQUIRE(bad_badge);
  CHECK(bad_badge->status == 422);
  for (int i = 0; i < 3; ++i) sim.post("/api/v1/badges", json{{"name", "B" + std::to_string(i)}});
  auto page = body_of(sim.get("/api/v1/badges?limit=2"));
  CHECK(page["items"].size() == 2);
  REQUIRE(page["next_cursor"].is_string());
  auto rest =
      body_of(sim.get("/api/v1/badges?limit=2&cursor=" + page["next_cursor"].get<std::string>()));
  CHECK(rest["items"].size() == 2);
  CHECK(rest["next_cursor"].is_null());
}
