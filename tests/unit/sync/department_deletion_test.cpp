// departments: {delete_empty: true}: the plan deletes the departments this
// job created that nobody is in after it (deepest first), and no other.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/sync/plan.hpp"

using namespace daoctl::sync;
using daoctl::mapping::Value;

namespace {

DesiredUser want(std::string ext, std::string name, std::string department) {
  DesiredUser d;
  d.external_id = std::move(ext);
  d.user_name = std::move(name);
  d.fields["department"] = Value(std::move(department));
  d.origin = "test";
  return d;
}

PlatformUser have(std::string id, std::string ext, std::string name, std::string department_id,
                  std::string department) {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = std::move(ext);
  u.user_name = std::move(name);
  u.department_id = std::move(department_id);
  u.fields["department"] = Value(std::move(department));
  u.fields["active"] = true;
  u.version = "W/\"1\"";
  u.managed_by = "daoctl:nightly";
  return u;
}

PlatformDepartment dept(std::string id, std::string path, std::string parent_id, bool ours = true) {
  PlatformDepartment d;
  d.id = std::move(id);
  d.path = std::move(path);
  d.name = d.path.substr(d.path.rfind('/') + 1);
  d.parent_id = std::move(parent_id);
  d.external_id = ours ? "daoctl:nightly:" + d.path : "";
  d.version = "1";
  return d;
}

PlatformState state() {
  PlatformState s;
  s.departments = {
      dept("10", "Company", ""),
      dept("11", "Company/Old", "10"),
      dept("12", "Company/Old/Deep", "11"),
      dept("13", "Company/Moved", "10"),          // its one member moves to Company/IT
      dept("14", "Company/Manual", "10", false),  // empty, but not this job's
      dept("15", "Company/Kept", "10"),           // a member not in the sources stays
      dept("16", "Company/Held", "10"),           // empty, but has a child that stays
      dept("17", "Company/Held/Other", "16", false),
      dept("18", "Company/IT", "10"),
  };
  s.users = {have("1", "e1", "ivanov", "18", "IT"), have("2", "e2", "petrov", "13", "Moved"),
             have("3", "e3", "sidorov", "15", "Kept")};
  return s;
}

std::vector<DesiredUser> desired() { return {want("e1", "ivanov", "Company/IT"), want("e2", "petrov", "Company/IT")}; }

PlanOptions options() {
  PlanOptions o;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  o.delete_empty_departments = true;
  return o;
}

std::vector<std::string> deleted(const SyncPlan& plan) {
  std::vector<std::string> out;
  for (const auto& d : plan.departments)
    if (d.kind == DepartmentAction::Kind::Delete) out.push_back(d.id + " " + d.path);
  return out;
}

}  // namespace

TEST_CASE("departments: delete_empty deletes this job's departments nobody is in after the plan") {
  const auto s = state();
  const auto d = desired();
  auto plan = compute_plan(d, s, options());
  // petrov leaves Company/Moved in this very plan.
  auto petrov = std::find_if(plan.users.begin(), plan.users.end(), [](const auto& a) { return a.external_id == "e2"; });
  REQUIRE(petrov != plan.users.end());
  CHECK(std::any_of(petrov->changes.begin(), petrov->changes.end(),
                    [](const auto& c) { return c.field == "department"; }));
  auto gone = deleted(plan);
  REQUIRE(gone.size() == 3);
  // Deepest first: the child before its parent.
  CHECK(gone[0] == "12 Company/Old/Deep");
  std::sort(gone.begin() + 1, gone.end());
  CHECK(gone[1] == "11 Company/Old");
  CHECK(gone[2] == "13 Company/Moved");
  for (const auto& a : plan.departments)
    if (a.kind == DepartmentAction::Kind::Delete && a.id == "12") CHECK(a.parent_path == "Company/Old");
}

TEST_CASE("departments: delete_empty deletes nothing when off or in an incremental run") {
  const auto s = state();
  const auto d = desired();
  auto o = options();
  o.delete_empty_departments = false;
  CHECK(deleted(compute_plan(d, s, o)).empty());
  o.delete_empty_departments = true;
  const std::unordered_set<std::string> scope = {"e1", "e2"};
  o.scope = &scope;
  CHECK(deleted(compute_plan(d, s, o)).empty());
}
