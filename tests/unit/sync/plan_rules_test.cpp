// Plan-level rules of issue 15: unique userName/e-mail collisions, accounts
// of other jobs (and --adopt-from), manager cycles, and a reviewable plan.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/sync/guards.hpp"
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
  d.origin = "hr.csv:" + d.external_id;
  return d;
}

PlatformUser have(std::string id, std::string ext, std::string name, Fields fields = {},
                  std::string managed_by = "daoctl:nightly", std::string manager_id = "") {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = std::move(ext);
  u.user_name = std::move(name);
  u.fields = std::move(fields);
  u.fields["active"] = true;
  u.version = "W/\"1\"";
  u.managed_by = std::move(managed_by);
  u.manager_id = std::move(manager_id);
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

const CollisionParty* party(const Collision& c, const std::string& ext) {
  for (const auto& p : c.parties)
    if (p.external_id == ext) return &p;
  return nullptr;
}

Value field_after(const UserAction& a, const std::string& field) {
  for (const auto& c : a.changes)
    if (c.field == field) return c.after;
  return Value();
}

bool has_warning(const SyncPlan& p, const std::string& object, const std::string& part) {
  return std::any_of(p.warnings.begin(), p.warnings.end(), [&](const PlanWarning& w) {
    return w.object == object && w.message.find(part) != std::string::npos;
  });
}

}  // namespace

// ---------------------------------------------------------------- collisions

TEST_CASE("collisions: two new employees wanting one userName are both left out by default") {
  // Case differs: the platform compares userNames without case.
  std::vector<DesiredUser> d = {want("e7", "Ivanov"), want("e3", "ivanov"), want("e5", "petrov")};
  auto plan = compute_plan(d, {}, options());
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].user_name == "petrov");
  REQUIRE(plan.collisions.size() == 1);
  const auto& c = plan.collisions[0];
  CHECK(c.field == "userName");
  CHECK(c.resolution == "error");
  REQUIRE(c.parties.size() == 2);
  CHECK(c.parties[0].external_id == "e3");  // by externalId, not by record order
  CHECK(c.parties[0].outcome == "left_out");
  CHECK(c.parties[0].origin == "hr.csv:e3");
  CHECK(c.parties[1].external_id == "e7");
  CHECK(c.parties[1].outcome == "left_out");
  CHECK(c.unresolved());
  CHECK(plan.unresolved_collisions() == 2);
  CHECK(plan.summary_json()["collisions"]["left_out"] == 2);
}

TEST_CASE("collisions: suffix_number gives the first by externalId the value, the rest a number") {
  auto o = options();
  o.unique_user_name = UniqueResolution::SuffixNumber;
  std::vector<DesiredUser> d = {want("e7", "ivanov"), want("e3", "ivanov"), want("e5", "ivanov")};
  auto plan = compute_plan(d, {}, o);
  std::reverse(d.begin(), d.end());
  auto reversed = compute_plan(d, {}, o);
  CHECK(plan.hash() == reversed.hash());  // record order does not matter
  REQUIRE(plan.users.size() == 3);
  CHECK(find_user(plan, "e3")->user_name == "ivanov");
  CHECK(find_user(plan, "e5")->user_name == "ivanov2");
  CHECK(find_user(plan, "e7")->user_name == "ivanov3");
  REQUIRE(plan.collisions.size() == 1);
  CHECK(party(plan.collisions[0], "e3")->outcome == "keeps");
  CHECK(party(plan.collisions[0], "e5")->outcome == "renamed");
  CHECK(party(plan.collisions[0], "e5")->new_value == "ivanov2");
  CHECK_FALSE(plan.collisions[0].unresolved());
  CHECK(plan.unresolved_collisions() == 0);
}

TEST_CASE("collisions: an account the job does not manage holds its value, the suffix skips taken ones") {
  std::vector<DesiredUser> d = {want("e1", "admin"), want("e2", "ivanov2")};
  PlatformState s;
  s.users = {have("1", "", "Admin", {}, ""), have("2", "x", "admin2", {}, "daoctl:other")};
  auto strict = compute_plan(d, s, options());
  REQUIRE(strict.collisions.size() == 1);
  CHECK(strict.collisions[0].value == "Admin");  // as the account has it
  CHECK(strict.collisions[0].parties[0].outcome == "holds");
  CHECK(strict.collisions[0].parties[0].id == "1");
  CHECK(party(strict.collisions[0], "e1")->outcome == "left_out");
  CHECK(find_user(strict, "e1") == nullptr);
  CHECK(find_user(strict, "e2") != nullptr);

  auto o = options();
  o.unique_user_name = UniqueResolution::SuffixNumber;
  auto plan = compute_plan(d, s, o);
  // admin2 belongs to another job's account: admin3.
  REQUIRE(find_user(plan, "e1") != nullptr);
  CHECK(find_user(plan, "e1")->user_name == "admin3");
}

TEST_CASE("collisions: the employee whose account has the value keeps it, a newcomer does not get it") {
  std::vector<DesiredUser> d = {want("new", "petrov", {{"email", Value("p@corp.example")}}),
                                want("old", "petrov", {{"email", Value("petrov@corp.example")}})};
  PlatformState s;
  s.users = {have("5", "old", "petrov", {{"email", Value("petrov@corp.example")}})};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.users.empty());
  CHECK(plan.unchanged_users == 1);
  REQUIRE(plan.collisions.size() == 1);
  CHECK(party(plan.collisions[0], "old")->outcome == "keeps");
  CHECK(party(plan.collisions[0], "new")->outcome == "left_out");
}

TEST_CASE("collisions: e-mail, with suffix_number on the local part") {
  auto o = options();
  o.unique_email = UniqueResolution::SuffixNumber;
  std::vector<DesiredUser> d = {want("e1", "a.ivanov", {{"email", Value("ivanov@corp.example")}}),
                                want("e2", "b.ivanov", {{"email", Value("IVANOV@corp.example")}})};
  auto plan = compute_plan(d, {}, o);
  REQUIRE(plan.users.size() == 2);
  CHECK(field_after(*find_user(plan, "e1"), "email") == Value("ivanov@corp.example"));
  CHECK(field_after(*find_user(plan, "e2"), "email") == Value("IVANOV2@corp.example"));
  REQUIRE(plan.collisions.size() == 1);
  CHECK(plan.collisions[0].field == "email");

  auto strict = compute_plan(d, {}, options());
  CHECK(strict.users.empty());
  CHECK(strict.unresolved_collisions() == 2);
}

TEST_CASE("collisions: an existing account renamed into a taken value keeps its name, the rest applies") {
  std::vector<DesiredUser> d = {want("e1", "ivanova", {{"title", Value("Lead")}}), want("e2", "ivanova")};
  PlatformState s;
  s.users = {have("1", "e1", "petrova", {{"title", Value("Engineer")}}), have("2", "e2", "ivanova")};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.users.size() == 1);
  const auto* a = find_user(plan, "e1");
  REQUIRE(a != nullptr);
  CHECK(a->user_name == "petrova");
  REQUIRE(a->changes.size() == 1);
  CHECK(a->changes[0].field == "title");
  CHECK(party(plan.collisions[0], "e1")->outcome == "left_out");
  CHECK(party(plan.collisions[0], "e2")->outcome == "keeps");
}

TEST_CASE("collisions: a suffixed account keeps its number on the next run") {
  auto o = options();
  o.unique_user_name = UniqueResolution::SuffixNumber;
  std::vector<DesiredUser> d = {want("e1", "ivanov"), want("e9", "ivanov")};
  PlatformState s;
  // e9 was created as ivanov3 (ivanov2 was taken then).
  s.users = {have("1", "e1", "ivanov"), have("9", "e9", "ivanov3")};
  auto plan = compute_plan(d, s, o);
  CHECK_FALSE(plan.has_changes());
  REQUIRE(plan.collisions.size() == 1);
  CHECK(party(plan.collisions[0], "e9")->new_value == "ivanov3");
}

TEST_CASE("collisions: a value another account gives up in this plan waits for the next run") {
  std::vector<DesiredUser> d = {want("old", "ivanov.a"), want("new", "ivanov")};
  PlatformState s;
  s.users = {have("1", "old", "ivanov")};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.users.size() == 1);  // the rename; the create waits (creates run before renames)
  CHECK(plan.users[0].external_id == "old");
  CHECK(party(plan.collisions[0], "new")->outcome == "deferred");
  CHECK(plan.unresolved_collisions() == 0);
  CHECK(has_warning(plan, "user ivanov", "taken by the next run"));
}

TEST_CASE("collisions: a no-op plan of many users has none and renames nothing") {
  std::vector<DesiredUser> d;
  PlatformState s;
  for (int i = 0; i < 2000; ++i) {
    auto n = "user" + std::to_string(i);
    d.push_back(want("e" + std::to_string(i), n, {{"email", Value(n + "@corp.example")}}));
    s.users.push_back(have(std::to_string(i), "e" + std::to_string(i), n, {{"email", Value(n + "@corp.example")}}));
  }
  auto plan = compute_plan(d, s, options());
  CHECK_FALSE(plan.has_changes());
  CHECK(plan.collisions.empty());
  CHECK(plan.unchanged_users == 2000);
}

TEST_CASE("collisions survive the plan file and are part of its hash") {
  std::vector<DesiredUser> d = {want("e1", "x"), want("e2", "x"), want("e3", "y")};
  auto plan = compute_plan(d, {}, options());
  auto back = SyncPlan::from_json(plan.to_json());
  REQUIRE(back);
  CHECK(back->hash() == plan.hash());
  CHECK(back->unresolved_collisions() == 2);
  auto doc = plan.to_json();
  doc["collisions"][0]["parties"][0]["outcome"] = "keeps";
  CHECK_FALSE(SyncPlan::from_json(doc));  // edited: refused
}

// ---------------------------------------------------------------- other jobs

TEST_CASE("other jobs: an account another job manages is reported and left alone") {
  std::vector<DesiredUser> d = {want("e1", "ivanov", {{"title", Value("Lead")}}), want("e2", "petrov")};
  PlatformState s;
  s.users = {have("1", "e1", "ivanov", {{"title", Value("Engineer")}}, "daoctl:nightly-copy"),
             have("2", "e2", "petrov")};
  auto plan = compute_plan(d, s, options());
  CHECK_FALSE(plan.has_changes());
  REQUIRE(plan.other_jobs.size() == 1);
  CHECK(plan.other_jobs[0].user_name == "ivanov");
  CHECK(plan.other_jobs[0].job == "nightly-copy");
  CHECK(plan.other_jobs[0].id == "1");
  CHECK(plan.collisions.empty());  // its own userName is not a collision
  CHECK(plan.summary_json()["users"]["other_jobs"] == 1);
}

TEST_CASE("other jobs: --adopt-from takes exactly that job's accounts, counted by the guard") {
  std::vector<DesiredUser> d = {want("e1", "ivanov"), want("e2", "petrov"), want("e3", "sidorov")};
  PlatformState s;
  s.users = {have("1", "e1", "ivanov", {}, "daoctl:copy"), have("2", "e2", "petrov", {}, "daoctl:copy"),
             have("3", "e3", "sidorov", {}, "daoctl:hr-only"), have("4", "e4", "gone", {}, "daoctl:copy")};
  auto o = options();
  o.adopt_from = {"copy"};
  auto plan = compute_plan(d, s, o);
  REQUIRE(plan.users.size() == 2);
  for (const auto* a : {find_user(plan, "e1"), find_user(plan, "e2")}) {
    REQUIRE(a != nullptr);
    CHECK(a->adopted_from == "copy");
    CHECK(a->kind == UserActionKind::Update);
    CHECK(field_after(*a, "managedBy") == Value("daoctl:nightly"));
    CHECK(a->reason == "adopted from job copy");
  }
  REQUIRE(plan.other_jobs.size() == 1);
  CHECK(plan.other_jobs[0].job == "hr-only");
  CHECK(plan.adoptions() == 2);
  // The other job's account that is not in our sources is not ours to deactivate.
  CHECK(find_user(plan, "e4") == nullptr);

  JobSpec job;
  job.name = "nightly";
  job.safety.max_deprovisions = 1;
  GuardInput in;
  auto st = check_guards(job, plan, in);
  REQUIRE_FALSE(st);
  CHECK(st.error().kind == daoctl::ErrorKind::Safety);
  CHECK(st.error().message.find("adopts 2 accounts") != std::string::npos);
  in.allowed_plan_hash = plan.hash();
  CHECK(check_guards(job, plan, in));
  job.safety.max_deprovisions = 2;
  CHECK(check_guards(job, plan, GuardInput{}));

  auto back = SyncPlan::from_json(plan.to_json());
  REQUIRE(back);
  CHECK(back->adoptions() == 2);
  CHECK(back->hash() == plan.hash());
}

TEST_CASE("other jobs: an account with no daoctl managedBy is still taken over as before") {
  std::vector<DesiredUser> d = {want("e1", "ivanov")};
  PlatformState s;
  s.users = {have("1", "e1", "ivanov", {}, "")};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.users.size() == 1);
  CHECK(field_after(plan.users[0], "managedBy") == Value("daoctl:nightly"));
  CHECK(plan.users[0].adopted_from.empty());
}

// ---------------------------------------------------------------- manager cycles

TEST_CASE("managers: a self-manager is warned about and left out") {
  std::vector<DesiredUser> d = {want("e1", "ivanov", {{"manager", Value("e1")}})};
  PlatformState s;
  s.users = {have("1", "e1", "ivanov")};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.managers.empty());
  CHECK(has_warning(plan, "user ivanov", "their own manager"));
}

TEST_CASE("managers: every link on a cycle is left out, links into it are kept, whatever the order") {
  // c -> a -> b -> c is a cycle; d -> a leads into it.
  std::vector<DesiredUser> d = {want("ea", "anna", {{"manager", Value("eb")}}),
                                want("eb", "boris", {{"manager", Value("ec")}}),
                                want("ec", "clara", {{"manager", Value("ea")}}),
                                want("ed", "dmitry", {{"manager", Value("ea")}}),
                                want("ee", "elena", {{"manager", Value("ef")}}),
                                want("ef", "fedor", {{"manager", Value("ee")}})};
  PlatformState s;
  for (const auto& u : d) s.users.push_back(have("id-" + u.external_id, u.external_id, u.user_name));
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.managers.size() == 1);
  CHECK(plan.managers[0].external_id == "ed");
  CHECK(plan.managers[0].after_user_name == "anna");
  for (const char* who : {"anna", "boris", "clara"})
    CHECK(has_warning(plan, std::string("user ") + who, "manager cycle anna -> boris -> clara -> anna"));
  CHECK(has_warning(plan, "user fedor", "manager cycle elena -> fedor -> elena"));
  std::reverse(d.begin(), d.end());
  auto reversed = compute_plan(d, s, options());
  CHECK(reversed.hash() == plan.hash());
  CHECK(has_warning(reversed, "user clara", "manager cycle anna -> boris -> clara -> anna"));
}

// ---------------------------------------------------------------- reviewable plan

TEST_CASE("review: users, managers and group members are named by userName and sorted") {
  std::vector<DesiredUser> d = {want("e3", "zoe", {{"manager", Value("e1")}}),
                                want("e2", "Boris", {{"manager", Value("e1")}}),
                                want("e1", "anna"), want("e4", "carl", {{"manager", Value("e3")}})};
  for (auto& u : d) u.groups = {"Dev"};
  PlatformState s;
  s.users = {have("1", "e1", "anna"), have("4", "e4", "carl", {}, "daoctl:nightly", "1"),
             have("9", "", "outsider", {}, "")};
  PlatformGroup g;
  g.id = "g1";
  g.display_name = "Dev";
  g.member_ids = {"1", "4"};
  s.groups = {g};
  auto o = options();
  o.manage_groups = true;
  auto plan = compute_plan(d, s, o);
  REQUIRE(plan.users.size() == 2);
  CHECK(plan.users[0].user_name == "Boris");
  CHECK(plan.users[1].user_name == "zoe");
  REQUIRE(plan.managers.size() == 3);
  CHECK(plan.managers[0].user_name == "Boris");
  CHECK(plan.managers[0].after_user_name == "anna");
  CHECK(plan.managers[1].user_name == "carl");
  CHECK(plan.managers[1].before_user_name == "anna");
  CHECK(plan.managers[1].after_user_name == "zoe");
  CHECK(plan.managers[2].user_name == "zoe");
  // carl's only change is his manager: he is not "unchanged".
  CHECK(plan.unchanged_users == 1);
  REQUIRE(plan.groups.size() == 1);
  CHECK(plan.groups[0].kind == GroupAction::Kind::AddMembers);
  CHECK(plan.groups[0].member_names == std::vector<std::string>{"Boris", "zoe"});
  CHECK(plan.groups[0].members == std::vector<std::string>{"e2", "e3"});
  auto j = plan.to_json();
  CHECK(j["managers"][1]["before_userName"] == "anna");
  CHECK(j["groups"][0]["member_userNames"][1] == "zoe");
  auto back = SyncPlan::from_json(j);
  REQUIRE(back);
  CHECK(back->managers[1].after_user_name == "zoe");
  CHECK(back->groups[0].member_names == plan.groups[0].member_names);
}

TEST_CASE("review: removed group members are named too") {
  std::vector<DesiredUser> d = {want("e1", "anna")};
  d[0].groups = {};
  PlatformState s;
  s.users = {have("1", "e1", "anna"), have("2", "e2", "boris")};
  PlatformGroup g;
  g.id = "g1";
  g.display_name = "Dev";
  g.external_id = "daoctl:nightly:group:Dev";
  g.member_ids = {"2", "1"};
  s.groups = {g};
  auto o = options();
  o.manage_groups = true;
  auto plan = compute_plan(d, s, o);
  REQUIRE(plan.groups.size() == 1);
  CHECK(plan.groups[0].kind == GroupAction::Kind::RemoveMembers);
  CHECK(plan.groups[0].member_names == std::vector<std::string>{"anna", "boris"});
  CHECK(plan.groups[0].members == std::vector<std::string>{"1", "2"});
}

TEST_CASE("review: a user created inactive gets no photo upload") {
  std::vector<DesiredUser> d = {want("e1", "leaver", {{"photo", Value(std::string("\xFF\xD8\xFF\xE0jpeg"))}}, false),
                                want("e2", "joiner", {{"photo", Value(std::string("\xFF\xD8\xFF\xE0jpg2"))}})};
  auto plan = compute_plan(d, {}, options());
  REQUIRE(plan.users.size() == 2);
  REQUIRE(plan.photos.size() == 1);
  CHECK(plan.photos[0].user_name == "joiner");
}
