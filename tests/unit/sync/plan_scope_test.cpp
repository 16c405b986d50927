// compute_plan with PlanOptions::scope (sync apply --incremental): the same
// rules as a full plan, but absence means something only inside the scope.
#include <catch2/catch.hpp>

#include <unordered_set>

#include "core/sync/plan.hpp"

using namespace daoctl::sync;
using daoctl::mapping::Value;

namespace {

DesiredUser want(std::string ext, std::string name, Fields fields = {}, bool active = true) {
  DesiredUser d;
  d.external_id = std::move(ext);
  d.user_name = std::move(name);
  d.fields = std::move(fields);
  d.active = active;
  d.origin = "ldap://dir/uid=" + d.user_name;
  return d;
}

PlatformUser have(std::string id, std::string ext, std::string name, Fields fields = {}, bool active = true) {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = std::move(ext);
  u.user_name = std::move(name);
  u.fields = std::move(fields);
  u.active = active;
  u.version = "W/\"1\"";
  u.managed_by = "daoctl:inc";
  return u;
}

PlanOptions options(const std::unordered_set<std::string>* scope) {
  PlanOptions o;
  o.job = "inc";
  o.managed_by = "daoctl:inc";
  o.deactivate_missing = true;
  o.scope = scope;
  return o;
}

std::vector<std::string> deactivated(const SyncPlan& p) {
  std::vector<std::string> out;
  for (const auto& a : p.users)
    if (a.kind == UserActionKind::Deactivate) out.push_back(a.external_id);
  return out;
}

}  // namespace

TEST_CASE("a scoped plan deactivates a deleted employee and nobody it only looked up") {
  // u2 was deleted in the directory (in the scope, not desired); u3 was
  // fetched only because u1's manager is u3: absent from the desired users
  // but outside the scope, so it is not "missing".
  std::unordered_set<std::string> scope = {"e1", "e2"};
  std::vector<DesiredUser> d = {want("e1", "u1", {{"title", Value("New")}, {"manager", Value("e3")}})};
  PlatformState s;
  s.users = {have("1", "e1", "u1", {{"title", Value("Old")}}), have("2", "e2", "u2"), have("3", "e3", "u3")};
  s.users[0].manager_id = "3";
  auto plan = compute_plan(d, s, options(&scope));
  CHECK(deactivated(plan) == std::vector<std::string>{"e2"});
  REQUIRE(plan.users.size() == 2);
  CHECK(plan.managers.empty());  // u3 resolves to id 3, which u1 already has
  // The same inputs unscoped: u3 is missing too (what a full run would do
  // with a platform read that has everyone, which a change set's has not).
  auto full = compute_plan(d, s, options(nullptr));
  CHECK(deactivated(full) == std::vector<std::string>{"e2", "e3"});
}

TEST_CASE("a scoped plan without missing_from_sources only warns, like a full one") {
  std::unordered_set<std::string> scope = {"e2"};
  PlatformState s;
  s.users = {have("2", "e2", "u2"), have("3", "e3", "u3")};
  auto o = options(&scope);
  o.deactivate_missing = false;
  auto plan = compute_plan({}, s, o);
  CHECK(plan.users.empty());
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].message.find("1 managed account(s) are missing") != std::string::npos);
}

TEST_CASE("a scoped plan removes from groups only the people in its scope") {
  // Group "Sales" has u1 (in scope, moved to IT) and u9 (not fetched as a
  // desired user, outside the scope): only u1 leaves Sales.
  std::unordered_set<std::string> scope = {"e1"};
  auto u1 = want("e1", "u1");
  u1.groups = {"IT"};
  PlatformState s;
  s.users = {have("1", "e1", "u1"), have("9", "e9", "u9")};
  s.users[0].group_ids = {"g1"};
  s.users[1].group_ids = {"g1"};
  s.groups = {{"g1", "Sales", "daoctl:inc:group:Sales", "W/\"1\"", {"1", "9"}},
              {"g2", "IT", "daoctl:inc:group:IT", "W/\"1\"", {}}};
  auto o = options(&scope);
  o.manage_groups = true;
  auto plan = compute_plan({u1}, s, o);
  std::vector<std::string> removed, added;
  for (const auto& g : plan.groups) {
    if (g.kind == GroupAction::Kind::RemoveMembers) removed.insert(removed.end(), g.members.begin(), g.members.end());
    if (g.kind == GroupAction::Kind::AddMembers) added.insert(added.end(), g.members.begin(), g.members.end());
  }
  CHECK(removed == std::vector<std::string>{"1"});
  CHECK(added == std::vector<std::string>{"e1"});
  CHECK(deactivated(plan).empty());  // u9 is outside the scope
}
