// The stream guards of sync apply --incremental (core/sync/guards.hpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/sync/guards.hpp"

using namespace daoctl::sync;

namespace {

JobSpec job(int max, double percent, std::int64_t window) {
  JobSpec j;
  j.name = "inc";
  j.safety.max_deprovisions = max;
  j.safety.max_deprovisions_percent = percent;
  j.safety.window_seconds = window;
  return j;
}

SyncPlan batch(int deactivations, int others = 0) {
  SyncPlan p;
  p.job = "inc";
  for (int i = 0; i < deactivations; ++i) {
    UserAction a;
    a.kind = UserActionKind::Deactivate;
    a.id = std::to_string(100 + i);
    a.external_id = "x" + std::to_string(i);
    a.user_name = "u" + std::to_string(i);
    a.reason = "missing from the sources";
    p.users.push_back(a);
  }
  for (int i = 0; i < others; ++i) {
    UserAction a;
    a.kind = UserActionKind::Update;
    a.id = std::to_string(i);
    a.external_id = "y" + std::to_string(i);
    a.user_name = "v" + std::to_string(i);
    a.changes.push_back({"title", daoctl::mapping::Value("T" + std::to_string(i)), daoctl::mapping::Value("N")});
    p.users.push_back(a);
  }
  return p;
}

}  // namespace

TEST_CASE("the batch hash names the deactivations only, in any order") {
  auto a = batch(3), b = batch(3, 5);
  std::reverse(b.users.begin(), b.users.end());
  CHECK(deactivation_batch_hash(a) == deactivation_batch_hash(b));
  CHECK(deactivation_batch_hash(a).starts_with("sha256:"));
  CHECK(deactivation_batch_hash(a) != deactivation_batch_hash(batch(4)));
  auto c = batch(3);
  c.users[1].reason = "disabled in the sources";
  CHECK(deactivation_batch_hash(a) != deactivation_batch_hash(c));
}

TEST_CASE("the window adds the deactivations applied before the batch") {
  StreamGuardInput in;
  in.managed = 1000;
  CHECK(check_stream_guards(job(50, 100, 600), batch(30), in));
  in.recent_deactivations = 30;
  auto st = check_stream_guards(job(50, 100, 600), batch(30), in);
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Safety);
  CHECK(st.error().message ==
        "30 deactivation(s) in this change set and 30 in the 600 s before it (safety.window) are more than "
        "safety.max_deprovisions (50)");
  CHECK(st.error().hint.find(deactivation_batch_hash(batch(30))) != std::string::npos);
  in.allowed_hash = deactivation_batch_hash(batch(30));
  CHECK(check_stream_guards(job(50, 100, 600), batch(30), in));
  in.allowed_hash = deactivation_batch_hash(batch(29));  // another batch's hash allows nothing
  CHECK_FALSE(check_stream_guards(job(50, 100, 600), batch(30), in));
}

TEST_CASE("a batch without deactivations always passes, a percentage is of the employees followed") {
  StreamGuardInput in;
  in.recent_deactivations = 500;
  CHECK(check_stream_guards(job(50, 5, 600), batch(0, 10), in));
  in.recent_deactivations = 0;
  in.managed = 100;
  auto st = check_stream_guards(job(50, 5, 0), batch(6), in);
  REQUIRE_FALSE(st);
  CHECK(st.error().message ==
        "the change set deactivates 6.0% of the 100 employees, more than safety.max_deprovisions_percent (5%)");
}

TEST_CASE("a subtree that lost every employee holds the batch, a small one does not") {
  StreamGuardInput in;
  in.managed = 10000;
  in.vanished = {{"ou=temp,dc=corp", 8}};
  auto st = check_stream_guards(job(50, 100, 0), batch(8), in);
  REQUIRE_FALSE(st);
  CHECK(st.error().message == "every one of the 8 employees under ou=temp,dc=corp was deleted in one change set");
  in.vanished = {{"ou=tiny,dc=corp", kVanishedMinimum - 1}};
  CHECK(check_stream_guards(job(50, 100, 0), batch(4), in));
}

TEST_CASE("a burst split into small change sets adds up: the percentage counts the window too") {
  // 300 deletions arrive as a watcher sees them: in change sets of 7. Each
  // alone is under both limits; together they are not, and the batch that
  // crosses a limit is held.
  StreamGuardInput in;
  in.managed = 330;
  int applied = 0;
  bool held = false;
  for (int round = 0; round < 43 && !held; ++round) {
    in.recent_deactivations = applied;
    auto st = check_stream_guards(job(1000, 10, 3600), batch(7), in);
    if (!st) {
      held = true;
      CHECK(st.error().message ==
            "35 deactivation(s) in this change set and the 3600 s before it (safety.window) are 10.6% of the 330 "
            "employees, more than safety.max_deprovisions_percent (10%)");
    } else {
      applied += 7;
    }
  }
  CHECK(held);
  CHECK(applied == 28);
}

TEST_CASE("without safety.window in the job file, a stream still adds up over an hour") {
  JobSpec j;
  CHECK(j.safety.window_seconds == 3600);
}
