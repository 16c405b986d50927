// Collisions of userName and e-mail compare as the platform does: without
// case, for Cyrillic and accented Latin too (Ёлкин@x is ёлкин@x), but by
// simple case folding only (STRASSE is not straße: ß has no one-letter upper
// case, and daoctl-sim's unique index, like lower() in SQL, keeps them apart).
#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>

#include "core/sync/plan.hpp"

using namespace daoctl::sync;
using daoctl::mapping::Value;

namespace {

DesiredUser want(std::string ext, std::string name, Fields fields = {}) {
  DesiredUser d;
  d.external_id = std::move(ext);
  d.user_name = std::move(name);
  d.fields = std::move(fields);
  d.origin = "hr.csv:" + d.external_id;
  return d;
}

PlatformUser have(std::string id, std::string ext, std::string name, Fields fields = {},
                  std::string managed_by = "daoctl:nightly") {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = std::move(ext);
  u.user_name = std::move(name);
  u.fields = std::move(fields);
  u.fields["active"] = true;
  u.version = "W/\"1\"";
  u.managed_by = std::move(managed_by);
  return u;
}

PlanOptions options() {
  PlanOptions o;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  return o;
}

const UserAction* find_user(const SyncPlan& p, const std::string& ext) {
  for (const auto& a : p.users)
    if (a.external_id == ext) return &a;
  return nullptr;
}

}  // namespace

TEST_CASE("unicode collisions: Cyrillic userNames that differ in case collide") {
  std::vector<DesiredUser> d = {want("e1", "Ёлкин"), want("e2", "ёлкин"), want("e3", "ЕЛКИН")};
  auto plan = compute_plan(d, {}, options());
  // Ё and Е are different letters: ЕЛКИН is another name.
  REQUIRE(plan.collisions.size() == 1);
  CHECK(plan.collisions[0].field == "userName");
  CHECK(plan.collisions[0].parties.size() == 2);
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].user_name == "ЕЛКИН");
}

TEST_CASE("unicode collisions: e-mail against an account the job does not manage") {
  std::vector<DesiredUser> d = {want("e1", "elkin", {{"email", Value("Ёлкин@corp.example")}})};
  PlatformState s;
  s.users = {have("7", "", "someone", {{"email", Value("ёлкин@CORP.example")}}, "")};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.collisions.size() == 1);
  CHECK(plan.collisions[0].field == "email");
  CHECK(plan.collisions[0].value == "ёлкин@CORP.example");  // as its holder has it
  CHECK(find_user(plan, "e1") == nullptr);
}

TEST_CASE("unicode collisions: accented Latin folds, ß does not become ss") {
  std::vector<DesiredUser> d = {want("e1", "ÉMILE"), want("e2", "émile"), want("e3", "STRASSE"),
                                want("e4", "straße")};
  auto plan = compute_plan(d, {}, options());
  REQUIRE(plan.collisions.size() == 1);
  CHECK(plan.collisions[0].value == "ÉMILE");
  CHECK(find_user(plan, "e3") != nullptr);
  CHECK(find_user(plan, "e4") != nullptr);
}

TEST_CASE("unicode collisions: suffix_number renames the second Cyrillic spelling") {
  auto o = options();
  o.unique_user_name = UniqueResolution::SuffixNumber;
  std::vector<DesiredUser> d = {want("e1", "щукин"), want("e2", "ЩУКИН")};
  PlatformState s;
  s.users = {have("9", "x", "Щукин2", {}, "daoctl:other")};
  auto plan = compute_plan(d, s, o);
  REQUIRE(plan.users.size() == 2);
  CHECK(find_user(plan, "e1")->user_name == "щукин");
  // щукин2 is taken (Щукин2, another job's account): the next number.
  CHECK(find_user(plan, "e2")->user_name == "ЩУКИН3");
}

TEST_CASE("unicode collisions: an account keeps its own name in another case, no collision") {
  std::vector<DesiredUser> d = {want("e1", "ёлкин")};
  PlatformState s;
  s.users = {have("1", "e1", "Ёлкин")};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.collisions.empty());
}

TEST_CASE("unicode collisions: link by e-mail finds the account in another case") {
  auto o = options();
  o.link_by = {"email"};
  std::vector<DesiredUser> d = {want("e1", "elkin", {{"email", Value("Ёлкин@corp.example")}})};
  PlatformState s;
  s.users = {have("3", "", "elkin", {{"email", Value("ёлкин@corp.example")}}, "")};
  auto plan = compute_plan(d, s, o);
  CHECK(plan.collisions.empty());
  const auto* u = find_user(plan, "e1");
  REQUIRE(u != nullptr);
  CHECK(u->id == "3");
}

TEST_CASE("unicode collisions: a no-op plan of 100k users stays cheap") {
  // Half ASCII, half Cyrillic names and e-mails; every account is its own.
  std::vector<DesiredUser> d;
  PlatformState s;
  d.reserve(100000);
  s.users.reserve(100000);
  for (int i = 0; i < 100000; ++i) {
    const std::string n = (i % 2 ? "ivanov." : "Иванов.") + std::to_string(i);
    const std::string ext = "e" + std::to_string(i);
    d.push_back(want(ext, n, {{"email", Value(n + "@corp.example")}}));
    s.users.push_back(have(std::to_string(i), ext, n, {{"email", Value(n + "@corp.example")}}));
  }
  auto o = options();
  // CPU time, not wall time: the test machine is shared.
  const std::clock_t start = std::clock();
  auto plan = compute_plan(d, s, o);
  const double ms = 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  WARN("no-op plan of 100000 users (unique checks included): " << ms << " ms CPU");
  CHECK(plan.collisions.empty());
  CHECK_FALSE(plan.has_changes());
}
