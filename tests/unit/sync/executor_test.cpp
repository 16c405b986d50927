#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "core/sync/executor.hpp"

using namespace daoctl::sync;
using daoctl::ErrorKind;
using daoctl::fail;
using daoctl::Result;
using daoctl::mapping::Value;
using nlohmann::json;

namespace {

// Records every call in order; fails what it is told to.
class FakeTarget final : public SyncTarget {
 public:
  std::vector<std::string> calls;
  std::vector<json> created_users;
  std::vector<UserPatch> patches;
  std::set<std::string> fail_departments, fail_users;
  std::vector<PhotoUpload> photo_uploads;
  std::map<std::string, std::string> photo_bodies;  // user id -> bytes uploaded
  std::set<std::string> reject_photos;              // user ids answered 415
  int next_id = 100;

  daoctl::Result<PlatformState> read_state() override { return PlatformState{}; }
  daoctl::Result<std::string> create_department(const std::string& name, const std::string& parent,
                                                const std::string& ext) override {
    calls.push_back("dept " + name + " parent=" + parent + " ext=" + ext);
    if (fail_departments.count(name))
      return daoctl::fail(daoctl::ErrorKind::Remote, "cannot create department", "department " + name, "boom");
    return std::to_string(next_id++);
  }
  daoctl::Status delete_department(const std::string& id, const std::string& path) override {
    calls.push_back("delete dept " + id + " " + path);
    return {};
  }
  std::vector<daoctl::Result<std::string>> create_users(const std::vector<json>& resources) override {
    std::vector<daoctl::Result<std::string>> out;
    for (const auto& r : resources) {
      calls.push_back("create user " + r["userName"].get<std::string>());
      created_users.push_back(r);
      if (fail_users.count(r["userName"]))
        out.push_back(daoctl::fail(daoctl::ErrorKind::Validation, "cannot create user", "user x", "422"));
      else
        out.push_back(std::to_string(next_id++));
    }
    return out;
  }
  std::vector<daoctl::Status> patch_users(const std::vector<UserPatch>& ps) override {
    std::vector<daoctl::Status> out;
    for (const auto& p : ps) {
      calls.push_back("patch " + p.id + " " + p.object);
      patches.push_back(p);
      out.emplace_back();
    }
    return out;
  }
  std::vector<daoctl::Status> upload_photos(const std::vector<PhotoUpload>& uploads) override {
    std::vector<daoctl::Status> out;
    for (const auto& u : uploads) {
      calls.push_back("photo " + u.id + " " + u.content_type);
      photo_uploads.push_back(u);
      photo_bodies[u.id] = std::string(u.bytes);
      if (reject_photos.count(u.id))
        out.push_back(daoctl::fail(daoctl::ErrorKind::Remote, "PUT /api/v1/users/" + u.id + "/photo failed with 415",
                                   u.object, "the body is not a JPEG or PNG image by its content"));
      else
        out.emplace_back();
    }
    return out;
  }
  daoctl::Result<std::string> create_group(const std::string& name, const std::string& ext) override {
    calls.push_back("create group " + name + " ext=" + ext);
    return std::to_string(next_id++);
  }
  daoctl::Status change_group_members(const std::string& id, const std::string& name,
                                      const std::vector<std::string>& add,
                                      const std::vector<std::string>& remove) override {
    std::string s = "members " + name + "(" + id + ")";
    for (const auto& a : add) s += " +" + a;
    for (const auto& r : remove) s += " -" + r;
    calls.push_back(s);
    return {};
  }
};

UserAction create(std::string ext, std::string name, std::vector<FieldChange> changes) {
  UserAction a;
  a.kind = UserActionKind::Create;
  a.external_id = std::move(ext);
  a.user_name = std::move(name);
  a.changes = std::move(changes);
  return a;
}

ApplyOptions opts() {
  ApplyOptions o;
  o.managed_by = "daoctl:nightly";
  return o;
}

}  // namespace

TEST_CASE("apply runs departments, users, managers and groups in dependency order") {
  SyncPlan plan;
  plan.departments = {{DepartmentAction::Kind::Create, "Company", "Company", "", ""},
                      {DepartmentAction::Kind::Create, "Company/IT", "IT", "Company", ""}};
  plan.users = {create("boss", "boss", {{"active", Value(), Value(true)}}),
                create("w1", "worker", {{"department", Value(), Value("Company/IT")},
                                        {"title", Value(), Value("Dev")}})};
  plan.managers = {{"w1", "", "", "boss", ""}};
  plan.groups = {{GroupAction::Kind::Create, "admins", "", {}},
                 {GroupAction::Kind::AddMembers, "admins", "", {"w1", "boss"}}};
  FakeTarget target;
  std::vector<ItemOutcome> seen;
  auto o = opts();
  o.on_item = [&](const ItemOutcome& i) { seen.push_back(i); };
  auto report = apply_plan(plan, PlatformState{}, target, o);
  CHECK(report.failed == 0);
  CHECK(report.succeeded == 7);
  CHECK(seen.size() == 7);
  std::vector<std::string> expected = {
      "dept Company parent= ext=daoctl:nightly:Company",
      "dept IT parent=100 ext=daoctl:nightly:Company/IT",
      "create user boss",
      "create user worker",
      "patch 103 manager of w1",
      "create group admins ext=daoctl:nightly:group:admins",
      "members admins(104) +103 +102",
  };
  CHECK(target.calls == expected);
  const json& worker = target.created_users[1];
  CHECK(worker["urn:daoffice:scim:schemas:extension:profile:1.0:User"]["departmentId"] == "101");
  CHECK(worker["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"] == "IT");
  CHECK(worker["urn:daoffice:scim:schemas:extension:profile:1.0:User"]["managedBy"] == "daoctl:nightly");
  CHECK(worker["title"] == "Dev");
  CHECK(target.patches[0].operations[0]["value"]["value"] == "102");
}

TEST_CASE("a failed item fails only what depends on it") {
  SyncPlan plan;
  plan.departments = {{DepartmentAction::Kind::Create, "Sales", "Sales", "", ""},
                      {DepartmentAction::Kind::Create, "Sales/East", "East", "Sales", ""}};
  plan.users = {create("a", "in-sales", {{"department", Value(), Value("Sales/East")}}),
                create("b", "elsewhere", {}), create("c", "rejected", {})};
  plan.managers = {{"b", "", "", "c", ""}};
  FakeTarget target;
  target.fail_departments = {"Sales"};
  target.fail_users = {"rejected"};
  auto report = apply_plan(plan, PlatformState{}, target, opts());
  CHECK(report.succeeded == 1);  // only "elsewhere"
  CHECK(report.failed == 5);
  auto find = [&](const std::string& object) -> const ItemOutcome* {
    for (const auto& i : report.items)
      if (i.object == object) return &i;
    return nullptr;
  };
  REQUIRE(find("department Sales/East"));
  CHECK(find("department Sales/East")->error == "parent department Sales was not created");
  REQUIRE(find("user in-sales"));
  CHECK(find("user in-sales")->error.find("department Sales/East is missing") == 0);
  REQUIRE(find("manager of b"));
  CHECK(find("manager of b")->error == "manager c does not exist (its creation failed)");
}

TEST_CASE("patch operations: fields, removal, department, deactivation") {
  UserAction a;
  a.kind = UserActionKind::Deactivate;
  a.id = "5";
  a.changes = {{"title", Value("Dev"), Value()},
               {"email", Value("a@x"), Value("b@x")},
               {"department", Value("A"), Value("Company/B")},
               {"employeeNumber", Value(), Value("42")}};
  json ops = patch_operations(a, TargetKind::Platform, "9");
  json expected = json::parse(R"([
    {"op": "remove", "path": "title"},
    {"op": "replace", "path": "emails", "value": [{"value": "b@x", "type": "work", "primary": true}]},
    {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "B"},
    {"op": "replace", "path": "urn:daoffice:scim:schemas:extension:profile:1.0:User:departmentId", "value": "9"},
    {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "42"},
    {"op": "replace", "path": "active", "value": false}
  ])");
  CHECK(ops == expected);
  json scim_ops = patch_operations(a, TargetKind::Scim, "");
  for (const auto& op : scim_ops) CHECK(op["path"].get<std::string>().find("profile") == std::string::npos);
}

namespace {
const std::string kJpeg("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00jpeg-one", 20);
const std::string kPng("\x89PNG\r\n\x1a\npng-two", 15);
const std::string kGif("GIF89a-three");

PhotoChange photo(std::string ext, std::string name, std::string id, const std::string& bytes) {
  return {std::move(ext), std::move(id), std::move(name), "", photo_sha256(bytes), static_cast<long>(bytes.size())};
}
}  // namespace

TEST_CASE("photos upload after users and managers with the type their bytes are") {
  SyncPlan plan;
  plan.users = {create("n1", "newcomer", {{"active", Value(), Value(true)}})};
  plan.photos = {photo("n1", "newcomer", "", kJpeg), photo("e1", "existing", "7", kPng)};
  plan.groups = {{GroupAction::Kind::Create, "staff", "", {}}};
  std::map<std::string, std::string> bytes = {{"n1", kJpeg}, {"e1", kPng}};
  FakeTarget target;
  auto o = opts();
  o.photo_bytes = [&](const std::string& ext) -> Result<std::string> {
    auto it = bytes.find(ext);
    if (it == bytes.end()) return fail(ErrorKind::NotFound, "not read");
    return it->second;
  };
  std::vector<ItemOutcome> seen;
  o.on_item = [&](const ItemOutcome& i) { seen.push_back(i); };
  auto report = apply_plan(plan, PlatformState{}, target, o);
  CHECK(report.failed == 0);
  CHECK(report.succeeded == 4);
  std::vector<std::string> expected = {"create user newcomer", "photo 100 image/jpeg", "photo 7 image/png",
                                       "create group staff ext=daoctl:nightly:group:staff"};
  CHECK(target.calls == expected);
  CHECK(target.photo_bodies["100"] == kJpeg);
  CHECK(target.photo_bodies["7"] == kPng);
  REQUIRE(seen.size() == 4);
  CHECK(seen[1].phase == "photos");
  CHECK(seen[1].action == "upload");
  CHECK(seen[1].object == "photo of user newcomer");
  CHECK(seen[1].id == "100");
}

TEST_CASE("a rejected or unavailable photo fails alone and the run goes on") {
  SyncPlan plan;
  plan.users = {create("gone", "failed-create", {})};
  plan.photos = {photo("gone", "failed-create", "", kJpeg), photo("g", "gif-user", "5", kGif),
                 photo("ok", "fine", "6", kJpeg), photo("changed", "edited", "8", kJpeg),
                 photo("missing", "no-bytes", "9", kJpeg)};
  plan.groups = {{GroupAction::Kind::Create, "staff", "", {}}};
  std::map<std::string, std::string> bytes = {{"gone", kJpeg}, {"g", kGif}, {"ok", kJpeg}, {"changed", kPng}};
  FakeTarget target;
  target.fail_users = {"failed-create"};
  target.reject_photos = {"5"};
  auto o = opts();
  o.photo_bytes = [&](const std::string& ext) -> Result<std::string> {
    auto it = bytes.find(ext);
    if (it == bytes.end()) return fail(ErrorKind::NotFound, "not read");
    return it->second;
  };
  auto report = apply_plan(plan, PlatformState{}, target, o);
  auto find = [&](const std::string& object) -> const ItemOutcome* {
    for (const auto& i : report.items)
      if (i.object == object) return &i;
    return nullptr;
  };
  CHECK(report.succeeded == 2);  // "fine" and the group
  CHECK(report.failed == 5);
  REQUIRE(find("photo of user failed-create"));
  CHECK(find("photo of user failed-create")->error == "user failed-create does not exist (its creation failed)");
  REQUIRE(find("photo of user gif-user"));
  CHECK_FALSE(find("photo of user gif-user")->ok);
  CHECK(find("photo of user gif-user")->error.find("415") != std::string::npos);
  CHECK(find("photo of user fine")->ok);
  CHECK(find("photo of user edited")->error.find("changed since the plan was made") != std::string::npos);
  CHECK(find("photo of user no-bytes")->error.find("were not read in this run") != std::string::npos);
  // The GIF went out as what it is, so the platform's 415 names it.
  CHECK(target.photo_uploads[0].content_type == "image/gif");
  CHECK(target.calls.back() == "create group staff ext=daoctl:nightly:group:staff");
}

TEST_CASE("a photo that cannot be read back fails alone with the reason") {
  SyncPlan plan;
  plan.photos = {photo("a", "unreadable", "1", kJpeg), photo("b", "fine", "2", kJpeg)};
  FakeTarget target;
  auto o = opts();
  o.photo_bytes = [&](const std::string& ext) -> Result<std::string> {
    if (ext == "a") return fail(ErrorKind::Io, "cannot read the photo spool", "spool", "Input/output error");
    return std::string(kJpeg);
  };
  auto report = apply_plan(plan, PlatformState{}, target, o);
  CHECK(report.succeeded == 1);
  REQUIRE(report.failed == 1);
  const ItemOutcome& bad = report.items[0].ok ? report.items[1] : report.items[0];
  CHECK(bad.object == "photo of user unreadable");
  CHECK(bad.error == "cannot read the photo spool: Input/output error");
  CHECK(target.photo_bodies["2"] == kJpeg);
}

namespace {
UserAction change(UserActionKind kind, std::string id, std::string name) {
  UserAction a;
  a.kind = kind;
  a.id = std::move(id);
  a.external_id = "ext-" + a.id;
  a.user_name = std::move(name);
  return a;
}
}  // namespace

TEST_CASE("a block's intent is recorded before the batch that carries it is sent") {
  SyncPlan plan;
  plan.users = {change(UserActionKind::Update, "1", "stays"), change(UserActionKind::Deactivate, "2", "leaver"),
                change(UserActionKind::Reactivate, "3", "back"), change(UserActionKind::Deactivate, "4", "leaver2")};
  plan.users[0].changes = {{"title", Value("a"), Value("b")}};
  FakeTarget target;
  auto o = opts();
  std::vector<std::string> recorded;
  std::size_t sent_before_record = 0;
  o.before_deactivate = [&](const std::vector<const UserAction*>& blocks) -> daoctl::Status {
    sent_before_record = target.calls.size();
    for (const auto* a : blocks) recorded.push_back(a->id);
    return {};
  };
  auto report = apply_plan(plan, PlatformState{}, target, o);
  CHECK(report.failed == 0);
  CHECK(recorded == std::vector<std::string>{"2", "4"});  // only blocks, in plan order
  CHECK(sent_before_record == 0);                         // nothing of the batch was sent yet
  CHECK(target.patches.size() == 4);
}

TEST_CASE("a block whose intent cannot be recorded is not sent, the rest of the batch is") {
  SyncPlan plan;
  plan.users = {change(UserActionKind::Deactivate, "2", "leaver"), change(UserActionKind::Reactivate, "3", "back")};
  FakeTarget target;
  auto o = opts();
  o.before_deactivate = [](const std::vector<const UserAction*>&) -> daoctl::Status {
    return daoctl::fail(daoctl::ErrorKind::Io, "cannot write", "/state/job.deprovision.json", "No space left on device");
  };
  auto report = apply_plan(plan, PlatformState{}, target, o);
  CHECK(report.failed == 1);
  CHECK(report.succeeded == 1);
  REQUIRE(target.patches.size() == 1);
  CHECK(target.patches[0].id == "3");
  const ItemOutcome* blocked = nullptr;
  for (const auto& i : report.items)
    if (i.id == "2") blocked = &i;
  REQUIRE(blocked);
  CHECK_FALSE(blocked->ok);
  CHECK(blocked->error.find("not sent: the intent could not be recorded") == 0);
  CHECK(blocked->error.find("No space left on device") != std::string::npos);
}
