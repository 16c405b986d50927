#include "core/sync/executor.hpp"

#include "core/policy/image.hpp"
#include "core/sync/values.hpp"

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

ApplyReport apply_plan(const SyncPlan& plan, const PlatformState& state, SyncTarget& target,
                       const ApplyOptions& options) {
  ApplyReport report;
  Recorder rec(report, options);

  std::map<std::string, std::string> dept_id;  // path -> id
  for (const auto& d : state.departments) dept_id[d.path] = d.id;
  std::map<std::string, std::string> user_id;  // external id -> id
  for (const auto& u : state.users)
    if (!u.external_id.empty()) user_id[u.external_id] = u.id;

  // 1. Departments, parents first (the plan lists them by depth).
  std::map<std::string, std::string> failed_paths;  // path -> why
  for (const auto& d : plan.departments) {
    if (d.kind != DepartmentAction::Kind::Create) continue;
    std::string object = "department " + d.path;
    std::string parent;
    if (!d.parent_path.empty()) {
      auto it = dept_id.find(d.parent_path);
      if (it == dept_id.end()) {
        std::string why = "parent department " + d.parent_path + " was not created";
        failed_paths[d.path] = why;
        rec.failed("departments", "create", object, "", why);
        continue;
      }
      parent = it->second;
    }
    auto id = target.create_department(d.name, parent, options.managed_by + ":" + d.path);
    if (!id) {
      failed_paths[d.path] = id.error().describe();
      rec.failed("departments", "create", object, "", id.error().describe());
      continue;
    }
    dept_id[d.path] = *id;
    rec.ok("departments", "create", object, *id);
  }
  auto department_for = [&](const UserAction& a, std::string& why) -> std::optional<std::string> {
    for (const auto& c : a.changes) {
      if (c.field != "department") continue;
      std::string path = first_string(c.after);
      if (path.empty() || options.target != TargetKind::Platform) return std::string();
      auto it = dept_id.find(path);
      if (it != dept_id.end()) return it->second;
      why = "department " + path + " is missing: " +
            (failed_paths.count(path) ? failed_paths[path] : std::string("not created"));
      return std::nullopt;
    }
    return std::string();
  };

  // 2. Users: creates in concurrent batches.
  std::vector<const UserAction*> creates, others;
  for (const auto& a : plan.users) (a.kind == UserActionKind::Create ? creates : others).push_back(&a);
  for (std::size_t start = 0; start < creates.size(); start += options.batch_size) {
    std::vector<const UserAction*> batch;
    std::vector<json> bodies;
    for (std::size_t i = start; i < std::min(creates.size(), start + options.batch_size); ++i) {
      const UserAction& a = *creates[i];
      std::string why;
      auto dept = department_for(a, why);
      if (!dept) {
        rec.failed("users", "create", "user " + a.user_name, "", why);
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
      bodies.push_back(scim_resource_for(d, options.target, options.managed_by, *dept,
                                         dept_path.empty() || options.target != TargetKind::Platform
                                             ? dept_path
                                             : leaf_of(dept_path)));
      batch.push_back(&a);
    }
    auto results = target.create_users(bodies);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const UserAction& a = *batch[i];
      if (results[i]) {
        user_id[a.external_id] = *results[i];
        rec.ok("users", "create", "user " + a.user_name, *results[i]);
      } else {
        rec.failed("users", "create", "user " + a.user_name, "", results[i].error().describe());
      }
    }
  }
  // Updates, links, (de|re)activations.
  for (std::size_t start = 0; start < others.size(); start += options.batch_size) {
    std::vector<const UserAction*> batch;
    std::vector<UserPatch> patches;
    for (std::size_t i = start; i < std::min(others.size(), start + options.batch_size); ++i) {
      const UserAction& a = *others[i];
      std::string why;
      auto dept = department_for(a, why);
      if (!dept) {
        rec.failed("users", to_string(a.kind), "user " + a.user_name, a.id, why);
        continue;
      }
      const bool blocking = a.kind == UserActionKind::Deactivate && options.target == TargetKind::Platform;
      UserPatch p{a.id, "user " + a.user_name, patch_operations(a, options.target, *dept),
                  blocking && options.revoke_sessions, blocking && options.revoke_tokens};
      patches.push_back(std::move(p));
      batch.push_back(&a);
    }
    if (options.before_deactivate) {
      std::vector<const UserAction*> blocks;
      for (const auto* a : batch)
        if (a->kind == UserActionKind::Deactivate) blocks.push_back(a);
      if (!blocks.empty()) {
        if (auto st = options.before_deactivate(blocks); !st) {
          // Not on record, so not sent: a block nobody could account for is worse than a late one.
          std::string why = "not sent: the intent could not be recorded: " + st.error().describe();
          std::vector<const UserAction*> kept_batch;
          std::vector<UserPatch> kept_patches;
          for (std::size_t i = 0; i < batch.size(); ++i) {
            if (batch[i]->kind == UserActionKind::Deactivate) {
              rec.failed("users", to_string(batch[i]->kind), "user " + batch[i]->user_name, batch[i]->id, why);
              continue;
            }
            kept_batch.push_back(batch[i]);
            kept_patches.push_back(std::move(patches[i]));
          }
          batch = std::move(kept_batch);
          patches = std::move(kept_patches);
        }
      }
    }
    auto results = target.patch_users(patches);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const UserAction& a = *batch[i];
      if (results[i]) rec.ok("users", to_string(a.kind), "user " + a.user_name, a.id);
      else rec.failed("users", to_string(a.kind), "user " + a.user_name, a.id, results[i].error().describe());
    }
  }

  // 3. Managers, once every user has an id.
  {
    std::vector<UserPatch> patches;
    std::vector<const ManagerChange*> batch;
    for (const auto& m : plan.managers) {
      std::string object = "manager of " + m.external_id;
      std::string uid = !m.user_id.empty() ? m.user_id : (user_id.count(m.external_id) ? user_id[m.external_id] : "");
      if (uid.empty()) {
        rec.failed("managers", "set", object, "", "user " + m.external_id + " does not exist (its creation failed)");
        continue;
      }
      json ops = json::array();
      const std::string path = std::string(kEnterpriseUrn) + ":manager";
      if (m.after_external_id.empty()) {
        ops.push_back({{"op", "remove"}, {"path", path}});
      } else {
        std::string mid = !m.after_id.empty() ? m.after_id
                                              : (user_id.count(m.after_external_id) ? user_id[m.after_external_id] : "");
        if (mid.empty()) {
          rec.failed("managers", "set", object, uid,
                     "manager " + m.after_external_id + " does not exist (its creation failed)");
          continue;
        }
        ops.push_back({{"op", "replace"}, {"path", path}, {"value", {{"value", mid}}}});
      }
      patches.push_back({uid, object, ops, false, false});
      batch.push_back(&m);
    }
    auto results = target.patch_users(patches);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (results[i]) rec.ok("managers", "set", patches[i].object, patches[i].id);
      else rec.failed("managers", "set", patches[i].object, patches[i].id, results[i].error().describe());
    }
  }

  // 4. Photos, once every user has an id; in batches like the users.
  for (std::size_t start = 0; start < plan.photos.size(); start += options.batch_size) {
    std::vector<PhotoUpload> uploads;
    // The batch's bytes; reserved so the views into them stay put.
    std::vector<std::string> held;
    held.reserve(std::min(plan.photos.size() - start, options.batch_size));
    for (std::size_t i = start; i < std::min(plan.photos.size(), start + options.batch_size); ++i) {
      const PhotoChange& ph = plan.photos[i];
      std::string object = "photo of user " + ph.user_name;
      std::string uid = !ph.user_id.empty() ? ph.user_id : (user_id.count(ph.external_id) ? user_id[ph.external_id] : "");
      if (uid.empty()) {
        rec.failed("photos", "upload", object, "", "user " + ph.user_name + " does not exist (its creation failed)");
        continue;
      }
      auto bytes = options.photo_bytes ? options.photo_bytes(ph.external_id)
                                       : fail(ErrorKind::NotFound, "no photo bytes in this run");
      if (!bytes) {
        rec.failed("photos", "upload", object, uid,
                   bytes.error().kind == ErrorKind::NotFound
                       ? "the photo's bytes were not read in this run (the user is no longer in the sources); "
                         "make a new plan"
                       : bytes.error().describe());
        continue;
      }
      if (photo_sha256(*bytes) != ph.after_sha256) {
        rec.failed("photos", "upload", object, uid,
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
    auto results = target.upload_photos(uploads);
    for (std::size_t i = 0; i < uploads.size(); ++i) {
      if (results[i]) rec.ok("photos", "upload", uploads[i].object, uploads[i].id);
      else rec.failed("photos", "upload", uploads[i].object, uploads[i].id, results[i].error().describe());
    }
  }

  // 5. Groups.
  std::map<std::string, std::string> group_id;  // name -> id
  for (const auto& g : state.groups) group_id[g.display_name] = g.id;
  // Renames and links first: a rename may free the name a new group takes.
  // The platform keeps names unique, so a rename into a name another rename
  // frees waits for it, and a cycle of renames (two groups swapping names)
  // is broken by moving one aside under a temporary name.
  auto ascii_lower = [](std::string v) {
    for (auto& c : v)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return v;
  };
  std::map<std::string, std::string> holder;  // lower name -> group id
  for (const auto& g : state.groups) holder[ascii_lower(g.display_name)] = g.id;
  std::vector<const GroupAction*> pending;
  std::set<std::string> moved_aside;
  for (const auto& g : plan.groups)
    if (g.kind == GroupAction::Kind::Rename || g.kind == GroupAction::Kind::Link) pending.push_back(&g);
  auto update = [&](const GroupAction& g, const std::string& name) {
    const bool rename = g.kind == GroupAction::Kind::Rename;
    std::string object = "group " + (rename ? g.before_name : g.name);
    auto st = target.update_group(g.id, object, name, g.external_id);
    if (!st) {
      rec.failed("groups", rename ? "rename" : "link", object, g.id, st.error().describe());
      return false;
    }
    for (auto it = holder.begin(); it != holder.end();)
      it = it->second == g.id ? holder.erase(it) : std::next(it);
    holder[ascii_lower(name)] = g.id;
    if (name == g.name) {
      group_id[g.name] = g.id;
      rec.ok("groups", rename ? "rename" : "link", object, g.id);
    }
    return true;
  };
  while (!pending.empty()) {
    bool progressed = false;
    for (auto it = pending.begin(); it != pending.end();) {
      auto h = holder.find(ascii_lower((*it)->name));
      if (h != holder.end() && h->second != (*it)->id) {
        ++it;
        continue;
      }
      update(**it, (*it)->name);
      it = pending.erase(it);
      progressed = true;
    }
    if (progressed) continue;
    // Stuck. A name held by a group this apply does not rename: that one
    // fails (the plan said the name was free; the platform changed since).
    auto is_pending = [&](const std::string& id) {
      return std::any_of(pending.begin(), pending.end(), [&](const GroupAction* p) { return p->id == id; });
    };
    auto foreign = std::find_if(pending.begin(), pending.end(), [&](const GroupAction* p) {
      return !is_pending(holder.find(ascii_lower(p->name))->second);
    });
    if (foreign != pending.end()) {
      const GroupAction& g = **foreign;
      rec.failed("groups", g.kind == GroupAction::Kind::Rename ? "rename" : "link",
                 "group " + (g.before_name.empty() ? g.name : g.before_name), g.id,
                 "another group is named \"" + g.name + "\" on the platform");
      pending.erase(foreign);
      continue;
    }
    // Every pending rename waits for another: a cycle (two groups swapping
    // names). The first moves aside under a temporary name, once.
    const GroupAction& g = *pending.front();
    if (!moved_aside.insert(g.id).second) {
      rec.failed("groups", "rename", "group " + g.before_name, g.id,
                 "the renames of this plan wait on each other for \"" + g.name + "\"");
      pending.erase(pending.begin());
    } else if (!update(g, g.name + " (renaming " + g.id + ")")) {
      pending.erase(pending.begin());
    }
  }
  for (const auto& g : plan.groups) {
    if (g.kind == GroupAction::Kind::Rename || g.kind == GroupAction::Kind::Link) continue;
    std::string object = "group " + g.name;
    if (g.kind == GroupAction::Kind::Create) {
      auto id = target.create_group(g.name, g.external_id.empty() ? options.managed_by + ":group:" + g.name
                                                                  : g.external_id);
      if (id) {
        group_id[g.name] = *id;
        rec.ok("groups", "create", object, *id);
      } else {
        rec.failed("groups", "create", object, "", id.error().describe());
      }
      continue;
    }
    std::string gid = !g.id.empty() ? g.id : (group_id.count(g.name) ? group_id[g.name] : "");
    const char* action = g.kind == GroupAction::Kind::AddMembers ? "add_members" : "remove_members";
    if (gid.empty()) {
      rec.failed("groups", action, object, "", "the group does not exist (its creation failed)");
      continue;
    }
    std::vector<std::string> ids;
    std::vector<std::string> missing;
    for (const auto& m : g.members) {
      if (g.kind == GroupAction::Kind::RemoveMembers) ids.push_back(m);
      else if (user_id.count(m)) ids.push_back(user_id[m]);
      else missing.push_back(m);
    }
    Status st = g.kind == GroupAction::Kind::AddMembers ? target.change_group_members(gid, g.name, ids, {})
                                                        : target.change_group_members(gid, g.name, {}, ids);
    if (st) rec.ok("groups", action, object, gid);
    else rec.failed("groups", action, object, gid, st.error().describe());
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      rec.failed("groups", action, object, gid, "users not created, so not added: " + list);
    }
  }

  // 6. Departments nobody uses any more, deepest first.
  for (const auto& d : plan.departments) {
    if (d.kind != DepartmentAction::Kind::Delete) continue;
    auto st = target.delete_department(d.id, d.path);
    if (st) rec.ok("departments", "delete", "department " + d.path, d.id);
    else rec.failed("departments", "delete", "department " + d.path, d.id, st.error().describe());
  }
  return report;
}

}  // namespace daoctl::sync
