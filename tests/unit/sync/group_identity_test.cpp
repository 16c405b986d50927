// Directory groups known by their stable id (a group search gives each
// desired user the entryUUID/objectGUID of its groups): two groups with one
// name stay two, a renamed group is renamed with its members, a group this
// job made by name before is taken over once, a foreign group of the same
// name is never touched, and a plan round-trips through JSON.
#include <catch2/catch.hpp>

#include "core/sync/executor.hpp"
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
