#include <catch2/catch.hpp>

#include "core/sync/guards.hpp"

using namespace daoctl::sync;

namespace {

JobSpec job_with(SafetySpec safety) {
  JobSpec j;
  j.name = "nightly";
  j.safety = std::move(safety);
  return j;
}

SyncPlan plan_with(int deactivations, long managed) {
  SyncPlan p;
  p.job = "nightly";
  p.managed_users = managed;
  for (int i = 0; i < deactivations; ++i) {
    UserAction a;
    a.kind = UserActionKind::Deactivate;
    a.id = std::to_string(i);
    a.external_id = "x" + std::to_string(i);
    a.user_name = "u" + std::to_string(i);
    p.users.push_back(a);
  }
  return p;
}

}  // namespace

TEST_CASE("an empty source is a safety stop unless its floor is 0") {
  GuardInput in;
  in.source_records = {{"ad", 0}};
  auto st = check_guards(job_with({}), plan_with(0, 10), in);
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Safety);
  CHECK(st.error().message == "source ad returned 0 record(s), fewer than 1");
  SafetySpec s;
  s.min_source_records["ad"] = 0;
  CHECK(check_guards(job_with(s), plan_with(0, 10), in));
}

TEST_CASE("a source below its floor or shrinking too fast stops the run") {
  SafetySpec s;
  s.min_source_records["hr"] = 1000;
  s.max_source_shrink_percent = 10;
  GuardInput in;
  in.source_records = {{"hr", 999}};
  auto low = check_guards(job_with(s), plan_with(0, 0), in);
  REQUIRE_FALSE(low);
  CHECK(low.error().message == "source hr returned 999 record(s), fewer than 1000");

  in.source_records = {{"hr", 1500}};
  in.previous_records = {{"hr", 2500}};
  auto shrink = check_guards(job_with(s), plan_with(0, 0), in);
  REQUIRE_FALSE(shrink);
  CHECK(shrink.error().message ==
        "source hr shrank by 40.0% since the last successful run (2500 -> 1500 records)");
  in.source_records = {{"hr", 2300}};
  CHECK(check_guards(job_with(s), plan_with(0, 0), in));
}

TEST_CASE("deactivation thresholds: absolute, percentage, and the plan-hash override") {
  GuardInput in;
  in.source_records = {{"ad", 5000}};
  auto many = plan_with(60, 5000);
  auto abs = check_guards(job_with({}), many, in);
  REQUIRE_FALSE(abs);
  CHECK(abs.error().message == "the plan deactivates 60 accounts, more than safety.max_deprovisions (50)");
  CHECK(abs.error().hint.find(many.hash()) != std::string::npos);

  auto share = plan_with(10, 100);
  auto pct = check_guards(job_with({}), share, in);
  REQUIRE_FALSE(pct);
  CHECK(pct.error().message.find("10.0% of the 100 managed accounts") != std::string::npos);

  in.allowed_plan_hash = many.hash();
  CHECK(check_guards(job_with({}), many, in));
  // The override names one plan: a different plan is still stopped.
  CHECK_FALSE(check_guards(job_with({}), plan_with(61, 5000), in));
  CHECK(check_guards(job_with({}), plan_with(3, 1000), GuardInput{{{"ad", 5000}}, {}, ""}));
}
