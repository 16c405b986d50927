#include "commands/env/applier.hpp"

#include <fmt/format.h>

#include "commands/branding/branding.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/policy/settings_api.hpp"
#include "connectors/platform/catalogue_api.hpp"
#include "connectors/platform/departments_api.hpp"
#include "connectors/platform/users_api.hpp"
#include "core/policy/image.hpp"

namespace daoctl::commands::env_verbs {

namespace {

constexpr const char* kProfileExtension = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

// The id of an object the platform just created.
std::string created_id(const json& answer, const std::string& object) {
  return platform::Answer(answer, object).required<std::string>("/id");
}

// Executes one plan. Keeps the id maps that later steps resolve names with.
class EnvApplier {
 public:
  EnvApplier(CommandContext& ctx, const env::EnvSpec& spec, const env::EnvImages& images,
             const env::PlatformState& state, std::map<std::string, std::string> etags)
      : ctx_(ctx),
        images_(images),
        users_(state.users, seed_users_of(spec)),
        etags_(std::move(etags)) {
    // Checked when read (fetch_platform_state): id a string, path and
    // external_id strings or absent.
    for (const auto& d : state.departments) {
      const platform::Answer a(d, "department");
      department_ids_[a.value("/path", "")] = a.value("/id", "");
    }
    for (const auto& c : state.communities) {
      const platform::Answer a(c, "community");
      if (auto key = a.value("/external_id", ""); !key.empty()) community_ids_[key] = a.value("/id", "");
    }
  }

  void apply(const env::Change& c) {
    if (c.kind == "password_policy")
      setting("password-policy", c.desired);
    else if (c.kind == "registration")
      setting("registration", c.desired);
    else if (c.kind == "keyword_rules")
      setting("keyword-rules", c.desired);
    else if (c.kind == "branding")
      setting("branding", c.desired);
    else if (c.kind == "logo" || c.kind == "favicon")
      upload(c.kind);
    else if (c.kind == "department")
      department(c);
    else if (c.kind == "user")
      user(c);
    else if (c.kind == "community")
      catalogue(c, platform::Catalogue::Communities);
    else if (c.kind == "badge")
      catalogue(c, platform::Catalogue::Badges);
    else if (c.kind == "post")
      catalogue(c, platform::Catalogue::Posts);
  }

 private:
  static json seed_users_of(const env::EnvSpec& spec) {
    const json& doc = spec.doc;
    return doc.contains("seed") && doc["seed"].contains("users") ? doc["seed"]["users"]
                                                                 : json::array();
  }

  void setting(const std::string& name, const json& desired) {
    put_setting(ctx_, name, desired, etags_[name]);
  }

  void upload(const std::string& slot) {
    const auto& bytes = slot == "logo" ? images_.logo : images_.favicon;
    if (!bytes) return;
    put_branding_image(ctx_, slot, *bytes,
                       policy::content_type_of(policy::inspect_image(*bytes).format));
  }

  std::string department_id(const std::string& path, const std::string& for_what) {
    auto it = department_ids_.find(path);
    if (it == department_ids_.end())
      throw CommandError(ErrorKind::NotFound, fmt::format("department {} does not exist", path),
                         for_what);
    return it->second;
  }

  std::string user_id(const std::string& ref, const std::string& for_what) {
    auto id = users_.id_of(users_.canonical(ref));
    if (!id)
      throw CommandError(ErrorKind::NotFound,
                         fmt::format("user {} does not exist on the platform", ref), for_what, "",
                         "add the user to seed.users or create it first");
    return *id;
  }

  void department(const env::Change& c) {
    const std::string object = "department " + c.key;
    platform::DepartmentsApi departments(ctx_.client());
    if (c.action == env::Action::Delete) {
      value_or_throw(departments.remove(c.id, object));
      return;
    }
    const std::string parent_id = c.desired["parent_path"].is_string()
                                      ? department_id(c.desired["parent_path"].get<std::string>(), object)
                                      : std::string();
    department_ids_[c.key] = value_or_throw(departments.create(
        c.desired["name"].get<std::string>(), parent_id,
        env::kDepartmentExternalPrefix + c.key, object));
  }

  void user(const env::Change& c) {
    const json& u = c.desired;
    const std::string object = "user " + c.key;
    json name = json::object();
    if (u.contains("givenName")) name["givenName"] = u["givenName"];
    if (u.contains("familyName")) name["familyName"] = u["familyName"];
    if (c.action == env::Action::Create) {
      json doc = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User", kProfileExtension}},
                  {"userName", u["userName"]},
                  {"externalId", env::kUserExternalPrefix + c.key},
                  {"displayName", u["displayName"]},
                  {"active", true},
                  {"emails", {{{"value", u["email"]}, {"type", "work"}, {"primary", true}}}}};
      if (!name.empty()) doc["name"] = name;
      if (u.contains("title")) doc["title"] = u["title"];
      if (u.contains("department"))
        doc[kProfileExtension] = {
            {"departmentId", department_id(u["department"].get<std::string>(), object)}};
      auto created = value_or_throw(platform::UsersApi(ctx_.client()).create(doc, object));
      users_.add(created_id(created, object), c.key);
      return;
    }
    json ops = json::array();
    for (const auto& f : c.fields) {
      if (f.field == "email")
        ops.push_back({{"op", "replace"},
                       {"path", "emails"},
                       {"value", {{{"value", f.to}, {"type", "work"}, {"primary", true}}}}});
      else if (f.field == "givenName" || f.field == "familyName")
        ops.push_back({{"op", "replace"}, {"path", "name." + f.field}, {"value", f.to}});
      else if (f.field == "department")
        ops.push_back({{"op", "replace"},
                       {"path", std::string(kProfileExtension) + ":departmentId"},
                       {"value", department_id(f.to.get<std::string>(), object)}});
      else
        ops.push_back({{"op", "replace"}, {"path", f.field}, {"value", f.to}});
    }
    json patch = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                  {"Operations", ops}};
    value_or_throw(platform::UsersApi(ctx_.client()).patch(c.id, patch, object));
  }

  // The wire body of a community, badge or post from the plan's desired fields.
  json catalogue_body(const env::Change& c, const std::string& object, bool full) {
    json body = json::object();
    auto wanted = [&](const std::string& field) {
      if (full) return c.desired.contains(field);
      for (const auto& f : c.fields)
        if (f.field == field) return true;
      return false;
    };
    for (const char* field :
         {"name", "description", "visibility", "type", "title", "body", "body_format", "pinned"})
      if (wanted(field) && c.desired.contains(field)) body[field] = c.desired[field];
    for (const char* refs : {"owners", "members"})
      if (wanted(refs)) {
        json ids = json::array();
        for (const auto& ref : c.desired[refs])
          ids.push_back(user_id(ref.get<std::string>(), object));
        body[refs] = ids;
      }
    if (wanted("author"))
      body["author_id"] = user_id(c.desired["author"].get<std::string>(), object);
    if (wanted("community")) {
      auto it = community_ids_.find(c.desired["community"].get<std::string>());
      if (it == community_ids_.end())
        throw CommandError(
            ErrorKind::NotFound,
            fmt::format("community {} does not exist", c.desired["community"].get<std::string>()),
            object);
      body["community_id"] = it->second;
    }
    if (full) body["external_id"] = c.key;
    return body;
  }

  // A 409 on create converges (CatalogueApi::create: an earlier run made it).
  void catalogue(const env::Change& c, platform::Catalogue which) {
    const std::string object = c.kind + " " + c.key;
    platform::CatalogueApi api(ctx_.client(), which);
    if (c.action == env::Action::Delete) {
      value_or_throw(api.remove(c.id, object));
      return;
    }
    if (c.action == env::Action::Update) {
      value_or_throw(api.patch(c.id, catalogue_body(c, object, false), object));
      return;
    }
    const std::string id = value_or_throw(api.create(catalogue_body(c, object, true), c.key, object));
    if (c.kind == "community") community_ids_[c.key] = id;
  }

  CommandContext& ctx_;
  const env::EnvImages& images_;
  env::UserIndex users_;
  std::map<std::string, std::string> etags_;           // settings API name -> ETag read
  std::map<std::string, std::string> department_ids_;  // path -> id
  std::map<std::string, std::string> community_ids_;   // external_id -> id
};

}  // namespace

std::size_t apply_env_changes(CommandContext& ctx, const LoadedEnv& loaded, const env::PlatformState& state,
                              std::map<std::string, std::string> etags, const env::EnvPlan& plan) {
  EnvApplier applier(ctx, loaded.spec, loaded.images, state, std::move(etags));
  std::size_t done = 0;
  for (const auto& change : plan.changes) {
    try {
      applier.apply(change);
    } catch (const CommandError& e) {
      if (ctx.job_report) ctx.job_report->count("applied", static_cast<std::int64_t>(done));
      Error err = e.error();
      err.hint = fmt::format(
          "{} of {} changes were applied before this one; fix the cause and run apply again (it "
          "continues where it stopped)",
          done, plan.changes.size());
      throw CommandError(std::move(err));
    }
    ++done;
    if (ctx.job_report) ctx.job_report->add(std::string(env::to_string(change.action)) + "d");
  }
  if (ctx.job_report) ctx.job_report->count("applied", static_cast<std::int64_t>(done));
  return done;
}

}  // namespace daoctl::commands::env_verbs
