#include <catch2/catch.hpp>

#include "core/sync/plan.hpp"
#include "memory_photo_store.hpp"

using namespace daoctl::sync;
using daoctl::mapping::Value;

namespace {

DesiredUser want(std::string ext, std::string name, Fields fields = {}, bool active = true) {
  DesiredUser d;
  d.external_id = std::move(ext);
  d.user_name = std::move(name);
  d.fields = std::move(fields);
  d.active = active;
  d.origin = "test";
  return d;
}

PlatformUser have(std::string id, std::string ext, std::string name, Fields fields = {},
                  bool active = true, std::string managed_by = "daoctl:nightly") {
  PlatformUser u;
  u.id = std::move(id);
  u.external_id = std::move(ext);
  u.user_name = std::move(name);
  u.fields = std::move(fields);
  u.fields["active"] = active;
  u.active = active;
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

TEST_CASE("an identical platform gives an empty plan") {
  std::vector<DesiredUser> d = {want("g1", "ivanov", {{"email", Value("ivanov@corp.example")},
                                                       {"title", Value("Engineer")}})};
  PlatformState s;
  s.users = {have("1", "g1", "ivanov", {{"email", Value("Ivanov@Corp.Example")}, {"title", Value("Engineer")}})};
  auto plan = compute_plan(d, s, options());
  CHECK_FALSE(plan.has_changes());
  CHECK(plan.unchanged_users == 1);
  CHECK(plan.managed_users == 1);
  CHECK(plan.warnings.empty());
}

TEST_CASE("new, changed, disabled and re-enabled employees become the right actions") {
  std::vector<DesiredUser> d = {
      want("g1", "new.user", {{"title", Value("QA")}}),
      want("g2", "changed", {{"title", Value("Lead")}}),
      want("g3", "leaver", {}, /*active=*/false),
      want("g4", "returner", {}, /*active=*/true),
  };
  PlatformState s;
  s.users = {have("2", "g2", "changed", {{"title", Value("Engineer")}}), have("3", "g3", "leaver"),
             have("4", "g4", "returner", {}, /*active=*/false)};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.users.size() == 4);
  CHECK(find_user(plan, "g1")->kind == UserActionKind::Create);
  const auto* changed = find_user(plan, "g2");
  CHECK(changed->kind == UserActionKind::Update);
  REQUIRE(changed->changes.size() == 1);
  CHECK(changed->changes[0].field == "title");
  CHECK(changed->changes[0].before == Value("Engineer"));
  CHECK(changed->changes[0].after == Value("Lead"));
  CHECK(find_user(plan, "g3")->kind == UserActionKind::Deactivate);
  CHECK(find_user(plan, "g3")->reason == "disabled in the sources");
  CHECK(find_user(plan, "g4")->kind == UserActionKind::Reactivate);
  CHECK(plan.count(UserActionKind::Deactivate) == 1);
}

TEST_CASE("department paths create every missing level, parents first") {
  std::vector<DesiredUser> d = {want("g1", "a", {{"department", Value("Company / IT / Backend")}}),
                                want("g2", "b", {{"department", Value("Company/Sales")}})};
  PlatformState s;
  s.departments = {{"10", "Company", "", "Company", "", "1", 0}};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.departments.size() == 3);
  CHECK(plan.departments[0].path == "Company/IT");
  CHECK(plan.departments[0].parent_path == "Company");
  CHECK(plan.departments[1].path == "Company/Sales");
  CHECK(plan.departments[2].path == "Company/IT/Backend");
  CHECK(plan.departments[2].name == "Backend");
  const auto* a = find_user(plan, "g1");
  REQUIRE(a != nullptr);
  bool has_path = false;
  for (const auto& c : a->changes) has_path |= c.field == "department" && c.after == Value("Company/IT/Backend");
  CHECK(has_path);
}

TEST_CASE("a userName owned by an unmanaged account is a collision, never a guess") {
  std::vector<DesiredUser> d = {want("g1", "admin")};
  PlatformState s;
  s.users = {have("1", "", "Admin", {}, true, "")};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.users.empty());
  REQUIRE(plan.collisions.size() == 1);
  REQUIRE(plan.collisions[0].parties.size() == 2);
  CHECK(plan.collisions[0].parties[0].id == "1");
  CHECK(plan.collisions[0].parties[0].outcome == "holds");
  CHECK(plan.collisions[0].parties[0].origin.find("link: {by: [userName]} adopts it") != std::string::npos);
  CHECK(plan.collisions[0].parties[1].outcome == "left_out");
}

TEST_CASE("first-time linking by email adopts exactly one match and reports ambiguity") {
  auto o = options();
  o.link_by = {"email"};
  std::vector<DesiredUser> d = {want("g1", "ivanov", {{"email", Value("ivanov@corp.example")}}),
                                want("g2", "petrov", {{"email", Value("petrov@corp.example")}})};
  PlatformState s;
  s.users = {have("1", "", "ivanov", {{"email", Value("IVANOV@corp.example")}}, true, ""),
             have("2", "", "petrov1", {{"email", Value("petrov@corp.example")}}, true, ""),
             have("3", "", "petrov2", {{"email", Value("petrov@corp.example")}}, true, "")};
  auto plan = compute_plan(d, s, o);
  const auto* linked = find_user(plan, "g1");
  REQUIRE(linked != nullptr);
  CHECK(linked->kind == UserActionKind::Link);
  CHECK(linked->id == "1");
  CHECK(linked->changes.front().field == "externalId");
  CHECK(find_user(plan, "g2") == nullptr);
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].message.find("several platform accounts match") != std::string::npos);
}

TEST_CASE("managed accounts missing from the sources are only blocked when configured") {
  std::vector<DesiredUser> d = {want("g1", "stays")};
  PlatformState s;
  s.users = {have("1", "g1", "stays"), have("2", "g2", "gone"),
             have("3", "x", "not-ours", {}, true, "someone-else")};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.users.empty());
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].message.find("1 managed account(s) are missing") != std::string::npos);

  auto o = options();
  o.deactivate_missing = true;
  auto strict = compute_plan(d, s, o);
  REQUIRE(strict.users.size() == 1);
  CHECK(strict.users[0].id == "2");
  CHECK(strict.users[0].kind == UserActionKind::Deactivate);
  CHECK(strict.users[0].reason == "missing from the sources");
}

TEST_CASE("managers resolve by external id, including users created in the same run") {
  std::vector<DesiredUser> d = {want("boss", "boss"), want("g1", "worker", {{"manager", Value("boss")}}),
                                want("g2", "other", {{"manager", Value("nobody")}})};
  PlatformState s;
  s.users = {have("7", "g1", "worker")};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.managers.size() == 1);
  CHECK(plan.managers[0].external_id == "g1");
  CHECK(plan.managers[0].user_id == "7");
  CHECK(plan.managers[0].after_external_id == "boss");
  CHECK(plan.managers[0].after_id.empty());  // created by this run
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].message.find("manager 'nobody'") != std::string::npos);
}

TEST_CASE("group membership adds wanted members and removes only managed ones") {
  auto o = options();
  o.manage_groups = true;
  DesiredUser a = want("g1", "a");
  a.groups = {"intranet-admins"};
  DesiredUser b = want("g2", "b");
  b.groups = {"intranet-new"};
  PlatformState s;
  s.users = {have("1", "g1", "a"), have("2", "g2", "b"), have("3", "g3", "gone-from-group"),
             have("9", "", "manual", {}, true, "")};
  s.groups = {{"50", "intranet-admins", "", "W/\"1\"", {"3", "9"}}};
  auto plan = compute_plan({a, b}, s, o);
  bool created = false, added = false, removed = false;
  for (const auto& g : plan.groups) {
    if (g.kind == GroupAction::Kind::Create) created = g.name == "intranet-new";
    if (g.kind == GroupAction::Kind::AddMembers && g.name == "intranet-admins")
      added = g.members == std::vector<std::string>{"g1"};
    if (g.kind == GroupAction::Kind::RemoveMembers)
      removed = g.members == std::vector<std::string>{"3"};  // "9" was added by hand: kept
  }
  CHECK(created);
  CHECK(added);
  CHECK(removed);
}

TEST_CASE("plan JSON round-trips and its hash detects edits") {
  std::vector<DesiredUser> d = {want("g1", "ivanov", {{"title", Value("QA")}, {"skills", Value(daoctl::mapping::List{"C++", "SQL"})}})};
  PlatformState s;
  auto plan = compute_plan(d, s, options());
  plan.created_at = "2026-11-26T00:00:00Z";
  auto doc = plan.to_json();
  auto back = SyncPlan::from_json(doc);
  REQUIRE(back);
  CHECK(back->hash() == plan.hash());
  CHECK(back->to_json() == doc);
  CHECK(doc["summary"]["users"]["create"] == 1);

  doc["users"][0]["userName"] = "someone-else";
  auto edited = SyncPlan::from_json(doc);
  REQUIRE_FALSE(edited);
  CHECK(edited.error().message == "the plan file was edited after it was made");
}

TEST_CASE("each planned user names its department, which the hash covers, and older plans keep their hash") {
  std::vector<DesiredUser> d = {want("g1", "ivanov", {{"department", Value("Company/IT")}, {"title", Value("QA")}}),
                                want("g2", "petrov", {{"department", Value("Company/Sales")}, {"title", Value("Lead")}})};
  PlatformState s;
  s.users = {have("1", "g2", "petrov", {{"department", Value("Company/Sales")}, {"title", Value("Dev")}}),
             have("2", "g3", "sidorov", {{"department", Value("Company/Old")}})};
  auto o = options();
  o.deactivate_missing = true;
  auto plan = compute_plan(d, s, o);
  REQUIRE(find_user(plan, "g1"));
  CHECK(find_user(plan, "g1")->department == "Company/IT");     // created
  CHECK(find_user(plan, "g2")->department == "Company/Sales");  // updated, department unchanged
  REQUIRE(find_user(plan, "g3"));
  CHECK(find_user(plan, "g3")->kind == UserActionKind::Deactivate);
  CHECK(find_user(plan, "g3")->department == "Company/Old");  // missing: the platform's department
  auto doc = plan.to_json();
  CHECK(doc["users"][1]["department"].is_string());
  auto back = SyncPlan::from_json(doc);
  REQUIRE(back);
  CHECK(back->hash() == plan.hash());

  auto edited_doc = doc;
  edited_doc["users"][0]["department"] = "Company/Elsewhere";
  CHECK_FALSE(SyncPlan::from_json(edited_doc));

  // A plan saved before users named their department: the same hash as then.
  auto old = plan;
  for (auto& u : old.users) u.department.clear();
  auto old_doc = old.to_json();
  CHECK_FALSE(old_doc["users"][0].contains("department"));
  auto old_back = SyncPlan::from_json(old_doc);
  REQUIRE(old_back);
  CHECK(old_back->hash() == old.hash());
  CHECK(old.hash() != plan.hash());
}

TEST_CASE("the platform fingerprint changes when any object's version changes") {
  PlatformState s;
  s.users = {have("1", "g1", "a")};
  auto before = s.fingerprint();
  s.users[0].version = "W/\"2\"";
  CHECK(s.fingerprint() != before);
  CHECK(before.rfind("sha256:", 0) == 0);
}

namespace {
const std::string kPhotoA("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00photo-a", 19);
const std::string kPhotoB("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00photo-b-longer", 26);

PlatformUser with_photo(PlatformUser u, const std::string& bytes) {
  u.photo_sha256 = photo_sha256(bytes);
  return u;
}
}  // namespace

TEST_CASE("photos are planned by sha256: new and changed ones upload and equal ones do not") {
  std::vector<DesiredUser> d = {
      want("g1", "same", {{"photo", Value(kPhotoA)}}),
      want("g2", "changed", {{"photo", Value(kPhotoB)}}),
      want("g3", "first-photo", {{"photo", Value(daoctl::mapping::List{kPhotoA, kPhotoB})}}),
  };
  PlatformState s;
  s.users = {with_photo(have("1", "g1", "same"), kPhotoA), with_photo(have("2", "g2", "changed"), kPhotoA),
             have("3", "g3", "first-photo")};
  auto plan = compute_plan(d, s, options());
  CHECK(plan.users.empty());  // a photo is not a user attribute change
  CHECK(plan.unchanged_users == 3);
  REQUIRE(plan.photos.size() == 2);
  CHECK(plan.has_changes());
  const PhotoChange& changed = plan.photos[0];
  CHECK(changed.external_id == "g2");
  CHECK(changed.user_id == "2");
  CHECK(changed.user_name == "changed");
  CHECK(changed.before_sha256 == photo_sha256(kPhotoA));
  CHECK(changed.after_sha256 == photo_sha256(kPhotoB));
  CHECK(changed.after_size == static_cast<long>(kPhotoB.size()));
  const PhotoChange& first = plan.photos[1];
  CHECK(first.external_id == "g3");
  CHECK(first.before_sha256.empty());
  CHECK(first.after_sha256 == photo_sha256(kPhotoA));  // the first value of a multi-valued attribute
  CHECK(plan.summary_json()["photos"]["upload"] == 2);
  CHECK(photo_sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("an empty or absent desired photo leaves the platform photo alone") {
  std::vector<DesiredUser> d = {want("g1", "absent", {}), want("g2", "empty", {{"photo", Value("")}}),
                                want("g3", "null", {{"photo", Value()}})};
  PlatformState s;
  s.users = {with_photo(have("1", "g1", "absent"), kPhotoA), with_photo(have("2", "g2", "empty"), kPhotoA),
             have("3", "g3", "null")};
  auto plan = compute_plan(d, s, options());
  CHECK_FALSE(plan.has_changes());
  CHECK(plan.photos.empty());
}

TEST_CASE("a user created with a photo gets it uploaded after the create and never inside it") {
  std::vector<DesiredUser> d = {want("g1", "newcomer", {{"photo", Value(kPhotoA)}, {"title", Value("QA")}})};
  auto plan = compute_plan(d, PlatformState{}, options());
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].kind == UserActionKind::Create);
  for (const auto& c : plan.users[0].changes) CHECK(c.field != "photo");
  REQUIRE(plan.photos.size() == 1);
  CHECK(plan.photos[0].user_id.empty());
  CHECK(plan.photos[0].external_id == "g1");
  // Binary bytes never reach the JSON document (dump would throw on them).
  CHECK_NOTHROW(plan.to_json().dump());
}

TEST_CASE("a scim target plans no photos and conflicting users get none") {
  std::vector<DesiredUser> d = {want("g1", "ivanov", {{"photo", Value(kPhotoA)}}),
                                want("g2", "taken", {{"photo", Value(kPhotoA)}})};
  PlatformState s;
  s.users = {have("1", "g1", "ivanov"), have("9", "", "taken", {}, true, "")};
  auto scim = options();
  scim.target = TargetKind::Scim;
  CHECK(compute_plan(d, s, scim).photos.empty());
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.photos.size() == 1);  // "taken" belongs to an unmanaged account
  CHECK(plan.photos[0].external_id == "g1");
}

TEST_CASE("photo changes round-trip through plan JSON and are part of the hash") {
  std::vector<DesiredUser> d = {want("g1", "ivanov", {{"photo", Value(kPhotoB)}}),
                                want("g2", "new", {{"photo", Value(kPhotoA)}})};
  PlatformState s;
  s.users = {with_photo(have("1", "g1", "ivanov"), kPhotoA)};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.photos.size() == 2);
  auto j = plan.to_json();
  REQUIRE(j["photos"].size() == 2);
  CHECK(j["photos"][0] == nlohmann::json::parse(R"({"externalId": "g1", "userName": "ivanov", "id": "1",
      "before_sha256": ")" + photo_sha256(kPhotoA) + R"(", "after_sha256": ")" + photo_sha256(kPhotoB) +
                                                 R"(", "after_size": 26})"));
  CHECK(j["photos"][1]["before_sha256"].is_null());
  CHECK(j["summary"]["photos"]["upload"] == 2);
  auto back = SyncPlan::from_json(j);
  REQUIRE(back);
  REQUIRE(back->photos.size() == 2);
  CHECK(back->photos[0].after_sha256 == plan.photos[0].after_sha256);
  CHECK(back->photos[1].before_sha256.empty());
  CHECK(back->hash() == plan.hash());
  auto edited = j;
  edited["photos"][0]["after_sha256"] = photo_sha256("something else");
  CHECK_FALSE(SyncPlan::from_json(edited));
  auto old_plan = j;  // a plan saved before photos were synced
  old_plan.erase("photos");
  old_plan.erase("hash");
  auto read_old = SyncPlan::from_json(old_plan);
  REQUIRE(read_old);
  CHECK(read_old->photos.empty());
}

TEST_CASE("take_photo_bytes moves out only the planned photos") {
  std::vector<DesiredUser> d = {want("g1", "changes", {{"photo", Value(kPhotoB)}}),
                                want("g2", "same", {{"photo", Value(kPhotoA)}})};
  PlatformState s;
  s.users = {have("1", "g1", "changes"), with_photo(have("2", "g2", "same"), kPhotoA)};
  auto plan = compute_plan(d, s, options());
  auto bytes = take_photo_bytes(plan, d);
  REQUIRE(bytes.size() == 1);
  CHECK(bytes.at("g1").bytes == kPhotoB);
  CHECK_FALSE(bytes.at("g1").stored);
  CHECK(d[0].fields.at("photo").is_null());       // held once, by the map
  CHECK(d[1].fields.at("photo") == Value(kPhotoA));  // unchanged photos are not kept
}

TEST_CASE("a user deactivated by the plan gets no new photo") {
  std::vector<DesiredUser> d = {want("g1", "leaver", {{"photo", Value(kPhotoB)}}, /*active=*/false),
                                want("g2", "stayer", {{"photo", Value(kPhotoB)}})};
  PlatformState s;
  s.users = {with_photo(have("1", "g1", "leaver"), kPhotoA), with_photo(have("2", "g2", "stayer"), kPhotoA)};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].kind == UserActionKind::Deactivate);
  REQUIRE(plan.photos.size() == 1);
  CHECK(plan.photos[0].external_id == "g2");
}

TEST_CASE("photos kept in a store are planned by their digest and handed over by reference") {
  testing::MemoryPhotoStore store;
  auto stored = [&](const std::string& bytes) {
    auto p = store.put(bytes);
    REQUIRE(p);
    return *p;
  };
  std::vector<DesiredUser> d = {want("g1", "changes", {}), want("g2", "same", {}), want("g3", "newcomer", {})};
  d[0].stored_photo = stored(kPhotoB);
  d[1].stored_photo = stored(kPhotoA);
  d[2].stored_photo = stored(kPhotoA);
  PlatformState s;
  s.users = {with_photo(have("1", "g1", "changes"), kPhotoA), with_photo(have("2", "g2", "same"), kPhotoA)};
  auto plan = compute_plan(d, s, options());
  REQUIRE(plan.photos.size() == 2);
  CHECK(plan.photos[0].external_id == "g1");
  CHECK(plan.photos[0].after_sha256 == photo_sha256(kPhotoB));
  CHECK(plan.photos[0].before_sha256 == photo_sha256(kPhotoA));
  CHECK(plan.photos[0].after_size == static_cast<long>(std::string(kPhotoB).size()));
  CHECK(plan.photos[1].external_id == "g3");
  CHECK(plan.photos[1].before_sha256.empty());
  // The same plan as with the bytes in memory.
  std::vector<DesiredUser> in_memory = {want("g1", "changes", {{"photo", Value(kPhotoB)}}),
                                        want("g2", "same", {{"photo", Value(kPhotoA)}}),
                                        want("g3", "newcomer", {{"photo", Value(kPhotoA)}})};
  CHECK(compute_plan(in_memory, s, options()).hash() == plan.hash());

  auto held = take_photo_bytes(plan, d);
  REQUIRE(held.size() == 2);
  CHECK(held.at("g1").bytes.empty());
  REQUIRE(held.at("g1").stored);
  CHECK(store.get(*held.at("g1").stored).value() == kPhotoB);
  CHECK(store.get(*held.at("g3").stored).value() == kPhotoA);
  CHECK_FALSE(d[0].stored_photo);  // handed over, held once
  CHECK(d[1].stored_photo);        // unchanged photos are not kept for apply
}
