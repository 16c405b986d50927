#include "core/env/env.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/policy/policy.hpp"
#include "core/schema/json_schema_validator.hpp"
#include "core/text/ascii.hpp"
#include "schemas/schemas.hpp"

namespace daoctl::env {

namespace {

std::string text(const json& object, const char* key, std::string fallback = {}) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return fallback;
  return object[key].get<std::string>();
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

// The path and every ancestor: "A/B/C" -> A, A/B, A/B/C.
std::vector<std::string> with_ancestors(const std::string& path) {
  std::vector<std::string> out;
  std::string prefix;
  for (const auto& part : split_path(path)) {
    prefix = prefix.empty() ? part : prefix + "/" + part;
    out.push_back(prefix);
  }
  return out;
}

std::size_t depth(const std::string& path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

}  // namespace

std::string EnvSpec::where(std::string_view pointer) const {
  if (auto pos = positions.find(pointer))
    return fmt::format("{}:{}:{}", file, pos->line, pos->column);
  return file;
}

Result<EnvSpec> load_env(std::string_view text_in, std::string_view file_name) {
  auto parsed = schema::parse_yaml(text_in, file_name);
  if (!parsed) {
    Error e = parsed.error();
    e.kind = ErrorKind::Config;
    return std::unexpected(e);
  }
  EnvSpec spec;
  spec.file = std::string(file_name);
  spec.doc = std::move(parsed->value);
  spec.positions = std::move(parsed->positions);

  static const auto validator = [] {
    auto schema_text = schemas::find("env.schema.json");
    return schema::JsonSchemaValidator::compile(json::parse(schema_text.value_or("{}")));
  }();
  if (!validator) return std::unexpected(validator.error());
  std::vector<std::string> problems;
  std::set<std::string> schema_pointers;  // the policy checks do not repeat these
  for (const auto& p : validator->validate(spec.doc)) {
    problems.push_back(schema::format_problem(p, spec.file, spec.positions));
    schema_pointers.insert(p.path);
  }
  const bool schema_valid = problems.empty();

  auto take = [&](const policy::Findings& findings, const std::string& base) {
    for (const auto& f : findings) {
      const std::string pointer = f.field.empty() ? base : base + "/" + f.field;
      if (schema_pointers.count(pointer)) continue;
      if (f.severity == policy::Severity::Error)
        problems.push_back(fmt::format("{}: {}: {}", spec.where(pointer), pointer, f.message));
      else
        spec.warnings.push_back(fmt::format("{}: warning: {}", spec.where(pointer), f.message));
    }
  };
  const json& doc = spec.doc;
  // The policy checks accept any JSON, so they run even when the schema
  // failed: one run reports every problem of the file.
  if (doc.is_object()) {
    if (doc.contains("policies") && doc["policies"].is_object()) {
      const json& p = doc["policies"];
      if (p.contains("password"))
        take(policy::check_password_policy(p["password"]), "/policies/password");
      if (p.contains("registration"))
        take(policy::check_registration(p["registration"]), "/policies/registration");
      if (p.contains("keywords"))
        take(policy::check_keyword_rules(p["keywords"]), "/policies/keywords");
    }
    if (doc.contains("branding")) take(policy::check_branding(doc["branding"]), "/branding");
  }
  // References need the shapes the schema guarantees.
  if (schema_valid && doc.is_object()) {
    // References inside the file.
    std::set<std::string> paths;
    if (doc.contains("departments"))
      for (const auto& d : doc["departments"])
        for (const auto& p : with_ancestors(d["path"].get<std::string>())) paths.insert(p);
    std::set<std::string> community_ids;
    if (doc.contains("communities"))
      for (std::size_t i = 0; i < doc["communities"].size(); ++i) {
        auto id = doc["communities"][i]["external_id"].get<std::string>();
        if (!community_ids.insert(id).second) {
          auto pointer = fmt::format("/communities/{}/external_id", i);
          problems.push_back(fmt::format("{}: {}: external_id \"{}\" is used by two communities",
                                         spec.where(pointer), pointer, id));
        }
      }
    if (doc.contains("badges")) {
      std::set<std::string> ids;
      for (std::size_t i = 0; i < doc["badges"].size(); ++i) {
        auto id = doc["badges"][i]["external_id"].get<std::string>();
        if (!ids.insert(id).second) {
          auto pointer = fmt::format("/badges/{}/external_id", i);
          problems.push_back(fmt::format("{}: {}: external_id \"{}\" is used by two badges",
                                         spec.where(pointer), pointer, id));
        }
      }
    }
    if (doc.contains("seed") && doc["seed"].contains("users")) {
      std::set<std::string> names;
      const json& users = doc["seed"]["users"];
      for (std::size_t i = 0; i < users.size(); ++i) {
        if (!names.insert(text::lower_ascii(users[i]["userName"].get<std::string>())).second) {
          auto pointer = fmt::format("/seed/users/{}/userName", i);
          problems.push_back(fmt::format("{}: {}: userName {} is listed twice", spec.where(pointer),
                                         pointer, users[i]["userName"].dump()));
        }
        if (users[i].contains("department") &&
            !paths.count(users[i]["department"].get<std::string>())) {
          auto pointer = fmt::format("/seed/users/{}/department", i);
          problems.push_back(
              fmt::format("{}: {}: department \"{}\" is not among the file's departments",
                          spec.where(pointer), pointer, users[i]["department"].get<std::string>()));
        }
      }
    }
    if (doc.contains("seed") && doc["seed"].contains("posts")) {
      const json& posts = doc["seed"]["posts"];
      std::set<std::string> ids;
      for (std::size_t i = 0; i < posts.size(); ++i) {
        if (!ids.insert(posts[i]["external_id"].get<std::string>()).second) {
          auto pointer = fmt::format("/seed/posts/{}/external_id", i);
          problems.push_back(fmt::format("{}: {}: external_id {} is used by two posts",
                                         spec.where(pointer), pointer,
                                         posts[i]["external_id"].dump()));
        }
        if (posts[i].contains("community") &&
            !community_ids.count(posts[i]["community"].get<std::string>())) {
          auto pointer = fmt::format("/seed/posts/{}/community", i);
          problems.push_back(
              fmt::format("{}: {}: community \"{}\" is not among the file's communities",
                          spec.where(pointer), pointer, posts[i]["community"].get<std::string>()));
        }
      }
    }
  }
  if (!problems.empty())
    return fail(ErrorKind::Config, fmt::format("invalid environment file {}", file_name), spec.file,
                fmt::format("{}", fmt::join(problems, "\n")),
                "fix the lines above; the format is schemas/env.schema.json");
  return spec;
}

const char* to_string(Action action) noexcept {
  switch (action) {
    case Action::Create:
      return "create";
    case Action::Update:
      return "update";
    case Action::Delete:
      return "delete";
  }
  return "update";
}

// ------------------------------------------------------------------ users

UserIndex::UserIndex(const std::vector<json>& scim_users, const json& seed_users) {
  for (const auto& u : scim_users) {
    const auto name = text(u, "userName");
    if (name.empty()) continue;
    add(text(u, "id"), name);
    if (u.contains("emails") && u["emails"].is_array())
      for (const auto& e : u["emails"]) by_ref_.emplace(text::lower_ascii(text(e, "value")), name);
  }
  if (seed_users.is_array())
    for (const auto& u : seed_users) {
      const auto name = text(u, "userName");
      by_ref_.emplace(text::lower_ascii(name), name);
      by_ref_.emplace(text::lower_ascii(text(u, "email")), name);
    }
}

void UserIndex::add(const std::string& id, const std::string& user_name) {
  by_ref_[text::lower_ascii(user_name)] = user_name;
  if (!id.empty()) {
    by_id_[id] = user_name;
    id_by_name_[text::lower_ascii(user_name)] = id;
  }
}

std::string UserIndex::canonical(const std::string& ref) const {
  auto it = by_ref_.find(text::lower_ascii(ref));
  return it == by_ref_.end() ? ref : it->second;
}

std::string UserIndex::name_of_id(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? "id:" + id : it->second;
}

std::optional<std::string> UserIndex::id_of(const std::string& user_name) const {
  auto it = id_by_name_.find(text::lower_ascii(user_name));
  if (it == id_by_name_.end()) return std::nullopt;
  return it->second;
}

// ------------------------------------------------------------------ plan

namespace {

json sorted_names(const json& refs, const UserIndex& users, bool are_ids) {
  std::vector<std::string> names;
  if (refs.is_array())
    for (const auto& r : refs)
      names.push_back(are_ids ? users.name_of_id(r.get<std::string>())
                              : users.canonical(r.get<std::string>()));
  std::sort(names.begin(), names.end());
  return names;
}

// Fields of `desired` that differ from `current` (absent counts as `fallback`).
void compare(const json& current, const json& desired, const std::vector<std::string>& fields,
             std::vector<FieldChange>& out) {
  for (const auto& f : fields) {
    if (!desired.contains(f)) continue;
    json from = current.contains(f) ? current[f] : json(nullptr);
    if (from != desired[f]) out.push_back({f, from, desired[f]});
  }
}

json normalised_rule(const json& rule) {
  return {{"pattern", rule.value("pattern", "")},
          {"action", rule.value("action", "")},
          {"scope", rule.value("scope", "all")}};
}

std::string primary_email(const json& user) {
  if (!user.contains("emails") || !user["emails"].is_array() || user["emails"].empty()) return "";
  for (const auto& e : user["emails"])
    if (e.value("primary", false)) return text(e, "value");
  return text(user["emails"][0], "value");
}

std::string image_summary(const std::optional<std::string>& bytes) {
  return bytes ? fmt::format("{} bytes", bytes->size()) : std::string();
}

// What every phase of plan_env reads.
struct PlanInput {
  const json& doc;
  const EnvImages& images;
  const PlatformState& state;
  bool prune;
  const json& seed_users;
  const UserIndex& users;
};

// Settings documents: password policy, registration, keyword rules.
void plan_policies(const PlanInput& in, EnvPlan& plan) {
  if (in.doc.contains("policies")) {
    const json& p = in.doc["policies"];
    if (p.contains("password")) {
      json desired = in.state.password_policy;
      for (const auto& [k, v] : p["password"].items()) desired[k] = v;
      Change c{Action::Update, "password_policy", "", "", {}, desired};
      std::vector<std::string> fields;
      for (const auto& [k, v] : p["password"].items()) fields.push_back(k);
      compare(in.state.password_policy, desired, fields, c.fields);
      if (!c.fields.empty()) plan.changes.push_back(std::move(c));
    }
    if (p.contains("registration")) {
      json desired = {
          {"mode", p["registration"]["mode"]},
          {"allowed_domains", p["registration"].value("allowed_domains", json::array())}};
      Change c{Action::Update, "registration", "", "", {}, desired};
      compare(in.state.registration, desired, {"mode", "allowed_domains"}, c.fields);
      if (!c.fields.empty()) plan.changes.push_back(std::move(c));
    }
    if (p.contains("keywords")) {
      json current = json::array();
      for (const auto& r : in.state.keyword_rules) current.push_back(normalised_rule(r));
      json wanted = json::array();
      for (const auto& r : p["keywords"]) wanted.push_back(normalised_rule(r));
      json desired = in.prune ? json::array() : current;
      for (const auto& r : wanted)
        if (std::find(desired.begin(), desired.end(), r) == desired.end()) desired.push_back(r);
      Change c{Action::Update, "keyword_rules", "", "", {}, json{{"rules", desired}}};
      for (const auto& r : desired)
        if (std::find(current.begin(), current.end(), r) == current.end())
          c.fields.push_back({"rule", nullptr, r});
      for (const auto& r : current)
        if (std::find(desired.begin(), desired.end(), r) == desired.end())
          c.fields.push_back({"rule", r, nullptr});
      if (!c.fields.empty()) plan.changes.push_back(std::move(c));
    }
  }
}

// Branding colours and CSS, and the logo and favicon images.
void plan_branding(const PlanInput& in, EnvPlan& plan) {
  if (in.doc.contains("branding")) {
    // A colour equal to the platform's in another spelling (#FFF, #ffffff)
    // is no change; a different one is sent as the file writes it.
    const json& b = in.doc["branding"];
    const json wanted_canonical = policy::canonical_branding(b),
               stored_canonical = policy::canonical_branding(in.state.branding);
    json desired = in.state.branding;
    desired.erase("logo_url");
    desired.erase("favicon_url");
    std::vector<std::string> fields;
    for (const char* f : {"primary_color", "accent_color", "background_color", "css"})
      if (b.contains(f)) {
        if (!(stored_canonical.contains(f) && wanted_canonical[f] == stored_canonical[f]))
          desired[f] = b[f];
        fields.emplace_back(f);
      }
    Change c{Action::Update, "branding", "", "", {}, desired};
    compare(in.state.branding, desired, fields, c.fields);
    if (!c.fields.empty()) plan.changes.push_back(std::move(c));
    for (const auto& [slot, wanted, current] :
         {std::tuple{"logo", &in.images.logo, &in.state.logo},
          std::tuple{"favicon", &in.images.favicon, &in.state.favicon}}) {
      if (!b.contains(slot) || !*wanted || *wanted == *current) continue;
      plan.changes.push_back(Change{
          Action::Update,
          slot,
          "",
          "",
          {{slot, current->has_value() ? json(image_summary(*current)) : json(nullptr),
            json(fmt::format("{} ({})", b[slot].get<std::string>(), image_summary(*wanted)))}},
          json{{"path", b[slot]}}});
    }
  }
}

// Every department path the file names, with its ancestors.
std::set<std::string> wanted_paths(const json& doc) {
  std::set<std::string> paths;
  if (doc.contains("departments"))
    for (const auto& d : doc["departments"])
      for (const auto& p : with_ancestors(d["path"].get<std::string>())) paths.insert(p);
  return paths;
}

// Departments to create, parents first.
void plan_departments(const PlanInput& in, EnvPlan& plan) {
  std::map<std::string, const json*> departments_by_path;
  for (const auto& d : in.state.departments) departments_by_path[text(d, "path")] = &d;
  {
    std::vector<std::string> to_create;
    for (const auto& p : wanted_paths(in.doc))
      if (!departments_by_path.count(p)) to_create.push_back(p);
    std::stable_sort(to_create.begin(), to_create.end(),
                     [](const auto& a, const auto& b) { return depth(a) < depth(b); });
    for (const auto& p : to_create) {
      auto parts = split_path(p);
      Change c{Action::Create,
               "department",
               p,
               "",
               {{"path", nullptr, p}},
               json{{"path", p}, {"name", parts.back()}}};
      c.desired["parent_path"] = parts.size() > 1 ? json(p.substr(0, p.rfind('/'))) : json(nullptr);
      plan.changes.push_back(std::move(c));
    }
  }
}

// Seed users to create or update (matched by userName, case-insensitively).
void plan_seed_users(const PlanInput& in, EnvPlan& plan) {
  std::map<std::string, std::string> path_of_department_id;
  for (const auto& d : in.state.departments) path_of_department_id[text(d, "id")] = text(d, "path");
  std::map<std::string, const json*> users_by_name;
  for (const auto& u : in.state.users) users_by_name[text::lower_ascii(text(u, "userName"))] = &u;
  for (const auto& u : in.seed_users) {
    const auto name = u["userName"].get<std::string>();
    json desired = u;
    if (!desired.contains("displayName")) desired["displayName"] = name;
    auto it = users_by_name.find(text::lower_ascii(name));
    if (it == users_by_name.end()) {
      Change c{Action::Create, "user", name, "", {}, desired};
      for (const auto& [k, v] : desired.items()) c.fields.push_back({k, nullptr, v});
      plan.changes.push_back(std::move(c));
      continue;
    }
    const json& cur = *it->second;
    json current = {{"userName", text(cur, "userName")},
                    {"email", primary_email(cur)},
                    {"displayName", text(cur, "displayName")}};
    if (cur.contains("title")) current["title"] = cur["title"];
    if (cur.contains("name")) {
      if (cur["name"].contains("givenName")) current["givenName"] = cur["name"]["givenName"];
      if (cur["name"].contains("familyName")) current["familyName"] = cur["name"]["familyName"];
    }
    const char* ext = "urn:daoffice:scim:schemas:extension:profile:1.0:User";
    if (cur.contains(ext) && cur[ext].contains("departmentId"))
      current["department"] = path_of_department_id[text(cur[ext], "departmentId")];
    Change c{Action::Update, "user", name, text(cur, "id"), {}, desired};
    compare(current, desired,
            {"email", "displayName", "givenName", "familyName", "title", "department"}, c.fields);
    if (!c.fields.empty()) plan.changes.push_back(std::move(c));
  }
}

// Communities or badges to create or update (matched by external_id); with
// prune, the deletions, returned so they can go last.
std::vector<Change> plan_catalogue(const PlanInput& in, EnvPlan& plan, const char* kind, const char* section,
                                   const std::vector<json>& current_items, const std::vector<std::string>& fields) {
  if (!in.doc.contains(section)) return std::vector<Change>{};
  std::map<std::string, const json*> by_external;
  for (const auto& item : current_items)
    if (item.contains("external_id") && item["external_id"].is_string())
      by_external[text(item, "external_id")] = &item;
  std::set<std::string> named;
  std::vector<Change> deletions;
  for (const auto& item : in.doc[section]) {
    const auto key = item["external_id"].get<std::string>();
    named.insert(key);
    json desired = item;
    for (const char* refs : {"owners", "members"})
      if (desired.contains(refs)) desired[refs] = sorted_names(item[refs], in.users, false);
    auto it = by_external.find(key);
    if (it == by_external.end()) {
      Change c{Action::Create, kind, key, "", {}, desired};
      for (const auto& f : fields)
        if (desired.contains(f)) c.fields.push_back({f, nullptr, desired[f]});
      plan.changes.push_back(std::move(c));
      continue;
    }
    json current = *it->second;
    for (const char* refs : {"owners", "members"})
      if (current.contains(refs)) current[refs] = sorted_names(current[refs], in.users, true);
    Change c{Action::Update, kind, key, text(current, "id"), {}, desired};
    compare(current, desired, fields, c.fields);
    if (!c.fields.empty()) plan.changes.push_back(std::move(c));
  }
  if (in.prune)
    for (const auto& item : current_items) {
      const auto key = text(item, "external_id");
      if (!key.empty() && named.count(key)) continue;
      deletions.push_back(Change{Action::Delete,
                                 kind,
                                 key.empty() ? "id:" + text(item, "id") : key,
                                 text(item, "id"),
                                 {{"name", item.value("name", json(nullptr)), nullptr}},
                                 json(nullptr)});
    }
  return deletions;
}

// Seed posts to create or update, when the platform has posts.
void plan_seed_posts(const PlanInput& in, EnvPlan& plan) {
  std::map<std::string, std::string> community_external_of_id;
  for (const auto& c : in.state.communities)
    if (c.contains("external_id") && c["external_id"].is_string())
      community_external_of_id[text(c, "id")] = text(c, "external_id");
  if (in.doc.contains("seed") && in.doc["seed"].contains("posts") && !in.doc["seed"]["posts"].empty()) {
    if (!in.state.posts_supported) {
      plan.notes.push_back("the platform has no /api/v1/posts: the file's seed posts are skipped");
    } else {
      std::map<std::string, const json*> by_external;
      for (const auto& p : in.state.posts)
        if (p.contains("external_id") && p["external_id"].is_string())
          by_external[text(p, "external_id")] = &p;
      for (const auto& post : in.doc["seed"]["posts"]) {
        const auto key = post["external_id"].get<std::string>();
        json desired = post;
        desired["author"] = in.users.canonical(post["author"].get<std::string>());
        const std::vector<std::string> fields = {"type",   "title",  "body",
                                                 "pinned", "author", "community"};
        auto it = by_external.find(key);
        if (it == by_external.end()) {
          Change c{Action::Create, "post", key, "", {}, desired};
          for (const auto& f : fields)
            if (desired.contains(f)) c.fields.push_back({f, nullptr, desired[f]});
          plan.changes.push_back(std::move(c));
          continue;
        }
        const json& cur = *it->second;
        json current = cur;
        current["author"] = in.users.name_of_id(text(cur, "author_id"));
        if (cur.contains("community_id") && cur["community_id"].is_string())
          current["community"] = community_external_of_id[text(cur, "community_id")];
        Change c{Action::Update, "post", key, text(cur, "id"), {}, desired};
        compare(current, desired, fields, c.fields);
        if (!c.fields.empty()) plan.changes.push_back(std::move(c));
      }
    }
  }
}

// With prune: departments the file does not name, deepest first, except
// those with members and their ancestors.
void plan_department_deletions(const PlanInput& in, EnvPlan& plan) {
  const std::set<std::string> wanted = wanted_paths(in.doc);
  if (in.prune && in.doc.contains("departments")) {
    std::vector<const json*> doomed;
    for (const auto& d : in.state.departments)
      if (!wanted.count(text(d, "path"))) doomed.push_back(&d);
    // A department that still has members is kept, and so are its ancestors:
    // the platform refuses to delete it (409), and prune exists to tidy what
    // the file no longer names, not to move people. The plan says so instead
    // of failing half-way through an apply over a seeded or lived-in platform.
    std::set<std::string> kept;
    std::size_t with_members = 0;
    std::string named;
    for (const json* d : doomed) {
      const auto members = d->contains("member_count") && (*d)["member_count"].is_number_integer()
                               ? (*d)["member_count"].get<std::int64_t>()
                               : 0;
      if (members <= 0) continue;
      const auto path = text(*d, "path");
      if (++with_members <= 5)
        named += fmt::format("{}{} ({})", named.empty() ? "" : ", ", path, members);
      for (auto cut = path.size(); cut != std::string::npos && cut > 0;
           cut = path.rfind('/', cut - 1))
        kept.insert(path.substr(0, cut));
    }
    if (with_members > 0)
      plan.notes.push_back(fmt::format(
          "{} department(s) not pruned because people are in them (move them first): {}{}",
          with_members, named,
          with_members > 5 ? fmt::format(" and {} more", with_members - 5) : ""));
    std::erase_if(doomed, [&](const json* d) { return kept.count(text(*d, "path")) > 0; });
    std::stable_sort(doomed.begin(), doomed.end(), [](const json* a, const json* b) {
      return depth(text(*a, "path")) > depth(text(*b, "path"));
    });
    for (const json* d : doomed)
      plan.changes.push_back(Change{Action::Delete,
                                    "department",
                                    text(*d, "path"),
                                    text(*d, "id"),
                                    {{"path", text(*d, "path"), nullptr}},
                                    json(nullptr)});
  }
}

}  // namespace

EnvPlan plan_env(const EnvSpec& spec, const EnvImages& images, const PlatformState& state,
                 bool prune) {
  EnvPlan plan;
  const json& doc = spec.doc;
  const json no_users = json::array();
  const json& seed_users =
      doc.contains("seed") && doc["seed"].contains("users") ? doc["seed"]["users"] : no_users;
  const UserIndex users(state.users, seed_users);
  const PlanInput in{doc, images, state, prune, seed_users, users};
  // Dependencies first: settings, departments, users, then what names users
  // (communities, badges, posts); deletions last, dependants first.
  plan_policies(in, plan);
  plan_branding(in, plan);
  plan_departments(in, plan);
  plan_seed_users(in, plan);
  auto community_deletions = plan_catalogue(in, plan, "community", "communities", state.communities,
                                            {"name", "description", "visibility", "owners", "members"});
  auto badge_deletions = plan_catalogue(in, plan, "badge", "badges", state.badges, {"name", "description"});
  plan_seed_posts(in, plan);
  for (auto& c : badge_deletions) plan.changes.push_back(std::move(c));
  for (auto& c : community_deletions) plan.changes.push_back(std::move(c));
  plan_department_deletions(in, plan);
  return plan;
}

std::string plan_text(const EnvPlan& plan) {
  std::string out;
  auto value = [](const json& v) {
    return v.is_null() ? std::string("(none)") : v.is_string() ? v.get<std::string>() : v.dump();
  };
  for (const auto& c : plan.changes) {
    const char* mark = c.action == Action::Create ? "+" : c.action == Action::Update ? "~" : "-";
    const std::string name = c.key.empty() ? c.kind : c.kind + " " + c.key;
    if (c.action == Action::Delete) {
      out += fmt::format("{} {}\n", mark, name);
      continue;
    }
    if (c.action == Action::Create) {
      out += fmt::format("{} {}\n", mark, name);
      for (const auto& f : c.fields) out += fmt::format("    {}: {}\n", f.field, value(f.to));
      continue;
    }
    for (const auto& f : c.fields) {
      if (f.field == "rule")
        out += fmt::format("{} {}: {} rule {}\n", mark, name, f.from.is_null() ? "add" : "remove",
                           (f.from.is_null() ? f.to : f.from).dump());
      else
        out += fmt::format("{} {}: {} {} -> {}\n", mark, name, f.field, value(f.from), value(f.to));
    }
  }
  return out;
}

json plan_json(const EnvPlan& plan) {
  json out = json::array();
  for (const auto& c : plan.changes) {
    json fields = json::array();
    for (const auto& f : c.fields)
      fields.push_back({{"field", f.field}, {"from", f.from}, {"to", f.to}});
    out.push_back({{"action", to_string(c.action)},
                   {"kind", c.kind},
                   {"key", c.key},
                   {"id", c.id.empty() ? json(nullptr) : json(c.id)},
                   {"fields", std::move(fields)}});
  }
  return out;
}

// ------------------------------------------------------------------ export

json export_env(const PlatformState& state, const std::optional<std::string>& logo_path,
                const std::optional<std::string>& favicon_path, std::vector<std::string>& skipped) {
  const UserIndex users(state.users, json::array());
  json doc = {{"version", 1}};
  json policies = json::object();
  if (!state.password_policy.empty()) {
    json password = state.password_policy;
    // Without a threshold the lockout duration is inert, and load_env refuses
    // it as a contradiction; leaving it out keeps the export loadable.
    if (password.value("lockout_threshold", 0) == 0) password.erase("lockout_minutes");
    policies["password"] = password;
  }
  if (!state.registration.empty()) {
    json r = {{"mode", state.registration.value("mode", "directory_only")}};
    if (r["mode"] == "domains")
      r["allowed_domains"] = state.registration.value("allowed_domains", json::array());
    policies["registration"] = r;
  }
  json keywords = json::array();
  for (const auto& rule : state.keyword_rules) keywords.push_back(normalised_rule(rule));
  policies["keywords"] = keywords;
  doc["policies"] = policies;

  json branding = json::object();
  for (const char* f : {"primary_color", "accent_color", "background_color", "css"})
    if (state.branding.contains(f)) branding[f] = state.branding[f];
  if (logo_path) branding["logo"] = *logo_path;
  if (favicon_path) branding["favicon"] = *favicon_path;
  doc["branding"] = branding;

  std::vector<std::string> paths;
  for (const auto& d : state.departments) paths.push_back(text(d, "path"));
  std::sort(paths.begin(), paths.end());
  json departments = json::array();
  for (const auto& p : paths) departments.push_back({{"path", p}});
  doc["departments"] = departments;

  std::set<std::string> referenced;  // user names the exported objects need
  std::map<std::string, std::string> community_external_of_id;
  json communities = json::array();
  for (const auto& c : state.communities) {
    const auto key = text(c, "external_id");
    if (key.empty()) {
      skipped.push_back(
          fmt::format("community {} \"{}\" (no external_id)", text(c, "id"), text(c, "name")));
      continue;
    }
    community_external_of_id[text(c, "id")] = key;
    json item = {{"external_id", key},
                 {"name", c.value("name", "")},
                 {"visibility", c.value("visibility", "public")}};
    if (!text(c, "description").empty()) item["description"] = c["description"];
    for (const char* refs : {"owners", "members"}) {
      json names = sorted_names(c.value(refs, json::array()), users, true);
      for (const auto& n : names) referenced.insert(n.get<std::string>());
      item[refs] = names;
    }
    communities.push_back(item);
  }
  doc["communities"] = communities;

  json badges = json::array();
  for (const auto& b : state.badges) {
    const auto key = text(b, "external_id");
    if (key.empty()) {
      skipped.push_back(
          fmt::format("badge {} \"{}\" (no external_id)", text(b, "id"), text(b, "name")));
      continue;
    }
    json item = {{"external_id", key}, {"name", b.value("name", "")}};
    if (!text(b, "description").empty()) item["description"] = b["description"];
    badges.push_back(item);
  }
  doc["badges"] = badges;

  json posts = json::array();
  for (const auto& p : state.posts) {
    const auto key = text(p, "external_id");
    if (key.empty()) continue;  // imported or user content: not seed data
    json item = {{"external_id", key},
                 {"type", p.value("type", "post")},
                 {"body", p.value("body", "")},
                 {"author", users.name_of_id(text(p, "author_id"))}};
    referenced.insert(item["author"].get<std::string>());
    if (p.contains("title") && p["title"].is_string()) item["title"] = p["title"];
    if (p.contains("pinned") && p["pinned"].is_boolean()) item["pinned"] = p["pinned"];
    if (p.contains("community_id") && p["community_id"].is_string()) {
      auto it = community_external_of_id.find(text(p, "community_id"));
      if (it != community_external_of_id.end()) item["community"] = it->second;
    }
    posts.push_back(item);
  }

  std::map<std::string, std::string> path_of_department_id;
  for (const auto& d : state.departments) path_of_department_id[text(d, "id")] = text(d, "path");
  json seed_users = json::array();
  for (const auto& u : state.users) {
    const auto name = text(u, "userName");
    if (!referenced.count(name) && !text(u, "externalId").starts_with(kUserExternalPrefix))
      continue;
    json item = {{"userName", name}, {"email", primary_email(u)}};
    if (!text(u, "displayName").empty()) item["displayName"] = u["displayName"];
    if (u.contains("name")) {
      if (u["name"].contains("givenName")) item["givenName"] = u["name"]["givenName"];
      if (u["name"].contains("familyName")) item["familyName"] = u["name"]["familyName"];
    }
    if (u.contains("title")) item["title"] = u["title"];
    const char* ext = "urn:daoffice:scim:schemas:extension:profile:1.0:User";
    if (u.contains(ext) && u[ext].contains("departmentId")) {
      auto it = path_of_department_id.find(text(u[ext], "departmentId"));
      if (it != path_of_department_id.end()) item["department"] = it->second;
    }
    seed_users.push_back(item);
  }
  doc["seed"] = {{"users", seed_users}, {"posts", posts}};
  return doc;
}

}  // namespace daoctl::env
