// Statistics record what is done through the API: posts, comments and
// reactions count for their authors on the day of their created_at (kept by
// imports), and events with their invitations and RSVPs appear in the event
// report, updated when an RSVP changes.
#include <catch2/catch.hpp>

#include "sim_fixture.hpp"

using namespace daoctl::sim::testing;
using nlohmann::json;

TEST_CASE("content and event RSVPs made through the API are in the statistics") {
  RunningSim sim;
  auto alice = body_of(sim.post("/scim/v2/Users", user_doc("alice")));
  auto bob = body_of(sim.post("/scim/v2/Users", user_doc("bob")));
  const std::string a = alice["id"], b = bob["id"];

  auto post = sim.post("/api/v1/posts", {{"type", "post"}, {"body", "hello"}, {"author_id", a},
                                         {"created_at", "2024-03-05T10:00:00Z"}});
  REQUIRE(post->status == 201);
  const std::string post_id = body_of(post)["id"];
  REQUIRE(sim.post("/api/v1/posts/" + post_id + "/comments",
                   {{"author_id", b}, {"body", "hi"}, {"created_at", "2024-03-05T11:00:00Z"}})
              ->status == 201);
  REQUIRE(sim.post("/api/v1/posts/" + post_id + "/comments",
                   {{"author_id", b}, {"body", "again"}, {"created_at", "2024-03-06T09:00:00Z"}})
              ->status == 201);
  auto reaction = sim.post("/api/v1/posts/" + post_id + "/reactions",
                           {{"user_id", b}, {"kind", "like"}, {"created_at", "2024-03-05T12:00:00Z"}});
  REQUIRE(reaction->status < 300);

  auto activity = body_of(sim.get("/api/v1/stats/activity?from=2024-03-01T00:00:00Z&to=2024-03-08T00:00:00Z"
                                  "&granularity=day&group_by=user&limit=100"));
  std::map<std::pair<std::string, std::string>, json> rows;  // (period, user) -> row
  for (const auto& row : activity["items"]) rows[{row["period"], row["user_id"]}] = row;
  REQUIRE(rows.size() == 2 + 0 + 1);  // alice 03-05, bob 03-05, bob 03-06
  CHECK(rows[{"2024-03-05", a}]["posts"] == 1);
  CHECK(rows[{"2024-03-05", b}]["comments"] == 1);
  CHECK(rows[{"2024-03-05", b}]["reactions"] == 1);
  CHECK(rows[{"2024-03-06", b}]["comments"] == 1);
  CHECK(rows[{"2024-03-06", b}]["active_users"] == 1);

  auto event = sim.post("/api/v1/events", {{"title", "Town hall"}, {"starts_at", "2024-03-10T10:00:00Z"},
                                           {"ends_at", "2024-03-10T11:00:00Z"}, {"organizer_id", a}});
  REQUIRE(event->status == 201);
  const std::string event_id = body_of(event)["id"];
  REQUIRE(sim.post("/api/v1/events/" + event_id + "/invitations", {{"user_ids", {a, b}}, {"state", "pending"}})
              ->status < 300);
  // Inviting again keeps the recorded answer; the RSVP itself is a PUT.
  REQUIRE(sim.post("/api/v1/events/" + event_id + "/invitations", {{"user_ids", {b}}, {"state", "going"}})
              ->status < 300);
  REQUIRE(sim.put("/api/v1/events/" + event_id + "/invitations/" + b, {{"state", "going"}})->status < 300);
  auto events = body_of(sim.get("/api/v1/stats/events?from=2024-03-01T00:00:00Z&to=2024-04-01T00:00:00Z"));
  REQUIRE(events["items"].size() == 1);
  const auto& e = events["items"][0];
  CHECK(e["title"] == "Town hall");
  CHECK(e["invited"] == 2);
  CHECK(e["going"] == 1);
  CHECK(e["pending"] == 1);
}
