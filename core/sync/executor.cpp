#include "core/sync/executor.hpp"

#include "core/policy/image.hpp"
#include "core/sync/values.hpp"
#include "core/text/ascii.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace daoctl::sync {

using nlohmann::json;

namespace {



class Recorder {
 public:
  Recorder(ApplyReport& report, const ApplyOptions& options) : report_(report), options_(options) {}
  void add(ItemOutcome item) {
    (item.ok ? report_.succeeded : report_.failed)++;
    if (options_.on_item) options_.on_item(item);
    report_.items.push_back(std::move(item));
  }
  void ok(std::string phase, std::string action, std::string object, std::string id) {
    add({std::move(phase), std::move(action), std::move(object), std::move(id), true, ""});
  }
  void failed(std::string phase, std::string action, std::string object, std::string id,
              std::string why) {
    add({std::move(phase), std::move(action), std::move(object), std::move(id), false, std::move(why)});
  }

 private:
  ApplyReport& report_;
  const ApplyOptions& options_;
};

}  // namespace

json patch_operations(const UserAction& action, TargetKind target, const std::string& department_id) {
  json ops = json::array();
  const std::string ent(kEnterpriseUrn), prof(kProfileUrn);
  for (const auto& c : action.changes) {
    if (c.field == "department") {
      std::string path = first_string(c.after);
      if (path.empty()) {
        ops.push_back({{"op", "remove"}, {"path", ent + ":department"}});
        if (target == TargetKind::Platform) ops.push_back({{"op", "remove"}, {"path", prof + ":departmentId"}});
      } else {
        // The platform keeps the leaf as the department's name (the tree is
        // departmentId); a SCIM service keeps what the plan says it stores.
        ops.push_back({{"op", "replace"},
                       {"path", ent + ":department"},
                       {"value", target == TargetKind::Platform ? leaf_of(path) : path}});
        if (target == TargetKind::Platform && !department_id.empty())
          ops.push_back({{"op", "replace"}, {"path", prof + ":departmentId"}, {"value", department_id}});
      }
      continue;
    }
    if (c.field == "managedBy") {
      if (target == TargetKind::Platform)
        ops.push_back({{"op", "replace"}, {"path", prof + ":managedBy"}, {"value", first_string(c.after)}});
      continue;
    }
    std::string path = scim_path_of(c.field, target);
    if (path.empty()) continue;
    json value = scim_value_of(c.field, c.after);
    if (value.is_null()) ops.push_back({{"op", "remove"}, {"path", path}});
    else ops.push_back({{"op", "replace"}, {"path", path}, {"value", value}});
  }
  if (action.kind == UserActionKind::Deactivate) ops.push_back({{"op", "replace"}, {"path", "active"}, {"value", false}});
  if (action.kind == UserActionKind::Reactivate) ops.push_back({{"op", "replace"}, {"path", "active"}, {"value", true}});
  return ops;
}

namespace {


// apply_plan, phase by phase. The members are what the phases share: the
// inputs, the ids known so far (from the state read for this apply, then
// from what the phases before created) and the report being written.
class Applier {
 public:
  Applier(const SyncPlan& plan, const PlatformState& state, SyncTarget& target, const ApplyOptions& options,
          ApplyReport& report)
      : plan_(plan), state_(state), target_(target), options_(options), rec_(report, options) {
    for (const auto& d : state.departments) dept_id_[d.path] = d.id;
    for (const auto& u : state.users)
      if (!u.external_id.empty()) user_id_[u.external_id] = u.id;
  }

  void create_departments();
  void users();
  void managers();
  void photos();
  void group_renames();
  void group_changes();
  void delete_departments();

 private:
  std::optional<std::string> department_for(const UserAction& a, std::string& why);
  void create_user_batch(const std::vector<const UserAction*>& creates, std::size_t start);
  void patch_user_batch(const std::vector<const UserAction*>& others, std::size_t start);
  void hold_unrecorded_blocks(std::vector<const UserAction*>& batch, std::vector<UserPatch>& patches);
  void upload_photo_batch(std::size_t start);
  bool update_group(const GroupAction& g, const std::string& name);
  bool rename_ready(std::vector<const GroupAction*>& pending);
  void unstick_renames(std::vector<const GroupAction*>& pending, std::set<std::string>& moved_aside);
  void change_group(const GroupAction& g);

  const SyncPlan& plan_;
  const PlatformState& state_;
  SyncTarget& target_;
  const ApplyOptions& options_;
  Recorder rec_;
  std::map<std::string, std::string> dept_id_;       // path -> id
  std::map<std::string, std::string> user_id_;       // external id -> id
  std::map<std::string, std::string> failed_paths_;  // path -> why
  std::map<std::string, std::string> group_id_;      // name -> id
  std::map<std::string, std::string> holder_;        // lower name -> group id
};

// 1. Departments, parents first (the plan lists them by depth).
void Applier::create_departments() {
  for (const auto& d : plan_.departments) {
    if (d.kind != DepartmentAction::Kind::Create) continue;
    std::string object = "department " + d.path;
    std::string parent;
    if (!d.parent_path.empty()) {
      auto it = dept_id_.find(d.parent_path);
      if (it == dept_id_.end()) {
        std::string why = "parent department " + d.parent_path + " was not created";
        failed_paths_[d.path] = why;
        rec_.failed("departments", "create", object, "", why);
        continue;
      }
      parent = it->second;
    }
    auto id = target_.create_department(d.name, parent, options_.managed_by + ":" + d.path);
    if (!id) {
      failed_paths_[d.path] = id.error().describe();
      rec_.failed("departments", "create", object, "", id.error().describe());
      continue;
    }
    dept_id_[d.path] = *id;
    rec_.ok("departments", "create", object, *id);
  }
}

std::optional<std::string> Applier::department_for(const UserAction& a, std::string& why) {
  for (const auto& c : a.changes) {
    if (c.field != "department") continue;
    std::string path = first_string(c.after);
    if (path.empty() || options_.target != TargetKind::Platform) return std::string();
    auto it = dept_id_.find(path);
    if (it != dept_id_.end()) return it->second;
    why = "department " + path + " is missing: " +
          (failed_paths_.count(path) ? failed_paths_[path] : std::string("not created"));
    return std::nullopt;
  }
  return std::string();
}

// 2. Users: creates in concurrent batches, then updates, links,
// (de|re)activations.
void Applier::users() {
  std::vector<const UserAction*> creates, others;
  for (const auto& a : plan_.users) (a.kind == UserActionKind::Create ? creates : others).push_back(&a);
  for (std::size_t start = 0; start < creates.size(); start += options_.batch_size) create_user_batch(creates, start);
  for (std::size_t start = 0; start < others.size(); start += options_.batch_size) patch_user_batch(others, start);
}

void Applier::create_user_batch(const std::vector<const UserAction*>& creates, std::size_t start) {
  std::vector<const UserAction*> batch;
  std::vector<json> bodies;
  for (std::size_t i = start; i < std::min(creates.size(), start + options_.batch_size); ++i) {
    const UserAction& a = *creates[i];
    std::string why;
    auto dept = department_for(a, why);
    if (!dept) {
      rec_.failed("users", "create", "user " + a.user_name, "", why);
      continue;
    }
    DesiredUser d;
    d.external_id = a.external_id;
    d.user_name = a.user_name;
    std::string dept_path;
    for (const auto& c : a.changes) {
      if (c.field == "active") d.active = mapping::truthy(c.after);
      else if (c.field == "department") dept_path = first_string(c.after);
      else d.fields[c.field] = c.after;
    }
    bodies.push_back(scim_resource_for(d, options_.target, options_.managed_by, *dept,
                                       dept_path.empty() || options_.target != TargetKind::Platform
                                           ? dept_path
                                           : leaf_of(dept_path)));
    batch.push_back(&a);
  }
  auto results = target_.create_users(bodies);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const UserAction& a = *batch[i];
    if (results[i]) {
      user_id_[a.external_id] = *results[i];
      rec_.ok("users", "create", "user " + a.user_name, *results[i]);
    } else {
      rec_.failed("users", "create", "user " + a.user_name, "", results[i].error().describe());
    }
  }
}

void Applier::patch_user_batch(const std::vector<const UserAction*>& others, std::size_t start) {
  std::vector<const UserAction*> batch;
  std::vector<UserPatch> patches;
  for (std::size_t i = start; i < std::min(others.size(), start + options_.batch_size); ++i) {
    const UserAction& a = *others[i];
    std::string why;
    auto dept = department_for(a, why);
    if (!dept) {
      rec_.failed("users", to_string(a.kind), "user " + a.user_name, a.id, why);
      continue;
    }
    const bool blocking = a.kind == UserActionKind::Deactivate && options_.target == TargetKind::Platform;
    UserPatch p{a.id, "user " + a.user_name, patch_operations(a, options_.target, *dept),
                blocking && options_.revoke_sessions, blocking && options_.revoke_tokens};
    patches.push_back(std::move(p));
    batch.push_back(&a);
  }
  if (options_.before_deactivate) hold_unrecorded_blocks(batch, patches);
  auto results = target_.patch_users(patches);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const UserAction& a = *batch[i];
    if (results[i]) rec_.ok("users", to_string(a.kind), "user " + a.user_name, a.id);
    else rec_.failed("users", to_string(a.kind), "user " + a.user_name, a.id, results[i].error().describe());
  }
}

// The batch's deactivations go on record (options.before_deactivate)
// before any of its requests is sent; if that fails they are taken out of
// the batch and fail.
void Applier::hold_unrecorded_blocks(std::vector<const UserAction*>& batch, std::vector<UserPatch>& patches) {
  std::vector<const UserAction*> blocks;
  for (const auto* a : batch)
    if (a->kind == UserActionKind::Deactivate) blocks.push_back(a);
  if (blocks.empty()) return;
  auto st = options_.before_deactivate(blocks);
  if (st) return;
  // Not on record, so not sent: a block nobody could account for is worse than a late one.
  std::string why = "not sent: the intent could not be recorded: " + st.error().describe();
  std::vector<const UserAction*> kept_batch;
  std::vector<UserPatch> kept_patches;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i]->kind == UserActionKind::Deactivate) {
      rec_.failed("users", to_string(batch[i]->kind), "user " + batch[i]->user_name, batch[i]->id, why);
      continue;
    }
    kept_batch.push_back(batch[i]);
    kept_patches.push_back(std::move(patches[i]));
  }
  batch = std::move(kept_batch);
  patches = std::move(kept_patches);
}

// 3. Managers, once every user has an id.
void Applier::managers() {
  std::vector<UserPatch> patches;
  std::vector<const ManagerChange*> batch;
  for (const auto& m : plan_.managers) {
    std::string object = "manager of " + m.external_id;
    std::string uid = !m.user_id.empty() ? m.user_id : (user_id_.count(m.external_id) ? user_id_[m.external_id] : "");
    if (uid.empty()) {
      rec_.failed("managers", "set", object, "", "user " + m.external_id + " does not exist (its creation failed)");
      continue;
    }
    json ops = json::array();
    const std::string path = std::string(kEnterpriseUrn) + ":manager";
    if (m.after_external_id.empty()) {
      ops.push_back({{"op", "remove"}, {"path", path}});
    } else {
      std::string mid = !m.after_id.empty() ? m.after_id
                                            : (user_id_.count(m.after_external_id) ? user_id_[m.after_external_id] : "");
      if (mid.empty()) {
        rec_.failed("managers", "set", object, uid,
                    "manager " + m.after_external_id + " does not exist (its creation failed)");
        continue;
      }
      ops.push_back({{"op", "replace"}, {"path", path}, {"value", {{"value", mid}}}});
    }
    patches.push_back({uid, object, ops, false, false});
    batch.push_back(&m);
  }
  auto results = target_.patch_users(patches);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (results[i]) rec_.ok("managers", "set", patches[i].object, patches[i].id);
    else rec_.failed("managers", "set", patches[i].object, patches[i].id, results[i].error().describe());
  }
}

// 4. Photos, once every user has an id; in batches like the users.
void Applier::photos() {
  for (std::size_t start = 0; start < plan_.photos.size(); start += options_.batch_size) upload_photo_batch(start);
}

void Applier::upload_photo_batch(std::size_t start) {
  std::vector<PhotoUpload> uploads;
  // The batch's bytes; reserved so the views into them stay put.
  std::vector<std::string> held;
  held.reserve(std::min(plan_.photos.size() - start, options_.batch_size));
  for (std::size_t i = start; i < std::min(plan_.photos.size(), start + options_.batch_size); ++i) {
    const PhotoChange& ph = plan_.photos[i];
    std::string object = "photo of user " + ph.user_name;
    std::string uid = !ph.user_id.empty() ? ph.user_id : (user_id_.count(ph.external_id) ? user_id_[ph.external_id] : "");
    if (uid.empty()) {
      rec_.failed("photos", "upload", object, "", "user " + ph.user_name + " does not exist (its creation failed)");
      continue;
    }
    auto bytes = options_.photo_bytes ? options_.photo_bytes(ph.external_id)
                                      : fail(ErrorKind::NotFound, "no photo bytes in this run");
    if (!bytes) {
      rec_.failed("photos", "upload", object, uid,
                  bytes.error().kind == ErrorKind::NotFound
                      ? "the photo's bytes were not read in this run (the user is no longer in the sources); "
                        "make a new plan"
                      : bytes.error().describe());
      continue;
    }
    if (photo_sha256(*bytes) != ph.after_sha256) {
      rec_.failed("photos", "upload", object, uid,
                  "the photo in the source changed since the plan was made (sha256 " +
                      photo_sha256(*bytes).substr(0, 12) + ", planned " + ph.after_sha256.substr(0, 12) +
                      "); make a new plan");
      continue;
    }
    // The type the bytes are, whatever the source called them: the
    // platform judges by the magic bytes too and refuses anything but
    // JPEG and PNG with 415, which fails this item alone.
    auto format = policy::inspect_image(*bytes).format;
    held.push_back(std::move(*bytes));
    uploads.push_back({uid, object, policy::content_type_of(format), held.back()});
  }
  auto results = target_.upload_photos(uploads);
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    if (results[i]) rec_.ok("photos", "upload", uploads[i].object, uploads[i].id);
    else rec_.failed("photos", "upload", uploads[i].object, uploads[i].id, results[i].error().describe());
  }
}

// 5. Groups.
// Renames and links first: a rename may free the name a new group takes.
// The platform keeps names unique, so a rename into a name another rename
// frees waits for it, and a cycle of renames (two groups swapping names)
// is broken by moving one aside under a temporary name.
void Applier::group_renames() {
  for (const auto& g : state_.groups) group_id_[g.display_name] = g.id;
  for (const auto& g : state_.groups) holder_[text::lower_ascii(g.display_name)] = g.id;
  std::vector<const GroupAction*> pending;
  std::set<std::string> moved_aside;
  for (const auto& g : plan_.groups)
    if (g.kind == GroupAction::Kind::Rename || g.kind == GroupAction::Kind::Link) pending.push_back(&g);
  while (!pending.empty())
    if (!rename_ready(pending)) unstick_renames(pending, moved_aside);
}

bool Applier::update_group(const GroupAction& g, const std::string& name) {
  const bool rename = g.kind == GroupAction::Kind::Rename;
  std::string object = "group " + (rename ? g.before_name : g.name);
  auto st = target_.update_group(g.id, object, name, g.external_id);
  if (!st) {
    rec_.failed("groups", rename ? "rename" : "link", object, g.id, st.error().describe());
    return false;
  }
  for (auto it = holder_.begin(); it != holder_.end();)
    it = it->second == g.id ? holder_.erase(it) : std::next(it);
  holder_[text::lower_ascii(name)] = g.id;
  if (name == g.name) {
    group_id_[g.name] = g.id;
    rec_.ok("groups", rename ? "rename" : "link", object, g.id);
  }
  return true;
}

// Applies (and takes out of `pending`) every rename or link whose name is
// free now; false when none was.
bool Applier::rename_ready(std::vector<const GroupAction*>& pending) {
  bool progressed = false;
  for (auto it = pending.begin(); it != pending.end();) {
    auto h = holder_.find(text::lower_ascii((*it)->name));
    if (h != holder_.end() && h->second != (*it)->id) {
      ++it;
      continue;
    }
    update_group(**it, (*it)->name);
    it = pending.erase(it);
    progressed = true;
  }
  return progressed;
}

void Applier::unstick_renames(std::vector<const GroupAction*>& pending, std::set<std::string>& moved_aside) {
  // Stuck. A name held by a group this apply does not rename: that one
  // fails (the plan said the name was free; the platform changed since).
  auto is_pending = [&](const std::string& id) {
    return std::any_of(pending.begin(), pending.end(), [&](const GroupAction* p) { return p->id == id; });
  };
  auto foreign = std::find_if(pending.begin(), pending.end(), [&](const GroupAction* p) {
    return !is_pending(holder_.find(text::lower_ascii(p->name))->second);
  });
  if (foreign != pending.end()) {
    const GroupAction& g = **foreign;
    rec_.failed("groups", g.kind == GroupAction::Kind::Rename ? "rename" : "link",
                "group " + (g.before_name.empty() ? g.name : g.before_name), g.id,
                "another group is named \"" + g.name + "\" on the platform");
    pending.erase(foreign);
    return;
  }
  // Every pending rename waits for another: a cycle (two groups swapping
  // names). The first moves aside under a temporary name, once.
  const GroupAction& g = *pending.front();
  if (!moved_aside.insert(g.id).second) {
    rec_.failed("groups", "rename", "group " + g.before_name, g.id,
                "the renames of this plan wait on each other for \"" + g.name + "\"");
    pending.erase(pending.begin());
  } else if (!update_group(g, g.name + " (renaming " + g.id + ")")) {
    pending.erase(pending.begin());
  }
}

// Then creates and memberships.
void Applier::group_changes() {
  for (const auto& g : plan_.groups)
    if (g.kind != GroupAction::Kind::Rename && g.kind != GroupAction::Kind::Link) change_group(g);
}

void Applier::change_group(const GroupAction& g) {
  std::string object = "group " + g.name;
  if (g.kind == GroupAction::Kind::Create) {
    auto id = target_.create_group(g.name, g.external_id.empty() ? options_.managed_by + ":group:" + g.name
                                                                 : g.external_id);
    if (id) {
      group_id_[g.name] = *id;
      rec_.ok("groups", "create", object, *id);
    } else {
      rec_.failed("groups", "create", object, "", id.error().describe());
    }
    return;
  }
  std::string gid = !g.id.empty() ? g.id : (group_id_.count(g.name) ? group_id_[g.name] : "");
  const char* action = g.kind == GroupAction::Kind::AddMembers ? "add_members" : "remove_members";
  if (gid.empty()) {
    rec_.failed("groups", action, object, "", "the group does not exist (its creation failed)");
    return;
  }
  std::vector<std::string> ids;
  std::vector<std::string> missing;
  for (const auto& m : g.members) {
    if (g.kind == GroupAction::Kind::RemoveMembers) ids.push_back(m);
    else if (user_id_.count(m)) ids.push_back(user_id_[m]);
    else missing.push_back(m);
  }
  Status st = g.kind == GroupAction::Kind::AddMembers ? target_.change_group_members(gid, g.name, ids, {})
                                                      : target_.change_group_members(gid, g.name, {}, ids);
  if (st) rec_.ok("groups", action, object, gid);
  else rec_.failed("groups", action, object, gid, st.error().describe());
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    rec_.failed("groups", action, object, gid, "users not created, so not added: " + list);
  }
}

// 6. Departments nobody uses any more, deepest first.
void Applier::delete_departments() {
  for (const auto& d : plan_.departments) {
    if (d.kind != DepartmentAction::Kind::Delete) continue;
    auto st = target_.delete_department(d.id, d.path);
    if (st) rec_.ok("departments", "delete", "department " + d.path, d.id);
    else rec_.failed("departments", "delete", "department " + d.path, d.id, st.error().describe());
  }
}

}  // namespace

ApplyReport apply_plan(const SyncPlan& plan, const PlatformState& state, SyncTarget& target,
                       const ApplyOptions& options) {
  // In dependency order: each phase uses the ids the phases before it made.
  ApplyReport report;
  Applier a(plan, state, target, options, report);
  a.create_departments();  // 1. parents first
  a.users();               // 2. creates, then updates, links, (de|re)activations
  a.managers();            // 3. once every user has an id
  a.photos();              // 4. likewise
  a.group_renames();       // 5. renames and links first: they may free names
  a.group_changes();       //    creates and memberships
  a.delete_departments();  // 6. deepest first
  return report;
}

}  // namespace daoctl::sync
