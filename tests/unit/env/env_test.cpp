#include "core/env/env.hpp"

#include <catch2/catch.hpp>

using namespace daoctl;
using namespace daoctl::env;
using nlohmann::json;

namespace {

EnvSpec load(const std::string& text) {
  auto spec = load_env(text, "env.yaml");
  INFO((spec ? std::string() : spec.error().describe()));
  REQUIRE(spec);
  return *spec;
}

std::string load_error(const std::string& text) {
  auto spec = load_env(text, "env.yaml");
  REQUIRE_FALSE(spec);
  CHECK(spec.error().kind == ErrorKind::Config);
  return spec.error().detail;
}

PlatformState empty_platform() {
  PlatformState s;
  s.password_policy = {
      {"min_length", 8},        {"require_upper", false},  {"require_lower", false},
      {"require_digit", false}, {"require_symbol", false}, {"history", 0},
      {"max_age_days", 0},      {"lockout_threshold", 0},  {"lockout_minutes", 15}};
  s.registration = {{"mode", "directory_only"}, {"allowed_domains", json::array()}};
  s.branding = {{"primary_color", "#0a66c2"},    {"accent_color", "#f5a623"},
                {"background_color", "#ffffff"}, {"css", ""},
                {"logo_url", nullptr},           {"favicon_url", nullptr}};
  return s;
}

std::vector<std::string> summary(const EnvPlan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.changes)
    out.push_back(std::string(to_string(c.action)) + " " + c.kind + " " + c.key);
  return out;
}

}  // namespace

TEST_CASE("env files: problems carry file:line:column") {
  auto unknown =
      load_error("version: 1\nbranding:\n  primary_color: \"#fff\"\n  colour_scheme: dark\n");
  CHECK_THAT(unknown, Catch::Contains("env.yaml:") && Catch::Contains("colour_scheme"));
  auto bounds = load_error("version: 1\npolicies:\n  password:\n    min_length: 4\n");
  CHECK_THAT(bounds, Catch::StartsWith("env.yaml:4:17: /policies/password/min_length"));
  auto colour = load_error("version: 1\nbranding:\n  primary_color: blue\n");
  CHECK(colour ==
        "env.yaml:3:18: /branding/primary_color: primary_color \"blue\" is not a colour of the "
        "form #rgb or #rrggbb");
  auto dup = load_error(
      "version: 1\nbadges:\n  - {external_id: a, name: A}\n  - {external_id: a, name: B}\n");
  CHECK_THAT(dup, Catch::Contains("env.yaml:4:") && Catch::Contains("used by two badges"));
  auto dept = load_error(
      "version: 1\nseed:\n  users:\n    - {userName: a, email: a@x.example, department: "
      "Nowhere}\n");
  CHECK_THAT(dept, Catch::Contains("department \"Nowhere\" is not among the file's departments"));
  auto syntax = load_env("version: 1\nbranding: [\n", "env.yaml");
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().kind == ErrorKind::Config);
}

TEST_CASE("env files: guidance is a warning with its position") {
  auto spec = load("version: 1\npolicies:\n  password: {min_length: 8, lockout_threshold: 5}\n");
  REQUIRE(spec.warnings.size() == 1);
  CHECK_THAT(spec.warnings[0],
             Catch::StartsWith("env.yaml:3:") && Catch::Contains("warning: min_length 8"));
}

TEST_CASE("plan: an empty platform gets everything in dependency order") {
  auto spec = load(R"(version: 1
policies:
  password: {min_length: 15, lockout_threshold: 10, lockout_minutes: 15}
departments:
  - path: Company/IT/Backend
  - path: Company/Sales
communities:
  - {external_id: welcome, name: Welcome, owners: [ci@corp.example]}
badges:
  - {external_id: mentor, name: Mentor}
seed:
  users:
    - {userName: ci, email: ci@corp.example, department: Company/IT}
)");
  auto plan = plan_env(spec, {}, empty_platform(), false);
  CHECK(summary(plan) == std::vector<std::string>{
                             "update password_policy ",
                             "create department Company",
                             "create department Company/IT",
                             "create department Company/Sales",
                             "create department Company/IT/Backend",
                             "create user ci",
                             "create community welcome",
                             "create badge mentor",
                         });
  // The owner given by e-mail is the seed user's canonical userName.
  CHECK(plan.changes[6].desired["owners"] == json{"ci"});
  CHECK(plan.changes[0].fields ==
        std::vector<FieldChange>{{"lockout_threshold", 0, 10}, {"min_length", 8, 15}});
  CHECK(plan.changes[2].desired["parent_path"] == "Company");
}

TEST_CASE("plan: a platform that matches needs nothing, one changed field is one change") {
  auto spec = load(R"(version: 1
departments: [{path: Company/IT}]
communities:
  - {external_id: welcome, name: Welcome, visibility: private, owners: [ci]}
badges:
  - {external_id: mentor, name: Mentor, description: Helps}
policies:
  keywords: [{pattern: casino, action: hide}]
)");
  auto state = empty_platform();
  state.departments = {{{"id", "1"}, {"name", "Company"}, {"path", "Company"}},
                       {{"id", "2"}, {"name", "IT"}, {"path", "Company/IT"}}};
  state.users = {{{"id", "7"}, {"userName", "ci"}, {"emails", {{{"value", "ci@corp.example"}}}}}};
  state.communities = {
      {{"id", "3"},
       {"name", "Welcome"},
       {"visibility", "private"},
       {"owners", {"7"}},
       {"members", json::array()},
       {"description", ""},
       {"external_id", "welcome"}},
      {{"id", "4"}, {"name", "Other"}, {"external_id", nullptr}, {"owners", json::array()}}};
  state.badges = {
      {{"id", "5"}, {"name", "Mentor"}, {"description", "Helps"}, {"external_id", "mentor"}}};
  state.keyword_rules = {
      {{"id", "1"}, {"pattern", "casino"}, {"action", "hide"}, {"scope", "all"}},
      {{"id", "2"}, {"pattern", "spam"}, {"action", "flag"}, {"scope", "posts"}}};
  CHECK(plan_env(spec, {}, state, false).empty());

  state.badges[0]["description"] = "Helped";
  auto one = plan_env(spec, {}, state, false);
  REQUIRE(one.changes.size() == 1);
  CHECK(one.changes[0].id == "5");
  CHECK(one.changes[0].fields == std::vector<FieldChange>{{"description", "Helped", "Helps"}});
  CHECK(plan_text(one) == "~ badge mentor: description Helped -> Helps\n");

  SECTION(
      "prune deletes what the file does not name: rules, the unnamed community, extra "
      "departments") {
    state.badges[0]["description"] = "Helps";
    state.departments.push_back({{"id", "9"}, {"name", "Old"}, {"path", "Company/IT/Old"}});
    auto pruned = plan_env(spec, {}, state, true);
    CHECK(summary(pruned) == std::vector<std::string>{"update keyword_rules ",
                                                      "delete community id:4",
                                                      "delete department Company/IT/Old"});
    CHECK(pruned.changes[0].desired ==
          json{{"rules", {{{"pattern", "casino"}, {"action", "hide"}, {"scope", "all"}}}}});
  }

  SECTION("prune keeps a department people are in, and its ancestors, and says so (found by the README doctest)") {
    state.badges[0]["description"] = "Helps";
    state.keyword_rules.erase(state.keyword_rules.size() - 1);
    state.communities.erase(state.communities.end() - 1);
    state.departments.push_back({{"id", "9"}, {"name", "Sales"}, {"path", "Sales"}, {"member_count", 0}});
    state.departments.push_back({{"id", "10"}, {"name", "EMEA"}, {"path", "Sales/EMEA"}, {"member_count", 0}});
    state.departments.push_back(
        {{"id", "11"}, {"name", "Berlin"}, {"path", "Sales/EMEA/Berlin"}, {"member_count", 12}});
    state.departments.push_back({{"id", "12"}, {"name", "Empty"}, {"path", "Sales/Empty"}, {"member_count", 0}});
    auto pruned = plan_env(spec, {}, state, true);
    CHECK(summary(pruned) == std::vector<std::string>{"delete department Sales/Empty"});
    REQUIRE(pruned.notes.size() == 1);
    CHECK(pruned.notes[0] ==
          "1 department(s) not pruned because people are in them (move them first): Sales/EMEA/Berlin (12)");
  }
}

TEST_CASE("plan: a colour spelt #FFF or in capitals is the platform's #ffffff, not a change") {
  auto spec = load("version: 1\nbranding: {background_color: \"#FFF\", primary_color: \"#0A66C2\"}\n");
  CHECK(plan_env(spec, {}, empty_platform(), false).empty());
  auto state = empty_platform();
  state.branding["accent_color"] = "#F5A623";  // the platform may store capitals too
  auto other = load("version: 1\nbranding: {accent_color: \"#f5a623\"}\n");
  CHECK(plan_env(other, {}, state, false).empty());
}

TEST_CASE("plan: images compare by bytes, posts wait for platform support") {
  auto spec = load(R"(version: 1
branding: {logo: ./logo.png}
communities: [{external_id: c, name: C}]
seed:
  users: [{userName: a, email: a@x.example}]
  posts: [{external_id: p, type: news, body: Hi, author: a, community: c}]
)");
  auto state = empty_platform();
  state.posts_supported = false;
  EnvImages images{std::string("PNGBYTES"), std::nullopt};
  auto plan = plan_env(spec, images, state, false);
  CHECK(summary(plan) ==
        std::vector<std::string>{"update logo ", "create user a", "create community c"});
  REQUIRE(plan.notes.size() == 1);
  state.logo = "PNGBYTES";
  state.posts_supported = true;
  auto with_posts = plan_env(spec, images, state, false);
  CHECK(summary(with_posts) ==
        std::vector<std::string>{"create user a", "create community c", "create post p"});
}

TEST_CASE("export: a state becomes a file that loads and plans to nothing") {
  auto state = empty_platform();
  state.departments = {{{"id", "1"}, {"name", "Company"}, {"path", "Company"}}};
  state.users = {
      {{"id", "7"},
       {"userName", "ci"},
       {"displayName", "CI"},
       {"externalId", "env:user:ci"},
       {"emails", {{{"value", "ci@corp.example"}, {"primary", true}}}},
       {"urn:daoffice:scim:schemas:extension:profile:1.0:User", {{"departmentId", "1"}}}}};
  state.communities = {{{"id", "3"},
                        {"name", "Welcome"},
                        {"visibility", "public"},
                        {"owners", {"7"}},
                        {"members", json::array()},
                        {"description", ""},
                        {"external_id", "welcome"}},
                       {{"id", "4"}, {"name", "Loose"}, {"external_id", nullptr}}};
  state.keyword_rules = {
      {{"id", "1"}, {"pattern", "casino"}, {"action", "hide"}, {"scope", "all"}}};
  std::vector<std::string> skipped;
  json doc = export_env(state, std::nullopt, std::nullopt, skipped);
  CHECK(skipped == std::vector<std::string>{"community 4 \"Loose\" (no external_id)"});
  CHECK_FALSE(doc["policies"]["password"].contains("lockout_minutes"));
  auto spec = load_env(doc.dump(), "export.yaml");
  INFO((spec ? std::string() : spec.error().describe()));
  REQUIRE(spec);
  CHECK(plan_text(plan_env(*spec, {}, state, false)) == "");
}
