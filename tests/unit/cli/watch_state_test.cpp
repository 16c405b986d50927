// sync watch's account of itself (commands/sync/watch_state.hpp): what
// `sync status` reads back and what the metrics file says.
#include <catch2/catch.hpp>

#include "commands/sync/watch_state.hpp"

using namespace daoctl::commands;
using namespace std::chrono;

TEST_CASE("the watch state: a held batch, lag, and the round trip through the file", "[watch]") {
  const auto t0 = system_clock::time_point(seconds(1'800'000'000));
  WatchState ws;
  ws.pid = 42;
  ws.job = "nightly \"ad\"";
  ws.mode = "following";
  ws.pending_since = t0;
  SyncApplyOutcome held;
  held.applied = {{"update", 2}};
  held.held_hash = "sha256:abc";
  held.held_deactivations = 300;
  held.held_reason = "300 deactivation(s) in this change set";
  ws.add(held, t0 + seconds(1));
  ws.batches = 1;
  CHECK(ws.lag_seconds(t0 + seconds(5)) == 5.0);

  const auto j = ws.to_json(t0 + seconds(5));
  CHECK(j["held"]["hash"] == "sha256:abc");
  CHECK(j["held"]["since"] == "2027-01-15T08:00:01Z");
  CHECK(j["lag_seconds"] == 5.0);
  const WatchState back = WatchState::from_json(j);
  CHECK(back.held_deactivations == 300);
  CHECK(back.applied.at("update") == 2);
  REQUIRE(back.pending_since);
  CHECK(*back.pending_since == t0);  // whole seconds in the file

  const std::string prom = ws.metrics(t0 + seconds(5));
  CHECK(prom.find("daoctl_watch_lag_seconds{job=\"nightly \\\"ad\\\"\"} 5.000\n") != std::string::npos);
  CHECK(prom.find("daoctl_watch_held_deactivations{job=\"nightly \\\"ad\\\"\"} 300\n") != std::string::npos);
  CHECK(prom.find("daoctl_watch_changes_applied_total{job=\"nightly \\\"ad\\\"\",kind=\"update\"} 2\n") !=
        std::string::npos);
  CHECK(prom.find("daoctl_watch_following{job=\"nightly \\\"ad\\\"\"} 1\n") != std::string::npos);

  // The same batch held again keeps its "since"; a batch without a hold
  // clears it, and the counts add up.
  ws.add(held, t0 + seconds(9));
  CHECK(ws.held_since == "2027-01-15T08:00:01Z");
  SyncApplyOutcome allowed;
  allowed.applied = {{"deactivate", 300}};
  allowed.changes = 300;
  ws.add(allowed, t0 + seconds(20));
  CHECK(ws.held_hash.empty());
  CHECK(ws.applied.at("update") == 4);
  CHECK(ws.applied.at("deactivate") == 300);
  CHECK(ws.last_change_at == "2027-01-15T08:00:20Z");
  CHECK(ws.to_json(t0)["held"].is_null());
}
