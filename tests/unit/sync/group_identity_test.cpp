// Directory groups known by their stable id (a group search gives each
// desired user the entryUUID/objectGUID of its groups): two groups with one
// name stay two, a renamed group is renamed with its members, a group this
// job made by name before is taken over once, a foreign group of the same
// name is never touched, and a plan round-trips through JSON.
#include <catch2/catch.hpp>

#include "core/sync/desired.hpp"
#include "core/sync/executor.hpp"
#include "core/sync/job.hpp"
#include "core/sync/plan.hpp"
#include "core/sync/target.hpp"

using namespace daoctl::sync;

namespace {

DesiredUser member(std::string ext, std::vector<std::pair<std::string, std::string>> groups) {
  DesiredUser d;
  d.external_id = ext;
  d.user_name = ext;
  d.origin = "ldap:" + ext;
  for (auto& [key, name] : groups) {
    d.group_keys.push_back(key);
    d.groups.push_back(name);
  }
  return d;
}

PlatformUser account(std::string id, std::string ext) {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = ext;
  u.user_name = ext;
  u.fields["active"] = true;
  u.version = "W/\"1\"";
  u.managed_by = "daoctl:nightly";
  return u;
}

PlatformGroup group(std::string id, std::string name, std::string ext, std::vector<std::string> members) {
  return {std::move(id), std::move(name), std::move(ext), "W/\"1\"", std::move(members)};
}

PlanOptions options() {
  PlanOptions o;
  o.job = "nightly";
  o.managed_by = "daoctl:nightly";
  o.manage_groups = true;
  return o;
}

std::vector<std::string> actions(const SyncPlan& p) {
  std::vector<std::string> out;
  for (const auto& g : p.groups) {
    auto j = p.to_json()["groups"][out.size()];
    std::string line = j["action"].get<std::string>() + " " + g.name;
    if (!g.before_name.empty()) line += " (was " + g.before_name + ")";
    for (const auto& n : g.member_names) line += " " + n;
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("two directory groups with one name are two platform groups") {
  std::vector<DesiredUser> d = {member("alice", {{"uuid-eng", "Dev (Engineering)"}}),
                                member("carol", {{"uuid-sales", "Dev (Sales)"}})};
  auto plan = compute_plan(d, {}, options());
  CHECK(actions(plan) == std::vector<std::string>{"add_members Dev (Engineering) alice", "add_members Dev (Sales) carol",
                                                  "create Dev (Engineering)", "create Dev (Sales)"});
  for (const auto& g : plan.groups)
    if (g.kind == GroupAction::Kind::Create)
      CHECK(g.external_id == group_external_id("daoctl:nightly", g.name == "Dev (Sales)" ? "uuid-sales" : "uuid-eng"));
}

TEST_CASE("a renamed directory group is renamed on the platform and keeps its members") {
  std::vector<DesiredUser> d = {member("alice", {{"uuid-1", "Platform"}}), member("bob", {{"uuid-1", "Platform"}})};
  PlatformState s;
  s.users = {account("1", "alice"), account("2", "bob")};
  s.groups = {group("g1", "Backend", group_external_id("daoctl:nightly", "uuid-1"), {"1", "2"})};
  auto plan = compute_plan(d, s, options());
  CHECK(actions(plan) == std::vector<std::string>{"rename Platform (was Backend)"});
  auto back = SyncPlan::from_json(plan.to_json());
  REQUIRE(back);
  REQUIRE(back->groups.size() == 1);
  CHECK(back->groups[0].kind == GroupAction::Kind::Rename);
  CHECK(back->groups[0].before_name == "Backend");
  CHECK(back->hash() == plan.hash());

  // Applied: the same group id gets the new name and the same externalId.
  struct Target : SyncTarget {
    std::vector<std::string> calls;
    daoctl::Result<PlatformState> read_state() override { return PlatformState{}; }
    daoctl::Result<std::string> create_department(const std::string&, const std::string&, const std::string&) override {
      return std::string("d");
    }
    daoctl::Status delete_department(const std::string&, const std::string&) override { return {}; }
    std::vector<daoctl::Result<std::string>> create_users(const std::vector<nlohmann::json>& r) override {
      return std::vector<daoctl::Result<std::string>>(r.size(), std::string("u"));
    }
    std::vector<daoctl::Status> patch_users(const std::vector<UserPatch>& p) override {
      return std::vector<daoctl::Status>(p.size());
    }
    std::vector<daoctl::Status> upload_photos(const std::vector<PhotoUpload>& u) override {
      return std::vector<daoctl::Status>(u.size());
    }
    daoctl::Result<std::string> create_group(const std::string& name, const std::string& ext) override {
      calls.push_back("create " + name + " " + ext);
      return std::string("new");
    }
    daoctl::Status update_group(const std::string& id, const std::string&, const std::string& name,
                                const std::string& ext) override {
      calls.push_back("update " + id + " " + name + " " + ext);
      return {};
    }
    daoctl::Status change_group_members(const std::string& id, const std::string&, const std::vector<std::string>& add,
                                        const std::vector<std::string>& remove) override {
      calls.push_back("members " + id + " +" + std::to_string(add.size()) + " -" + std::to_string(remove.size()));
      return {};
    }
  } target;
  ApplyOptions ao;
  ao.managed_by = "daoctl:nightly";
  apply_plan(plan, s, target, ao);
  CHECK(target.calls ==
        std::vector<std::string>{"update g1 Platform " + group_external_id("daoctl:nightly", "uuid-1")});
}

TEST_CASE("a group this job made by name, or one without an externalId, becomes the directory group once") {
  std::vector<DesiredUser> d = {member("alice", {{"uuid-1", "Dev"}, {"uuid-2", "Ops"}})};
  PlatformState s;
  s.users = {account("1", "alice")};
  s.groups = {group("g1", "Dev", "daoctl:nightly:group:Dev", {"1"}), group("g2", "Ops", "", {})};
  auto plan = compute_plan(d, s, options());
  CHECK(actions(plan) == std::vector<std::string>{"add_members Ops alice", "link Dev", "link Ops"});
  // Applied, the next plan finds them by externalId and has nothing to do.
  s.groups = {group("g1", "Dev", group_external_id("daoctl:nightly", "uuid-1"), {"1"}),
              group("g2", "Ops", group_external_id("daoctl:nightly", "uuid-2"), {"1"})};
  CHECK(compute_plan(d, s, options()).groups.empty());
}

TEST_CASE("a foreign group with the directory group's name is left alone, with a warning") {
  std::vector<DesiredUser> d = {member("alice", {{"uuid-1", "Dev"}})};
  PlatformState s;
  s.users = {account("1", "alice")};
  s.groups = {group("g1", "Dev", "other-system:42", {"2"})};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.groups.empty());
  std::string all;
  for (const auto& w : plan.warnings) all += w.object + ": " + w.message + "\n";
  CAPTURE(all);
  CHECK(all.find("group Dev: the platform's group \"Dev\" (externalId other-system:42) is another group") !=
        std::string::npos);
}

TEST_CASE("a directory group nobody is in any more loses this job's members, by id") {
  std::vector<DesiredUser> d = {member("alice", {})};
  PlatformState s;
  s.users = {account("1", "alice"), account("2", "manual")};
  s.users[1].managed_by = "";
  s.groups = {group("g1", "Gone", group_external_id("daoctl:nightly", "uuid-9"), {"1", "2"})};
  auto plan = compute_plan(d, s, options());
  CHECK(actions(plan) == std::vector<std::string>{"remove_members Gone alice"});
}

TEST_CASE("a group search's ids and names reach the desired users, include/exclude still match DNs and names") {
  const char* yaml = R"(version: 1
name: nightly
sources:
  dir:
    type: ldap
    url: "ldap://x"
    base_dn: "ou=People,dc=x"
    groups: {base_dn: "ou=Groups,dc=x", nested: true}
mapping:
  externalId: "{dir.uid}"
  userName: "{dir.uid}"
groups:
  from: dir.groups
  exclude: ["cn=old-*"]
)";
  daoctl::sync::LoadOptions lo;
  lo.today = "2026-12-06";
  auto job = load_job(yaml, "sync.yaml", lo);
  REQUIRE(job);
  CHECK(job->warnings.empty());
  daoctl::hr::SourceRecord r;
  r.origin = "ldap://x/uid=a";
  r.field("uid").values = {"a"};
  r.field("dn").values = {"uid=a,ou=People,dc=x"};
  r.field("groups").values = {"cn=Dev,ou=Eng,ou=Groups,dc=x", "cn=Dev,ou=Sales,ou=Groups,dc=x",
                              "cn=old-team,ou=Groups,dc=x"};
  r.field(kGroupIdField).values = {"u-1", "u-2", "u-3"};
  r.field(kGroupNameField).values = {"Dev (Eng)", "Dev (Sales)", "old-team"};
  SourceRecords data;
  data["dir"] = {r};
  auto set = build_desired(*job, data);
  REQUIRE(set.users.size() == 1);
  CHECK(set.users[0].groups == std::vector<std::string>{"Dev (Eng)", "Dev (Sales)"});
  CHECK(set.users[0].group_keys == std::vector<std::string>{"u-1", "u-2"});
  CHECK(set.warnings.empty());

  // Nobody with any group: the plan is told, since every member would go.
  data["dir"][0].field("groups").values.clear();
  data["dir"][0].field(kGroupIdField).values.clear();
  data["dir"][0].field(kGroupNameField).values.clear();
  auto none = build_desired(*job, data);
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0].message.find("none of the 1 employees has a value in dir.groups") != std::string::npos);
}

TEST_CASE("validate warns about memberOf and about a group search nothing reads") {
  daoctl::sync::LoadOptions lo;
  lo.today = "2026-12-06";
  auto member_of = load_job(R"(version: 1
name: nightly
sources:
  dir: {type: ldap, url: "ldap://x", base_dn: "dc=x"}
mapping:
  externalId: "{dir.uid}"
  userName: "{dir.uid}"
groups:
  from: dir.memberOf
)", "sync.yaml", lo);
  REQUIRE(member_of);
  REQUIRE(member_of->warnings.size() == 1);
  CHECK(member_of->warnings[0].find("sync.yaml:9:9: groups.from reads dir.memberOf: direct memberships only") == 0);
  auto unused = load_job(R"(version: 1
name: nightly
sources:
  dir:
    type: ldap
    url: "ldap://x"
    base_dn: "dc=x"
    groups: {base_dn: "ou=Groups,dc=x"}
mapping:
  externalId: "{dir.uid}"
  userName: "{dir.uid}"
)", "sync.yaml", lo);
  REQUIRE(unused);
  REQUIRE(unused->warnings.size() == 1);
  CHECK(unused->warnings[0].find("sources.dir.groups searches the directory's groups, but no membership is read") !=
        std::string::npos);
}

namespace {
// A target that keeps group names unique, as the platform does (409).
struct UniqueNames : SyncTarget {
  std::map<std::string, std::string> name_of;  // id -> name
  std::vector<std::string> calls;
  daoctl::Result<PlatformState> read_state() override { return PlatformState{}; }
  daoctl::Result<std::string> create_department(const std::string&, const std::string&, const std::string&) override {
    return std::string("d");
  }
  daoctl::Status delete_department(const std::string&, const std::string&) override { return {}; }
  std::vector<daoctl::Result<std::string>> create_users(const std::vector<nlohmann::json>& r) override {
    return std::vector<daoctl::Result<std::string>>(r.size(), std::string("u"));
  }
  std::vector<daoctl::Status> patch_users(const std::vector<UserPatch>& p) override {
    return std::vector<daoctl::Status>(p.size());
  }
  std::vector<daoctl::Status> upload_photos(const std::vector<PhotoUpload>& u) override {
    return std::vector<daoctl::Status>(u.size());
  }
  daoctl::Result<std::string> create_group(const std::string& name, const std::string&) override {
    for (const auto& [id, n] : name_of)
      if (n == name) return daoctl::fail(daoctl::ErrorKind::Conflict, "taken", name);
    name_of["new"] = name;
    return std::string("new");
  }
  daoctl::Status update_group(const std::string& id, const std::string&, const std::string& name,
                              const std::string&) override {
    for (const auto& [other, n] : name_of)
      if (n == name && other != id) return daoctl::fail(daoctl::ErrorKind::Conflict, "taken", name);
    name_of[id] = name;
    calls.push_back(id + "=" + name);
    return {};
  }
  daoctl::Status change_group_members(const std::string&, const std::string&, const std::vector<std::string>&,
                                      const std::vector<std::string>&) override {
    return {};
  }
};
}  // namespace

TEST_CASE("groups that swap names in the directory swap on the platform") {
  std::vector<DesiredUser> d = {member("alice", {{"uuid-1", "Blue"}, {"uuid-2", "Red"}, {"uuid-3", "Green"}})};
  PlatformState s;
  s.users = {account("1", "alice")};
  s.groups = {group("g1", "Red", group_external_id("daoctl:nightly", "uuid-1"), {"1"}),
              group("g2", "Blue", group_external_id("daoctl:nightly", "uuid-2"), {"1"}),
              group("g3", "Grey", group_external_id("daoctl:nightly", "uuid-3"), {"1"})};
  auto plan = compute_plan(d, s, options());
  CHECK(actions(plan) ==
        std::vector<std::string>{"rename Blue (was Red)", "rename Green (was Grey)", "rename Red (was Blue)"});
  UniqueNames target;
  target.name_of = {{"g1", "Red"}, {"g2", "Blue"}, {"g3", "Grey"}};
  ApplyOptions ao;
  ao.managed_by = "daoctl:nightly";
  auto report = apply_plan(plan, s, target, ao);
  CHECK(report.failed == 0);
  CHECK(target.name_of == std::map<std::string, std::string>{{"g1", "Blue"}, {"g2", "Red"}, {"g3", "Green"}});
  CHECK(target.calls.size() == 4);  // one of the swapping pair went aside first
}

TEST_CASE("a new directory group may take the name another group is renamed away from") {
  std::vector<DesiredUser> d = {member("alice", {{"uuid-1", "Dev (Engineering)"}, {"uuid-2", "Dev"}})};
  PlatformState s;
  s.users = {account("1", "alice")};
  s.groups = {group("g1", "Dev", group_external_id("daoctl:nightly", "uuid-1"), {"1"})};
  auto plan = compute_plan(d, s, options());
  CHECK(actions(plan) ==
        std::vector<std::string>{"add_members Dev alice", "create Dev", "rename Dev (Engineering) (was Dev)"});
  UniqueNames target;
  target.name_of = {{"g1", "Dev"}};
  ApplyOptions ao;
  ao.managed_by = "daoctl:nightly";
  CHECK(apply_plan(plan, s, target, ao).failed == 0);
  CHECK(target.name_of == std::map<std::string, std::string>{{"g1", "Dev (Engineering)"}, {"new", "Dev"}});
}
