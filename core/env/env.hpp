// Declarative environments (env.yaml): loading with every problem at
// file:line:column, the plan that turns the platform's current state into the
// file's (pure: the command layer fetches the state and executes the plan),
// and the export of a state as a file that apply accepts.
//
// Matching keys: departments by path, communities/badges/posts by external_id,
// seed users by userName (case-insensitively). A section absent from the file
// is left alone; objects of a present section that the file does not name are
// deleted only with prune (seed users are never deleted: removing people is
// deprovisioning's job). Keyword rules are a set: without prune the file's
// rules are added to the existing ones, with prune they replace them.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/schema/yaml_json.hpp"

namespace daoctl::env {

using nlohmann::json;

struct EnvSpec {
  std::string file;                   // the name used in messages
  json doc;                           // validated against schemas/env.schema.json
  schema::SourceMap positions;        // JSON pointer -> line:column
  std::vector<std::string> warnings;  // "env.yaml:4:5: warning: ..." (policy guidance, contrast)

  // "env.yaml:12:7" for a pointer (or its nearest ancestor); "env.yaml" without one.
  std::string where(std::string_view pointer) const;
};

// Parses and validates: the JSON Schema, then the policy checks of
// core/policy (bounds, contradictions, colours, keyword patterns) and the
// references (owners/members/authors must be seed users or look like e-mail
// addresses/userNames; a post's community must be in the file or exist).
// Errors (kind Config): every problem, one per line, as file:line:column.
Result<EnvSpec> load_env(std::string_view text, std::string_view file_name);

// What the platform holds now, as its API returns it.
struct PlatformState {
  json password_policy = json::object();
  json registration = json::object();
  json keyword_rules = json::array();  // rules with id/pattern/action/scope
  json branding = json::object();
  std::optional<std::string> logo;  // image bytes, nullopt when none
  std::optional<std::string> favicon;
  std::vector<json> departments;  // Department objects (id, name, parent_id, path, ...)
  std::vector<json> users;        // SCIM User resources
  std::vector<json> communities;
  std::vector<json> badges;
  std::vector<json> posts;
  bool posts_supported = true;  // false when the platform has no /api/v1/posts
};

// Image bytes the file names (branding.logo / branding.favicon), read by the caller.
struct EnvImages {
  std::optional<std::string> logo;
  std::optional<std::string> favicon;
};

enum class Action { Create, Update, Delete };
const char* to_string(Action action) noexcept;

struct FieldChange {
  std::string field;
  json from;  // null when absent
  json to;
  friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

// One step of a plan. `kind` is password_policy, registration, keyword_rules,
// branding, logo, favicon, department, user, community, badge or post.
struct Change {
  Action action = Action::Update;
  std::string kind;
  std::string key;                  // department path, external_id, userName; "" for settings
  std::string id;                   // the platform id for update/delete
  std::vector<FieldChange> fields;  // what differs (update), what is set (create)
  // The desired object: for settings the whole document to PUT; for objects
  // the fields with references still as names (owners/members/author as
  // userNames, community as external_id, department/path as paths), which
  // the executor resolves to ids when it reaches the step.
  json desired;
};

struct EnvPlan {
  std::vector<Change> changes;     // in dependency order, deletions last (deepest first)
  std::vector<std::string> notes;  // e.g. posts skipped because the platform lacks them
  bool empty() const { return changes.empty(); }
};

// Compares the file with the platform. Deterministic: same inputs, same plan.
EnvPlan plan_env(const EnvSpec& spec, const EnvImages& images, const PlatformState& state,
                 bool prune);

// One line per change: "+ community welcome", "~ password_policy: min_length 8 -> 12",
// "- badge old"; fields of a create are listed as "    name: ..." lines.
std::string plan_text(const EnvPlan& plan);
// [{"action","kind","key","id","fields":[{"field","from","to"}]}]
json plan_json(const EnvPlan& plan);

// The canonical userName for a reference (userName or e-mail, any case) among
// the platform's users and the file's seed users; the reference itself when
// nobody matches.
class UserIndex {
 public:
  UserIndex(const std::vector<json>& scim_users, const json& seed_users);
  std::string canonical(const std::string& ref) const;
  // The userName for a platform id; "id:<id>" for an unknown id.
  std::string name_of_id(const std::string& id) const;
  // The platform id of a canonical userName, if the user exists.
  std::optional<std::string> id_of(const std::string& user_name) const;
  void add(const std::string& id, const std::string& user_name);

 private:
  std::map<std::string, std::string> by_ref_;      // lower-case userName/e-mail -> userName
  std::map<std::string, std::string> by_id_;       // id -> userName
  std::map<std::string, std::string> id_by_name_;  // lower-case userName -> id
};

// The environment as a file apply accepts. Images are referenced as
// `logo_path`/`favicon_path` when given (the caller writes the bytes there).
// Communities, badges and posts without an external_id cannot be matched and
// are skipped (named in `skipped`). Seed users are the users the exported
// objects refer to and the users an earlier apply created (externalId "env:...").
json export_env(const PlatformState& state, const std::optional<std::string>& logo_path,
                const std::optional<std::string>& favicon_path, std::vector<std::string>& skipped);

// externalId/external_id prefixes of objects apply creates.
inline constexpr const char* kDepartmentExternalPrefix = "env:department:";
inline constexpr const char* kUserExternalPrefix = "env:user:";

}  // namespace daoctl::env
