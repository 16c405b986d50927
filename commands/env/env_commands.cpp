#include "commands/env/env_commands.hpp"
#include "commands/common/scim_lookup.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <CLI/CLI.hpp>

#include "commands/branding/branding.hpp"
#include "commands/common/command_doc.hpp"
#include "commands/common/confirm.hpp"
#include "commands/policy/policy.hpp"
#include "commands/policy/settings_api.hpp"
#include "connectors/local/files.hpp"
#include "core/policy/image.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;
using platform::url_encode_segment;

namespace {

constexpr const char* kProfileExtension = "urn:daoffice:scim:schemas:extension:profile:1.0:User";

// Every item is type-checked by `check` (platform::Answer) as it arrives.
std::vector<json> list_all(CommandContext& ctx, const std::string& path,
                           void (*check)(const platform::Answer&)) {
  std::vector<json> items;
  long long number = 0;
  value_or_throw(ctx.client().cursor_list(path, 1000, [&](const json& page) {
    check_page(page, "page " + std::to_string(++number) + " of " + path, "/items", check);
    for (const auto& item : page) items.push_back(item);
  }));
  return items;
}

// A community or badge: what plan_env and the applier read of it.
void check_catalogue_item(const platform::Answer& a) {
  a.required<std::string>("/id");
  for (const char* field : {"/external_id", "/name", "/description", "/visibility", "/icon_file_id"})
    a.check(field, platform::JsonKind::String);
  a.check("/owners", platform::JsonKind::Array);
  a.check("/members", platform::JsonKind::Array);
  a.check("/member_count", platform::JsonKind::Integer);
}

// The id of an object the platform just created.
std::string created_id(const json& answer, const std::string& object) {
  return platform::Answer(answer, object).required<std::string>("/id");
}

struct LoadedEnv {
  env::EnvSpec spec;
  env::EnvImages images;
};

LoadedEnv load_env_file(const std::string& path, CommandContext& ctx) {
  auto text = local::read_file(path);
  if (!text) {
    Error e = text.error();
    e.kind = ErrorKind::Config;
    throw CommandError(std::move(e));
  }
  LoadedEnv loaded{value_or_throw(env::load_env(*text, path)), {}};
  for (const auto& w : loaded.spec.warnings) ctx.io().err() << w << '\n';
  // Images: relative to the file's directory, checked by content.
  const json& doc = loaded.spec.doc;
  if (doc.contains("branding")) {
    const fs::path base = fs::path(path).parent_path();
    for (const char* slot : {"logo", "favicon"}) {
      if (!doc["branding"].contains(slot)) continue;
      const std::string given = doc["branding"][slot].get<std::string>();
      const fs::path image = fs::path(given).is_absolute() ? fs::path(given) : base / given;
      const std::string shown = fmt::format(
          "{}: branding.{} {}", loaded.spec.where(fmt::format("/branding/{}", slot)), slot, given);
      std::string bytes;
      try {
        bytes = read_checked_image(image.string(), slot, shown);
      } catch (const CommandError& e) {
        Error err = e.error();
        err.kind = err.kind == ErrorKind::Io ? ErrorKind::Config : err.kind;
        err.message = fmt::format("invalid environment file {}: {}", path, err.message);
        throw CommandError(std::move(err));
      }
      (std::string_view(slot) == "logo" ? loaded.images.logo : loaded.images.favicon) =
          std::move(bytes);
    }
  }
  return loaded;
}

void print_plan(const env::EnvPlan& plan, CommandContext& ctx, std::ostream& out) {
  if (ctx.format() == output::Format::Json) {
    output::render_json(out, env::plan_json(plan));
    return;
  }
  out << env::plan_text(plan);
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
      catalogue(c, "/api/v1/communities");
    else if (c.kind == "badge")
      catalogue(c, "/api/v1/badges");
    else if (c.kind == "post")
      catalogue(c, "/api/v1/posts");
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
    if (c.action == env::Action::Delete) {
      value_or_throw(ctx_.client().send_json(
          "DELETE", "/api/v1/departments/" + url_encode_segment(c.id), object));
      return;
    }
    json body = {{"name", c.desired["name"]},
                 {"external_id", env::kDepartmentExternalPrefix + c.key}};
    if (c.desired["parent_path"].is_string())
      body["parent_id"] = department_id(c.desired["parent_path"].get<std::string>(), object);
    auto created =
        value_or_throw(ctx_.client().send_json("POST", "/api/v1/departments", object, body));
    department_ids_[c.key] = created_id(created, object);
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
      auto created = value_or_throw(ctx_.client().send_json("POST", "/scim/v2/Users", object, doc));
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
    value_or_throw(ctx_.client().send_json("PATCH", "/scim/v2/Users/" + url_encode_segment(c.id),
                                           object, patch));
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

  void catalogue(const env::Change& c, const std::string& collection) {
    const std::string object = c.kind + " " + c.key;
    auto& client = ctx_.client();
    if (c.action == env::Action::Delete) {
      value_or_throw(
          client.send_json("DELETE", collection + "/" + url_encode_segment(c.id), object));
      return;
    }
    if (c.action == env::Action::Update) {
      value_or_throw(client.send_json("PATCH", collection + "/" + url_encode_segment(c.id), object,
                                      catalogue_body(c, object, false)));
      return;
    }
    json body = catalogue_body(c, object, true);
    auto created = client.send_json("POST", collection, object, body);
    std::string id;
    if (created) {
      id = created_id(*created, object);
    } else if (created.error().http_status == 409) {
      // Created by an earlier run that died before it could tell: converge.
      auto existing = value_or_throw(client.get_json(
          collection + "?external_id=" + platform::url_encode_query(c.key), object));
      const platform::Answer found(existing, object);
      if (found.array("/items").empty()) throw CommandError(std::move(created.error()));
      id = found.required<std::string>("/items/0/id");
      body.erase("external_id");
      value_or_throw(
          client.send_json("PATCH", collection + "/" + url_encode_segment(id), object, body));
    } else {
      throw CommandError(std::move(created.error()));
    }
    if (c.kind == "community") community_ids_[c.key] = id;
  }

  CommandContext& ctx_;
  const env::EnvImages& images_;
  env::UserIndex users_;
  std::map<std::string, std::string> etags_;           // settings API name -> ETag read
  std::map<std::string, std::string> department_ids_;  // path -> id
  std::map<std::string, std::string> community_ids_;   // external_id -> id
};

bool file_has_posts(const env::EnvSpec& spec) {
  const json& doc = spec.doc;
  return doc.contains("seed") && doc["seed"].contains("posts") && !doc["seed"]["posts"].empty();
}

}  // namespace

env::PlatformState fetch_platform_state(CommandContext& ctx, bool with_posts,
                                        std::map<std::string, std::string>* etags) {
  env::PlatformState state;
  auto read = [&](const char* name) {
    auto doc = get_setting(ctx, name);
    if (etags) (*etags)[name] = doc.etag;
    return std::move(doc.body);
  };
  state.password_policy = read("password-policy");
  state.registration = read("registration");
  {
    const json rules = read("keyword-rules");
    state.keyword_rules = platform::Answer(rules, "keyword-rules").array("/rules");
  }
  state.branding = read("branding");
  const platform::Answer branding(state.branding, "branding");
  if (value_or_throw(branding.find<std::string>("/logo_url"))) state.logo = get_branding_image(ctx, "logo");
  if (value_or_throw(branding.find<std::string>("/favicon_url")))
    state.favicon = get_branding_image(ctx, "favicon");
  state.departments = list_all(ctx, "/api/v1/departments", check_department);
  long long page_number = 0;
  value_or_throw(ctx.client().scim_list("/scim/v2/Users", "", 1000, [&](const json& page) {
    check_page(page, "page " + std::to_string(++page_number) + " of /scim/v2/Users", "/Resources", check_user);
    for (const auto& u : page) state.users.push_back(u);
  }));
  state.communities = list_all(ctx, "/api/v1/communities", check_catalogue_item);
  state.badges = list_all(ctx, "/api/v1/badges", check_catalogue_item);
  state.posts_supported = false;
  if (with_posts) {
    std::vector<json> posts;
    auto listed = ctx.client().cursor_list("/api/v1/posts", 1000, [&](const json& page) {
      for (const auto& p : page) posts.push_back(p);
    });
    if (listed) {
      state.posts = std::move(posts);
      state.posts_supported = true;
    } else if (listed.error().http_status != 404) {
      throw CommandError(std::move(listed.error()));
    }
  }
  return state;
}

int run_env_diff(const EnvOptions& opts, CommandContext& ctx) {
  auto loaded = load_env_file(opts.file, ctx);
  auto state = fetch_platform_state(ctx, file_has_posts(loaded.spec));
  auto plan = env::plan_env(loaded.spec, loaded.images, state, opts.prune);
  for (const auto& note : plan.notes) ctx.warn(note);
  print_plan(plan, ctx, ctx.io().out());
  if (plan.empty()) ctx.info(fmt::format("no changes: the platform matches {}", opts.file));
  return plan.empty() ? exit_code::ok : exit_code::changes_pending;
}

int run_env_apply(const EnvOptions& opts, CommandContext& ctx) {
  auto loaded = load_env_file(opts.file, ctx);
  std::map<std::string, std::string> etags;
  auto state = fetch_platform_state(ctx, file_has_posts(loaded.spec), &etags);
  auto plan = env::plan_env(loaded.spec, loaded.images, state, opts.prune);
  for (const auto& note : plan.notes) ctx.warn(note);
  if (plan.empty()) {
    ctx.info(fmt::format("no changes: the platform matches {}", opts.file));
    if (ctx.format() == output::Format::Json)
      output::render_json(ctx.io().out(), env::plan_json(plan));
    return exit_code::ok;
  }
  const auto deletions =
      std::count_if(plan.changes.begin(), plan.changes.end(),
                    [](const env::Change& c) { return c.action == env::Action::Delete; });
  if (!ctx.global.quiet) ctx.io().err() << env::plan_text(plan);
  if (deletions > 0)
    confirm_by_typing(
        ctx,
        fmt::format("delete {} object(s) that {} does not name (--prune)", deletions, opts.file),
        opts.file, "delete");
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
  ctx.info(fmt::format("applied {} change{} from {}", done, done == 1 ? "" : "s", opts.file));
  if (ctx.format() == output::Format::Json)
    output::render_json(ctx.io().out(), env::plan_json(plan));
  return exit_code::ok;
}

int run_export_env(const ExportEnvOptions& opts, CommandContext& ctx) {
  auto state = fetch_platform_state(ctx, true);
  const fs::path out(opts.output);
  const fs::path dir = out.parent_path();
  const std::string stem = out.stem().string();
  std::optional<std::string> logo_path, favicon_path;
  if (opts.output != "-" && !dir.empty()) value_or_throw(local::make_dirs(dir.string()));
  for (auto [slot, bytes, rel] : {std::tuple{"logo", &state.logo, &logo_path},
                                  std::tuple{"favicon", &state.favicon, &favicon_path}}) {
    if (!*bytes) continue;
    const auto format = policy::inspect_image(**bytes).format;
    std::string ext = policy::to_string(format);
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    const std::string name = fmt::format("{}.{}.{}", stem, slot, ext);
    value_or_throw(local::write_file_atomic((dir / name).string(), **bytes));
    *rel = "./" + name;
  }
  std::vector<std::string> skipped;
  json doc = env::export_env(state, logo_path, favicon_path, skipped);
  for (const auto& s : skipped) ctx.warn(fmt::format("not exported: {}", s));
  std::ostringstream yaml;
  yaml << "# daoctl export-env: apply with `daoctl apply -f " << out.filename().string() << "`\n";
  output::render_yaml(yaml, doc);
  if (opts.output == "-") {
    ctx.io().out() << yaml.str();
  } else {
    value_or_throw(local::write_file_atomic(opts.output, yaml.str()));
    ctx.info(fmt::format("wrote {}", opts.output));
  }
  return exit_code::ok;
}

void register_env(CLI::App& root, CommandContext& ctx) {
  for (bool is_apply : {false, true}) {
    auto opts = std::make_shared<EnvOptions>();
    auto& cmd = add_command(
        root,
        {is_apply ? "apply" : "diff",
         is_apply ? "Make the platform match an environment file (env.yaml)"
                  : "Show how the platform differs from an environment file (exit 8 when it does)",
         is_apply ? "daoctl apply -f env.yaml" : "daoctl diff -f env.yaml"});
    cmd.add_option("-f,--file", opts->file, "The environment file (schemas/env.schema.json)")
        ->required();
    cmd.add_flag("--prune", opts->prune,
                 "Also remove departments, communities and badges (and keyword rules) the file "
                 "does not name");
    if (!is_apply) {
      cmd.callback([&ctx, opts] { ctx.exit_status = run_env_diff(*opts, ctx); });
      continue;
    }
    add_job_report_flags(cmd, opts->report_files);
    cmd.callback([&ctx, opts] {
      JobReport report("apply", "env_apply");
      report.extra["file"] = opts->file;
      ctx.exit_status =
          run_reported(ctx, opts->report_files, report, [&](JobReport&) { return run_env_apply(*opts, ctx); });
    });
  }
  auto export_opts = std::make_shared<ExportEnvOptions>();
  auto& exp =
      add_command(root, {"export-env", "Write the platform's environment as a file apply accepts",
                         "daoctl export-env -O env.yaml"});
  exp.add_option("-O,--output-file", export_opts->output,
                 "Where to write env.yaml (- for stdout); images go beside it");
  exp.callback([&ctx, export_opts] {
    // Checked here, not by CLI11, so that `-o env.yaml` gets the -o/-O hint first.
    if (export_opts->output.empty())
      throw CommandError(ErrorKind::Usage, "export-env needs -O FILE", "daoctl export-env", "",
                         "daoctl export-env -O env.yaml (or -O - for stdout)");
    ctx.exit_status = run_export_env(*export_opts, ctx);
  });
}

void register_environment_commands(CLI::App& root, CommandContext& ctx) {
  register_policy(root, ctx);
  register_branding(root, ctx);
  register_env(root, ctx);
}

}  // namespace daoctl::commands
