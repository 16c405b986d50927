// One pipeline for every way of leaving: with a deprovision block, the
// sync's membership diff leaves leavers' groups to the pipeline's
// `then: remove_from_groups`, whether they are missing from the sources,
// disabled, or dismissed by a rule. And people dismissed before daoctl first
// saw them carry the dismissal date the source gives.
#include <catch2/catch.hpp>

#include "core/sync/desired.hpp"
#include "core/sync/job.hpp"
#include "core/sync/plan.hpp"

using namespace daoctl;
using namespace daoctl::sync;

namespace {

PlatformUser account(std::string id, bool active) {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = "ext-" + u.id;
  u.user_name = "u" + u.id;
  u.active = active;
  u.managed_by = "daoctl:nightly";
  return u;
}

DesiredUser wanted(std::string id, bool active, std::vector<std::string> groups) {
  DesiredUser d;
  d.external_id = "ext-" + id;
  d.user_name = "u" + id;
  d.active = active;
  if (!active) d.dismissed_reason = "dismissed_when[0] ad.disabled";
  d.groups = std::move(groups);
  return d;
}

// The member ids the plan removes from / adds to group "g" (external ids for adds).
std::pair<std::vector<std::string>, std::vector<std::string>> membership(const SyncPlan& p) {
  std::vector<std::string> removed, added;
  for (const auto& g : p.groups) {
    if (g.kind == GroupAction::Kind::RemoveMembers) removed.insert(removed.end(), g.members.begin(), g.members.end());
    if (g.kind == GroupAction::Kind::AddMembers) added.insert(added.end(), g.members.begin(), g.members.end());
  }
  return {removed, added};
}

}  // namespace

TEST_CASE("leavers' group memberships are the pipeline's, whatever the way of leaving") {
  // Platform: 1 stays, 2 is missing from the sources, 3 is disabled in the
  // sources, 4 was blocked earlier (in the ledger, missing), 5 is back.
  PlatformState s;
  s.users = {account("1", true), account("2", true), account("3", true), account("4", false), account("5", false)};
  s.groups = {{"g1", "staff", "daoctl:nightly:group:staff", "", {"1", "2", "3", "4", "5"}}};
  std::vector<DesiredUser> desired = {wanted("1", true, {"staff"}), wanted("3", false, {"staff"}),
                                      wanted("5", true, {"staff"})};
  struct Row {
    const char* name;
    bool pipeline;
    std::vector<std::string> removed;
  };
  const Row rows[] = {
      // Without a pipeline the diff is the only one to act: it drops the absent.
      {"no deprovision block: the membership diff removes the absent", false, {"2", "4"}},
      // With one, nobody leaves a group before `then:` says so.
      {"deprovision block: the pipeline removes, the diff does not", true, {}},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      PlanOptions o;
      o.job = "nightly";
      o.managed_by = "daoctl:nightly";
      o.manage_groups = true;
      o.deactivate_missing = true;
      o.reactivate_only = std::set<std::string>{"5"};
      o.leavers_groups_by_pipeline = row.pipeline;
      auto plan = compute_plan(desired, s, o);
      auto [removed, added] = membership(plan);
      std::sort(removed.begin(), removed.end());
      CHECK(removed == row.removed);
      CHECK(added.empty());  // 5 is back and still a member; 3 is a member
      CHECK(plan.count(UserActionKind::Deactivate) == 2);  // 2 (missing) and 3 (disabled)
      CHECK(plan.count(UserActionKind::Reactivate) == 1);  // 5
    }
  }
}

TEST_CASE("a leaver removed from its groups by the pipeline is not added back by the next sync") {
  PlatformState s;
  s.users = {account("1", true), account("3", false)};  // 3: disabled, blocked, its groups removed
  s.groups = {{"g1", "staff", "daoctl:nightly:group:staff", "", {"1"}}};
  std::vector<DesiredUser> desired = {wanted("1", true, {"staff"}), wanted("3", false, {"staff"}),
                                      wanted("9", false, {"staff"})};  // 9: new, dismissed already
  PlanOptions o;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  o.manage_groups = true;
  o.leavers_groups_by_pipeline = true;
  auto plan = compute_plan(desired, s, o);
  auto [removed, added] = membership(plan);
  CHECK(removed.empty());
  CHECK(added.empty());
  o.leavers_groups_by_pipeline = false;  // the old behaviour re-added them
  auto old = membership(compute_plan(desired, s, o));
  CHECK_FALSE(old.second.empty());
}

TEST_CASE("the dismissal date the source gives is carried to the desired user") {
  const char* text = R"(version: 1
name: nightly
sources:
  hr:
    type: csv
    path: hr.csv
    key: tab
    dates: dd.MM.yyyy
mapping:
  externalId: "{hr.tab}"
  userName: "{hr.login}"
deprovision:
  dismissed_when:
    - "hr.fired | date('dd.MM.yyyy') <= today"
    - hr.locked
  then: [archive]
)";
  auto job = load_job(text, "sync.yaml", {"2025-03-01", std::nullopt});
  INFO((job ? std::string() : job.error().detail));
  REQUIRE(job);
  struct Row {
    const char* fired;
    const char* locked;
    bool active;
    const char* since;
  };
  const Row rows[] = {
      {"15.01.2025", "", false, "2025-01-15"},  // dismissed long before the first sync: the source's date
      {"01.03.2025", "", false, "2025-03-01"},  // today
      {"01.04.2025", "", true, ""},             // in the future: not dismissed yet
      {"", "true", false, ""},                  // a lock flag: no date (the run's day is used)
  };
  for (const auto& row : rows) {
    INFO(row.fired << " " << row.locked);
    hr::SourceRecord r;
    r.origin = "hr.csv:2";
    r.add("tab", "1");
    r.add("login", "a");
    r.add("fired", row.fired);
    r.add("locked", row.locked);
    SourceRecords records;
    records["hr"] = {r};
    auto set = build_desired(*job, records);
    REQUIRE(set.users.size() == 1);
    CHECK(set.users[0].active == row.active);
    CHECK(set.users[0].dismissed_since == row.since);
  }
}
