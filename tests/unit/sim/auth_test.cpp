#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

TEST_CASE("health answers without a token and reports version and time") {
  RunningSim sim;
  auto r = sim.client(false).Get("/api/v1/health");
  REQUIRE(r);
  CHECK(r->status == 200);
  auto body = body_of(r);
  CHECK(body["status"] == "ok");
  CHECK(body["api_version"] == "1");
  CHECK(body["time"].get<std::string>().size() == 20);  // 2026-11-26T23:37:24Z
}

TEST_CASE("SCIM paths without a valid token answer 401 with the SCIM error body") {
  RunningSim sim;
  for (bool wrong_token : {false, true}) {
    auto c = sim.client(false);
    if (wrong_token) c.set_bearer_token_auth("not-the-token");
    auto r = c.Get("/scim/v2/Users");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(r->get_header_value("WWW-Authenticate") == "Bearer realm=\"daoffice\"");
    CHECK(r->get_header_value("Content-Type") == "application/scim+json");
    auto body = body_of(r);
    CHECK(body["schemas"] == json::array({"urn:ietf:params:scim:api:messages:2.0:Error"}));
    CHECK(body["status"] == "401");
    CHECK_FALSE(body["detail"].get<std::string>().empty());
    CHECK(body["detail"].get<std::string>().find("not-the-token") == std::string::npos);
  }
}

TEST_CASE("native paths without a token answer 401 problem details") {
  RunningSim sim;
  auto r = sim.client(false).Get("/api/v1/me");
  REQUIRE(r);
  CHECK(r->status == 401);
  CHECK(r->get_header_value("WWW-Authenticate") == "Bearer realm=\"daoffice\"");
  CHECK(r->get_header_value("Content-Type") == "application/problem+json");
  auto body = body_of(r);
  CHECK(body["type"] == "https://daoffice.example/problems/unauthorized");
  CHECK(body["status"] == 401);
  CHECK(body["instance"] == "/api/v1/me");
  // Unknown paths are not revealed to anonymous callers either.
  auto unknown = sim.client(false).Get("/api/v1/nowhere");
  REQUIRE(unknown);
  CHECK(unknown->status == 401);
}

TEST_CASE("me names the admin token, unknown paths are 404 in the area's error shape") {
  RunningSim sim;
  auto me = body_of(sim.get("/api/v1/me"));
  CHECK(me["subject"] == "admin");
  CHECK(me["scopes"] == json::array({"admin"}));

  auto native = sim.get("/api/v1/nowhere");
  REQUIRE(native);
  CHECK(native->status == 404);
  CHECK(body_of(native)["type"] == "https://daoffice.example/problems/not-found");

  auto scim = sim.get("/scim/v2/Nowhere");
  REQUIRE(scim);
  CHECK(scim->status == 404);
  CHECK(body_of(scim)["status"] == "404");
}

TEST_CASE("a server without an admin token refuses to start") {
  TempDir dir;
  auto options = test_options(dir.path());
  options.admin_token.clear();
  daoctl::sim::Server server(options);
  auto ok = server.start();
  REQUIRE_FALSE(ok);
  CHECK(ok.error().kind == daoctl::ErrorKind::Config);
  CHECK(ok.error().detail.find("DAOCTL_SIM_TOKEN") != std::string::npos);
}
