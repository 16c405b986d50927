// `target: scim` converges like the platform target: fields a plain SCIM
// service cannot store are refused by the job, departments keep their path
// (or the leaf, when asked), and missing accounts are deactivated.
#include <catch2/catch.hpp>

#include "core/sync/executor.hpp"
#include "core/sync/job.hpp"
#include "core/sync/plan.hpp"

using namespace daoctl::sync;
using daoctl::mapping::Value;

namespace {

const char* kScimJob = R"(version: 1
name: nightly
target: scim
sources:
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  department: "{hr.dept}"
)";

LoadOptions today() {
  LoadOptions o;
  o.today = "2026-11-26";
  return o;
}

DesiredUser want(std::string ext, std::string name, Fields fields = {}) {
  DesiredUser d;
  d.external_id = std::move(ext);
  d.user_name = std::move(name);
  d.fields = std::move(fields);
  d.origin = "test";
  return d;
}

PlatformUser have(std::string id, std::string ext, std::string name, Fields fields = {}) {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = std::move(ext);
  u.user_name = std::move(name);
  u.fields = std::move(fields);
  u.fields["active"] = true;
  u.managed_by = "daoctl:nightly";  // what the SCIM target reads for an externalId account
  return u;
}

PlanOptions scim_options() {
  PlanOptions o;
  o.target = TargetKind::Scim;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  return o;
}

const FieldChange* change_of(const UserAction& a, const std::string& field) {
  for (const auto& c : a.changes)
    if (c.field == field) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("profile fields mapped for a plain SCIM target are job errors with positions") {
  std::string text = std::string(kScimJob) + "  hireDate: \"{hr.hired}\"\n  skills: \"{hr.skills}\"\n" +
                     "  location: \"{hr.city}\"\n  birthday: \"{hr.born}\"\n";
  auto job = load_job(text, "scim.yaml", today());
  REQUIRE_FALSE(job);
  const std::string& detail = job.error().detail;
  CHECK_THAT(detail, Catch::Contains("scim.yaml:10:13: /mapping/hireDate: target scim cannot store hireDate"));
  CHECK_THAT(detail, Catch::Contains("/mapping/skills: target scim cannot store skills"));
  CHECK_THAT(detail, Catch::Contains("/mapping/location: target scim cannot store location"));
  CHECK_THAT(detail, Catch::Contains("/mapping/birthday: target scim cannot store birthday"));
  // The same fields are fine for the platform.
  std::string platform = text;
  platform.replace(platform.find("target: scim"), 12, "target: platform");
  CHECK(load_job(platform, "platform.yaml", today()));
  // And the plain job is fine for scim.
  CHECK(load_job(kScimJob, "scim.yaml", today()));
}

TEST_CASE("departments.scim_value chooses the path (default) or the leaf") {
  auto job = load_job(kScimJob, "scim.yaml", today());
  REQUIRE(job);
  CHECK_FALSE(job->scim_department_leaf);
  auto leaf = load_job(std::string(kScimJob) + "departments: {scim_value: leaf}\n", "scim.yaml", today());
  REQUIRE(leaf);
  CHECK(leaf->scim_department_leaf);
  auto bad = load_job(std::string(kScimJob) + "departments: {scim_value: last}\n", "scim.yaml", today());
  CHECK_FALSE(bad);
}

TEST_CASE("a SCIM department keeps its whole path, and the plan shows what is stored") {
  std::vector<DesiredUser> d = {want("e1", "ivanov", {{"department", Value("Sales/EMEA")}}),
                                want("e2", "petrov", {{"department", Value("Sales/EMEA")}})};
  PlatformState s;
  s.users = {have("1", "e1", "ivanov", {{"department", Value("EMEA")}})};  // written by an older daoctl
  auto plan = compute_plan(d, s, scim_options());
  CHECK(plan.departments.empty());  // a plain SCIM service has no department tree
  const auto* update = &plan.users.at(0);
  const auto* create = &plan.users.at(1);
  if (update->kind == UserActionKind::Create) std::swap(update, create);
  REQUIRE(change_of(*update, "department"));
  CHECK(change_of(*update, "department")->after == Value("Sales/EMEA"));
  REQUIRE(change_of(*create, "department"));
  CHECK(change_of(*create, "department")->after == Value("Sales/EMEA"));
  // The PATCH writes the same text.
  auto ops = patch_operations(*update, TargetKind::Scim, "");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0]["value"] == "Sales/EMEA");

  // Stored so, a second plan has nothing to do.
  s.users = {have("1", "e1", "ivanov", {{"department", Value("Sales/EMEA")}}),
             have("2", "e2", "petrov", {{"department", Value("Sales/EMEA")}})};
  CHECK_FALSE(compute_plan(d, s, scim_options()).has_changes());

  // With scim_value: leaf, the leaf is stored and compared.
  auto leaf = scim_options();
  leaf.scim_department_leaf = true;
  auto leaf_plan = compute_plan(d, s, leaf);
  REQUIRE(leaf_plan.users.size() == 2);
  CHECK(change_of(leaf_plan.users[0], "department")->after == Value("EMEA"));
}

TEST_CASE("missing_from_sources deactivates on a SCIM target as on the platform") {
  std::vector<DesiredUser> d = {want("e1", "ivanov")};
  PlatformState s;
  s.users = {have("1", "e1", "ivanov"), have("2", "e2", "gone")};
  PlatformUser foreign = have("3", "", "admin");
  foreign.managed_by.clear();  // no externalId: never this job's
  s.users.push_back(foreign);
  auto o = scim_options();
  o.deactivate_missing = true;
  auto plan = compute_plan(d, s, o);
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].kind == UserActionKind::Deactivate);
  CHECK(plan.users[0].external_id == "e2");
  CHECK(plan.users[0].reason == "missing from the sources");
  auto ops = patch_operations(plan.users[0], TargetKind::Scim, "");
  CHECK(ops == nlohmann::json::array({{{"op", "replace"}, {"path", "active"}, {"value", false}}}));
}
