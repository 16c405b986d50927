#include <catch2/catch.hpp>

#include "core/deprovision/pipeline.hpp"
#include "core/sync/plan.hpp"

using namespace daoctl;
using namespace daoctl::deprovision;

namespace {

sync::PlatformUser account(std::string id, std::string name, bool active, std::string manager = "") {
  sync::PlatformUser u;
  u.id = std::move(id);
  u.user_name = std::move(name);
  u.external_id = "ext-" + u.id;
  u.active = active;
  u.managed_by = "daoctl:nightly";
  u.manager_id = std::move(manager);
  return u;
}

LedgerEntry blocked(std::string id, std::string name, std::string on, std::string by = "daoctl:nightly") {
  LedgerEntry e;
  e.id = std::move(id);
  e.user_name = std::move(name);
  e.reason = "dismissed_when[0] ad.disabled";
  e.blocked_at = std::move(on);
  e.blocked_by = std::move(by);
  return e;
}

Policy policy(std::vector<Step> then, int after_days = 30) {
  Policy p;
  p.configured = true;
  p.after_days = after_days;
  p.then = std::move(then);
  return p;
}

FollowupPlan plan_on(const std::string& today, const Policy& p, const Ledger& l, const sync::PlatformState& s,
                     bool communities = false) {
  FollowupInput in;
  in.policy = &p;
  in.ledger = &l;
  in.state = &s;
  in.today = today;
  in.communities_supported = communities;
  in.communities_note = "this platform has no communities API";
  return plan_followups(in);
}

class FakeTarget final : public DeprovisionTarget {
 public:
  std::vector<std::string> calls;
  std::set<std::string> fail_transfer_of;
  Status remove_from_group(const std::string& group_id, const std::string&, const std::string& user_id,
                           const std::string&) override {
    calls.push_back("remove " + user_id + " from " + group_id);
    return {};
  }
  Result<nlohmann::json> transfer_content(const std::string& from, const std::string& to, const std::string&) override {
    calls.push_back("transfer " + from + " to " + to);
    if (fail_transfer_of.count(from)) return fail(ErrorKind::Remote, "the transfer job 7 failed", "content of user " + from);
    return nlohmann::json{{"moved", {{"posts", 3}}}};
  }
  Status delete_user(const std::string& id, const std::string&) override {
    calls.push_back("delete " + id);
    return {};
  }
};

}  // namespace

TEST_CASE("the staged steps wait for the grace period, counted from the block, on the injected date") {
  sync::PlatformState s;
  s.users = {account("1", "boss", true), account("2", "leaver", false, "1")};
  s.groups = {{"g1", "IT", "", "1", {"2", "1"}}, {"g2", "All", "", "1", {"1"}}};
  Ledger l;
  l.entries["2"] = blocked("2", "leaver", "2024-06-01");
  auto p = policy({Step::RemoveFromGroups, Step::RemoveFromCommunities, Step::TransferContent, Step::Archive});

  auto early = plan_on("2024-06-30", p, l, s);
  CHECK(early.actions.empty());
  REQUIRE(early.waiting.size() == 1);
  CHECK(early.waiting[0] == std::pair<std::string, std::string>{"leaver", "2024-07-01"});

  auto due = plan_on("2024-07-01", p, l, s);
  CHECK(due.waiting.empty());
  REQUIRE(due.actions.size() == 4);
  CHECK(due.actions[0].step == Step::RemoveFromGroups);
  REQUIRE(due.actions[0].groups.size() == 1);
  CHECK(due.actions[0].groups[0].second == "IT");
  CHECK(due.actions[1].step == Step::RemoveFromCommunities);
  CHECK(due.actions[1].skipped);
  CHECK(due.actions[1].note == "this platform has no communities API");
  CHECK(due.actions[2].transfer_to_id == "1");
  CHECK(due.actions[2].transfer_to_name == "boss");
  CHECK(due.actions[3].step == Step::Archive);
  CHECK(due.actions[0].reason.find("grace period of 30 day(s) over") != std::string::npos);
}

TEST_CASE("carried-out steps are remembered: a later run does only what is left") {
  sync::PlatformState s;
  s.users = {account("1", "boss", true), account("2", "leaver", false, "1")};
  Ledger l;
  l.entries["2"] = blocked("2", "leaver", "2024-06-01");
  l.entries["2"].done = {"remove_from_groups"};
  auto due = plan_on("2024-08-01", policy({Step::RemoveFromGroups, Step::TransferContent}), l, s);
  REQUIRE(due.actions.size() == 1);
  CHECK(due.actions[0].step == Step::TransferContent);
}

TEST_CASE("a transfer without a target holds the account's pipeline instead of deleting its content") {
  sync::PlatformState s;
  s.users = {account("2", "leaver", false), account("3", "blocked.boss", false), account("4", "other", false, "3")};
  Ledger l;
  l.entries["2"] = blocked("2", "leaver", "2024-06-01");
  l.entries["4"] = blocked("4", "other", "2024-06-01");
  auto due = plan_on("2024-08-01", policy({Step::TransferContent, Step::Delete}), l, s);
  CHECK(due.actions.empty());
  REQUIRE(due.held.size() == 2);
  CHECK(due.held[0].second.find("no transfer target") != std::string::npos);
  CHECK(due.held[1].second.find("blocked.boss is blocked") != std::string::npos);

  Policy keep = policy({Step::TransferContent, Step::Delete});
  keep.transfer = TransferTarget::parse("keep");
  auto kept = plan_on("2024-08-01", keep, l, s);
  REQUIRE(kept.actions.size() == 4);
  CHECK(kept.actions[0].skipped);
  CHECK(kept.actions[1].step == Step::Delete);
}

TEST_CASE("accounts re-enabled by hand or deleted by hand are forgotten, never archived") {
  sync::PlatformState s;
  s.users = {account("2", "back", true)};
  Ledger l;
  l.entries["2"] = blocked("2", "back", "2024-01-01");
  l.entries["9"] = blocked("9", "gone", "2024-01-01");
  auto due = plan_on("2024-08-01", policy({Step::Archive}), l, s);
  CHECK(due.actions.empty());
  CHECK(due.forget == std::vector<std::string>{"2", "9"});
  FakeTarget t;
  run_followups(due, l, t, {});
  CHECK(l.entries.empty());
}

TEST_CASE("running the steps updates the ledger and a failure stops only that account") {
  sync::PlatformState s;
  s.users = {account("1", "boss", true), account("2", "a", false, "1"), account("3", "b", false, "1")};
  s.groups = {{"g1", "IT", "", "1", {"2", "3"}}};
  Ledger l;
  l.entries["2"] = blocked("2", "a", "2024-06-01");
  l.entries["3"] = blocked("3", "b", "2024-06-01", kBlockedByAdministrator);
  auto due = plan_on("2024-07-15", policy({Step::RemoveFromGroups, Step::TransferContent, Step::Archive}), l, s);
  FakeTarget t;
  t.fail_transfer_of = {"2"};
  std::vector<StepOutcome> seen;
  auto outcomes = run_followups(due, l, t, [&](const StepOutcome& o) { seen.push_back(o); });
  CHECK(t.calls == std::vector<std::string>{"remove 2 from g1", "transfer 2 to 1", "remove 3 from g1", "transfer 3 to 1"});
  REQUIRE(outcomes.size() == 5);  // a: groups ok, transfer failed (archive not tried); b: all three
  CHECK(seen.size() == 5);
  CHECK_FALSE(outcomes[1].ok);
  CHECK(outcomes[1].error.find("transfer job 7 failed") != std::string::npos);
  CHECK(l.entries["2"].done == std::vector<std::string>{"remove_from_groups"});
  CHECK(l.entries["2"].state == "blocked");
  CHECK(l.entries["3"].state == "archived");
  CHECK(l.entries["3"].done.size() == 3);
  // Archived accounts have nothing left to do.
  auto later = plan_on("2024-09-01", policy({Step::RemoveFromGroups, Step::TransferContent, Step::Archive}), l, s);
  for (const auto& a : later.actions) CHECK(a.user_id == "2");
}

TEST_CASE("delete removes the account and its ledger entry") {
  sync::PlatformState s;
  s.users = {account("2", "a", false)};
  Ledger l;
  l.entries["2"] = blocked("2", "a", "2024-06-01");
  auto due = plan_on("2024-06-01", policy({Step::Delete}, 0), l, s);
  FakeTarget t;
  run_followups(due, l, t, {});
  CHECK(t.calls == std::vector<std::string>{"delete 2"});
  CHECK(l.entries.empty());
}

TEST_CASE("sync reactivates only accounts daoctl blocked, an administrator's block stays") {
  sync::DesiredUser back;
  back.external_id = "ext-2";
  back.user_name = "back";
  sync::DesiredUser admin_blocked = back;
  admin_blocked.external_id = "ext-3";
  admin_blocked.user_name = "admin.blocked";
  sync::PlatformState s;
  s.users = {account("2", "back", false), account("3", "admin.blocked", false)};
  sync::PlanOptions o;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  o.reactivate_only = std::set<std::string>{"2"};
  auto plan = sync::compute_plan({back, admin_blocked}, s, o);
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].id == "2");
  CHECK(plan.users[0].kind == sync::UserActionKind::Reactivate);
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].object == "user admin.blocked");
  CHECK(plan.warnings[0].message.find("an administrator did") != std::string::npos);
}

TEST_CASE("the ledger round-trips and a malformed one names the entry") {
  Ledger l;
  l.entries["2"] = blocked("2", "a", "2024-06-01");
  l.entries["2"].done = {"remove_from_groups"};
  l.entries["2"].transfer_to = "7";
  auto back = Ledger::from_json(l.to_json(), "x.json");
  REQUIRE(back);
  CHECK(back->entries["2"].transfer_to == "7");
  CHECK(back->entries["2"].done == l.entries["2"].done);
  CHECK(back->entries["2"].blocked_by_daoctl());
  auto bad = Ledger::from_json({{"version", 1}, {"accounts", {{{"id", "1"}}}}}, "x.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().object == "x.json");
  CHECK(bad.error().detail.find("/accounts/0") != std::string::npos);
}

TEST_CASE("audit records carry who, what, why, when and the result") {
  auto r = audit_record("daoctl:nightly", "block", "user a", "2", "dismissed_when[1] ad.disabled", "2024-06-01T01:00:00Z",
                        "ok", "login disabled; revoke_sessions");
  CHECK(r["who"] == "daoctl:nightly");
  CHECK(r["what"] == "block");
  CHECK(r["why"] == "dismissed_when[1] ad.disabled");
  CHECK(r["when"] == "2024-06-01T01:00:00Z");
  CHECK(r["result"] == "ok");
  CHECK(r["detail"] == "login disabled; revoke_sessions");
}
