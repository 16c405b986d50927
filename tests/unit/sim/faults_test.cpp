#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using daoctl::sim::FaultOptions;

TEST_CASE("option --fail-rate 1 answers every request 500 or 503 with Retry-After, health is exempt") {
  FaultOptions faults;
  faults.fail_rate = 1.0;
  RunningSim sim(faults);
  int status_500 = 0, status_503 = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = sim.get(i % 2 ? "/scim/v2/Users" : "/api/v1/me");
    REQUIRE(r);
    CHECK((r->status == 500 || r->status == 503));
    CHECK(r->get_header_value("Retry-After") == "1");
    status_500 += r->status == 500;
    status_503 += r->status == 503;
  }
  CHECK(status_500 > 0);
  CHECK(status_503 > 0);
  auto health = sim.client(false).Get("/api/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("the same --fault-seed fails the same requests") {
  auto pattern = [](std::uint64_t seed) {
    FaultOptions faults;
    faults.fail_rate = 0.5;
    faults.seed = seed;
    RunningSim sim(faults);
    std::string out;
    for (int i = 0; i < 30; ++i) out += std::to_string(sim.get("/api/v1/me")->status) + " ";
    return out;
  };
  auto a = pattern(7);
  CHECK(a == pattern(7));
  CHECK(a != pattern(8));
  CHECK(a.find("200") != std::string::npos);
}

TEST_CASE("option --rate-limit answers 429 with Retry-After once the bucket is empty") {
  FaultOptions faults;
  faults.rate_limit = 5;
  RunningSim sim(faults);
  int ok = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = sim.get("/api/v1/me");
    REQUIRE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      CHECK(std::stoi(r->get_header_value("Retry-After")) >= 1);
      CHECK(nlohmann::json::parse(r->body)["type"] == "https://daoffice.example/problems/rate-limited");
    }
  }
  CHECK(ok >= 5);
  CHECK(ok <= 7);  // the burst plus what refills while the loop runs
  CHECK(limited == 20 - ok);
}

TEST_CASE("option --reset-rate 1 closes connections without a response") {
  FaultOptions faults;
  faults.reset_rate = 1.0;
  RunningSim sim(faults);
  for (int i = 0; i < 5; ++i) {
    auto r = sim.get("/scim/v2/Users");
    CHECK_FALSE(r);
  }
  auto health = sim.client(false).Get("/api/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("option --latency is served concurrently: 16 clients do not queue behind each other") {
  FaultOptions faults;
  faults.latency_ms = 200;
  RunningSim sim(faults);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::future<int>> calls;
  for (int i = 0; i < 16; ++i)
    calls.push_back(std::async(std::launch::async, [&sim] {
      auto r = sim.get("/scim/v2/Users?count=1");
      return r ? r->status : -1;
    }));
  for (auto& c : calls) CHECK(c.get() == 200);
  auto elapsed = std::chrono::steady_clock::now() - started;
  CHECK(elapsed >= std::chrono::milliseconds(200));
  CHECK(elapsed < std::chrono::milliseconds(1500));  // serial would be 3.2 s
}

TEST_CASE("stop() lets an in-flight request finish, then refuses connections") {
  FaultOptions faults;
  faults.latency_ms = 300;
  RunningSim sim(faults);
  auto port = sim.server().port();
  auto in_flight = std::async(std::launch::async, [&sim] {
    auto r = sim.get("/api/v1/me");
    return r ? r->status : -1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  sim.server().stop();
  CHECK(in_flight.get() == 200);
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(1, 0);
  CHECK_FALSE(after.Get("/api/v1/health"));
  sim.server().stop();  // idempotent
}

TEST_CASE("data survives a restart on the same directory") {
  TempDir dir;
  std::string id;
  {
    daoctl::sim::Server server(test_options(dir.path()));
    REQUIRE(server.start());
    httplib::Client c("127.0.0.1", server.port());
    c.set_bearer_token_auth(kToken);
    auto r = c.Post("/scim/v2/Users", user_doc("persistent.user").dump(), "application/scim+json");
    REQUIRE(r);
    id = nlohmann::json::parse(r->body)["id"];
  }
  daoctl::sim::Server server(test_options(dir.path()));
  REQUIRE(server.start());
  httplib::Client c("127.0.0.1", server.port());
  c.set_bearer_token_auth(kToken);
  auto r = c.Get("/scim/v2/Users/" + id);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(nlohmann::json::parse(r->body)["userName"] == "persistent.user");
  CHECK(std::filesystem::exists(dir.path() / "platform.db"));
}
