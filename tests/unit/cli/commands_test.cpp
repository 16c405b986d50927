#include <catch2/catch.hpp>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "commands/api/api.hpp"
#include "commands/common/confirm.hpp"
#include "commands/common/fake_io.hpp"
#include "commands/common/scim_lookup.hpp"
#include "commands/departments/departments.hpp"
#include "commands/deprovision/deprovision.hpp"
#include "commands/doctor/doctor.hpp"
#include "commands/env/env_commands.hpp"
#include "commands/groups/groups.hpp"
#include "commands/import/import.hpp"
#include "commands/sync/sync.hpp"
#include "commands/users/users.hpp"

using namespace daoctl;
using namespace daoctl::commands;
using nlohmann::json;

namespace {

// Parses argv with one verb registered and a runner that captures its Options.
template <class Options, class Register>
Options parse_options(Register reg, std::vector<std::string> args) {
  FakeIo io;
  CommandContext ctx(io, {}, {});
  CLI::App root("test", "daoctl");
  Options captured;
  reg(root, ctx, [&captured](const Options& o, CommandContext&) {
    captured = o;
    return 0;
  });
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  root.parse(reversed);
  return captured;
}

}  // namespace

TEST_CASE("argv -> UsersListOptions") {
  auto o = parse_options<UsersListOptions>(register_users_list,
                                           {"list", "--filter", "active eq false", "--page-size", "50"});
  CHECK(o.filter == "active eq false");
  CHECK(o.page_size == 50);
  CHECK(parse_options<UsersListOptions>(register_users_list, {"list"}).page_size == 500);
  CHECK_THROWS_AS(parse_options<UsersListOptions>(register_users_list, {"list", "--page-size", "0"}),
                  CLI::ValidationError);
}

TEST_CASE("each sync, deprovision, import and env verb has its own Options, with only its flags") {
  // sync apply's callback writes the run summary even for a captured run.
  const auto summary = (std::filesystem::temp_directory_path() /
                        ("daoctl-verb-options-" + std::to_string(::getpid()) + ".json"))
                           .string();
  auto apply = parse_options<SyncApplyOptions>(
      register_sync_apply, {"apply", "-f", "nightly.yaml", "--state-dir", "/s", "--today", "2025-03-01", "--plan",
                            "p.json", "--adopt-from", "old", "--adopt-from", "older", "--concurrency", "4",
                            "--retries", "3", "--max-retry-wait", "2.5", "--summary-file", summary,
                            "--results-file", "r.jsonl"});
  CHECK(apply.run.job_file == "nightly.yaml");
  CHECK(apply.run.state_dir == "/s");
  CHECK(apply.run.today == "2025-03-01");
  CHECK(apply.run.adopt_from == std::vector<std::string>{"old", "older"});
  CHECK(apply.run.concurrency == 4);
  CHECK(apply.run.retries == 3);
  CHECK(apply.run.max_retry_wait == 2.5);
  CHECK(apply.plan_in == "p.json");
  CHECK(apply.summary_file == summary);
  std::filesystem::remove(summary);
  CHECK(apply.metrics_file.empty());
  CHECK(apply.results_file == "r.jsonl");
  // A flag of another verb is an error, not silently ignored.
  CHECK_THROWS_AS(parse_options<SyncStatusOptions>(register_sync_status, {"status", "-f", "j.yaml", "--plan", "p"}),
                  CLI::ExtrasError);
  CHECK_THROWS_AS(parse_options<SyncPlanOptions>(register_sync_plan, {"plan", "-f", "j.yaml", "--concurrency", "2"}),
                  CLI::ExtrasError);
  CHECK_THROWS_AS(parse_options<SyncValidateOptions>(register_sync_validate, {"validate"}), CLI::RequiredError);

  // deprovision user works without a job file; plan needs one.
  auto user = parse_options<DeprovisionUserOptions>(
      register_deprovision_user, {"user", "Иванов.И@corp.example", "--transfer-to", "petrov.p", "--immediately"});
  CHECK(user.who == "Иванов.И@corp.example");
  CHECK(user.transfer_to == "petrov.p");
  CHECK(user.immediately);
  CHECK(user.run.job_file.empty());
  CHECK_THROWS_AS(parse_options<DeprovisionPlanOptions>(register_deprovision_plan, {"plan"}), CLI::RequiredError);
  CHECK_THROWS_AS(parse_options<DeprovisionReactivateOptions>(register_deprovision_reactivate,
                                                              {"reactivate", "x", "--transfer-to", "y"}),
                  CLI::ExtrasError);

  auto import = parse_options<ImportApplyOptions>(
      register_import_apply, {"apply", "export.zip", "--format", "slack", "--authors", "a.yaml", "--fallback-author",
                              "admin", "--batch", "20", "--report", "r.jsonl"});
  CHECK(import.src.source == "export.zip");
  CHECK(import.src.format == "slack");
  CHECK(import.authors.authors_file == "a.yaml");
  CHECK(import.authors.fallback_author == "admin");
  CHECK(import.batch == 20);
  CHECK(import.report_file == "r.jsonl");
  CHECK(parse_options<ImportApplyOptions>(register_import_apply, {"apply", "x.jsonl"}).batch == kImportDefaultBatch);
  CHECK_THROWS_AS(parse_options<ImportValidateOptions>(register_import_validate, {"validate", "x", "--authors", "a"}),
                  CLI::ExtrasError);

  auto diff = parse_options<EnvDiffOptions>(register_env_diff, {"diff", "-f", "env.yaml", "--prune"});
  CHECK(diff.file == "env.yaml");
  CHECK(diff.prune);
  CHECK(parse_options<ExportEnvOptions>(register_export_env, {"export-env", "-O", "-"}).output == "-");
  CHECK_THROWS_AS(parse_options<EnvDiffOptions>(register_env_diff, {"diff", "-f", "e", "--summary-file", "s"}),
                  CLI::ExtrasError);
}

TEST_CASE("argv -> UsersCreateOptions, --inactive and the create body") {
  auto o = parse_options<UsersCreateOptions>(
      register_users_create, {"create", "--user-name", "ivanov.i", "--email", "i@corp.example",
                              "--given-name", "Иван", "--family-name", "Иванов", "--inactive",
                              "--department-id", "3"});
  CHECK(o.user_name == "ivanov.i");
  CHECK_FALSE(o.active);
  const json body = user_create_body(o);
  CHECK(body["displayName"] == "Иван Иванов");
  CHECK(body["active"] == false);
  CHECK(body["emails"][0]["value"] == "i@corp.example");
  CHECK(body[kProfileUser]["departmentId"] == "3");
  CHECK(body["schemas"].size() == 2);
  auto active = parse_options<UsersCreateOptions>(
      register_users_create, {"create", "--user-name", "a", "--email", "a@x", "--given-name", "A",
                              "--family-name", "B"});
  CHECK(active.active);
  CHECK_FALSE(user_create_body(active).contains(kProfileUser));
  CHECK_THROWS_AS(parse_options<UsersCreateOptions>(register_users_create,
                                                    {"create", "--user-name", "a"}),
                  CLI::RequiredError);
}

TEST_CASE("argv -> UsersUpdateOptions and --set values become a SCIM PatchOp") {
  auto o = parse_options<UsersUpdateOptions>(
      register_users_update,
      {"update", "42", "--set", "title=Lead", "--set", "active=false", "--set",
       "emails=[{\"value\":\"x@y\"}]", "--set", "note=a=b"});
  CHECK(o.ref == "42");
  const json patch = user_patch_body(o.assignments);
  CHECK(patch["schemas"][0] == kPatchOp);
  const json expected = json::parse(R"([
    {"op":"replace","path":"title","value":"Lead"},
    {"op":"replace","path":"active","value":false},
    {"op":"replace","path":"emails","value":[{"value":"x@y"}]},
    {"op":"replace","path":"note","value":"a=b"}])");
  CHECK(patch["Operations"] == expected);
  CHECK_THROWS_AS(user_patch_body({"no-equals"}), CommandError);
  CHECK_THROWS_AS(user_patch_body({"=x"}), CommandError);
  CHECK_THROWS_AS(user_patch_body({"x={broken"}), CommandError);
}

TEST_CASE("membership patches hold at most 1000 member operations each") {
  std::vector<std::string> ids;
  for (int i = 0; i < 2500; ++i) ids.push_back(std::to_string(i));
  const auto adds = membership_patches(ids, true);
  REQUIRE(adds.size() == 3);
  CHECK(adds[0]["Operations"].size() == 1);
  CHECK(adds[0]["Operations"][0]["value"].size() == 1000);
  CHECK(adds[2]["Operations"][0]["value"].size() == 500);
  CHECK(adds[2]["Operations"][0]["value"][499]["value"] == "2499");
  const auto removes = membership_patches({"7", "a\"b"}, false, 1);
  REQUIRE(removes.size() == 2);
  CHECK(removes[0]["Operations"][0] ==
        json({{"op", "remove"}, {"path", "members[value eq \"7\"]"}}));
  CHECK(removes[1]["Operations"][0]["path"] == "members[value eq \"a\\\"b\"]");
  CHECK(membership_patches({}, true).empty());
}

TEST_CASE("scim_quote escapes quotes and backslashes") {
  CHECK(scim_quote("jdoe") == "\"jdoe\"");
  CHECK(scim_quote("a\" or userName pr \"") == "\"a\\\" or userName pr \\\"\"");
  CHECK(scim_quote("back\\slash") == "\"back\\\\slash\"");
}

TEST_CASE("departments nest by parent, sorted by name, orphans and cycles kept as roots") {
  const std::vector<json> flat = {
      {{"id", "1"}, {"name", "Company"}, {"parent_id", nullptr}, {"member_count", 2}},
      {{"id", "3"}, {"name", "Sales"}, {"parent_id", "1"}, {"member_count", 4}},
      {{"id", "2"}, {"name", "IT"}, {"parent_id", "1"}, {"member_count", 5}},
      {{"id", "4"}, {"name", "Backend"}, {"parent_id", "2"}, {"member_count", 3}},
      {{"id", "5"}, {"name", "Orphan"}, {"parent_id", "99"}, {"member_count", 0}},
      {{"id", "6"}, {"name", "LoopA"}, {"parent_id", "7"}, {"member_count", 1}},
      {{"id", "7"}, {"name", "LoopB"}, {"parent_id", "6"}, {"member_count", 1}},
  };
  const json forest = department_forest(flat);
  CHECK(department_tree_text(forest) ==
        "Company (2)\n"
        "  IT (5)\n"
        "    Backend (3)\n"
        "  Sales (4)\n"
        "Orphan (0)\n"
        "LoopA (1)\n"
        "  LoopB (1)\n");
  CHECK(forest[0]["children"][0]["id"] == "2");
  CHECK(forest[0]["children"][0]["children"][0]["children"] == json::array());
}

TEST_CASE("api options: method, path and header rules") {
  ApiOptions o;
  o.method = "get";
  o.path = "api/v1/me";
  o.headers = {"X-Trace: 1"};
  const auto n = normalise_api_options(o);
  CHECK(n.method == "GET");
  CHECK(n.path == "/api/v1/me");
  struct Row {
    std::string method, path;
    std::vector<std::string> headers;
    bool paginate;
  };
  const Row bad[] = {
      {"FETCH", "/x", {}, false},
      {"GET", "https://evil.example/x", {}, false},
      {"GET", "/x", {"NoColon"}, false},
      {"GET", "/x", {"authorization: Bearer abc"}, false},
      {"POST", "/x", {}, true},
  };
  for (const auto& row : bad) {
    INFO(row.method << " " << row.path);
    ApiOptions b;
    b.method = row.method;
    b.path = row.path;
    b.headers = row.headers;
    b.paginate = row.paginate;
    try {
      normalise_api_options(b);
      FAIL("accepted");
    } catch (const CommandError& e) {
      CHECK(e.error().kind == ErrorKind::Usage);
      CHECK_THAT(e.error().describe(), !Catch::Contains("abc"));
    }
  }
}

TEST_CASE("RFC 3339 timestamps for the clock check") {
  using std::chrono::system_clock;
  const auto t = parse_rfc3339("2026-11-26T23:37:24Z");
  REQUIRE(t);
  CHECK(system_clock::to_time_t(*t) == 1795736244);
  CHECK(system_clock::to_time_t(*parse_rfc3339("2026-11-26T23:37:24.5Z")) == 1795736244);
  CHECK(system_clock::to_time_t(*parse_rfc3339("2026-11-27T02:37:24+03:00")) == 1795736244);
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK_FALSE(parse_rfc3339("2026-11-26T23:37:24"));
}

TEST_CASE("destructive actions: --yes, typed confirmation on a TTY, refusal otherwise") {
  SECTION("not a terminal and no --yes: safety stop with a hint") {
    FakeIo io(false);
    CommandContext ctx(io, {}, {});
    try {
      confirm_by_typing(ctx, "delete user jdoe", "user jdoe", "jdoe");
      FAIL("confirmed");
    } catch (const CommandError& e) {
      CHECK(e.error().kind == ErrorKind::Safety);
      CHECK(e.error().hint == "pass --yes to confirm");
    }
  }
  SECTION("--yes") {
    FakeIo io(false);
    CommandContext ctx(io, {}, {});
    ctx.global.yes = true;
    CHECK_NOTHROW(confirm_by_typing(ctx, "delete user jdoe", "user jdoe", "jdoe"));
  }
  SECTION("terminal: the exact name confirms, anything else refuses") {
    FakeIo io(true);
    io.answers = {"jdoe", "JDOE"};
    CommandContext ctx(io, {}, {});
    CHECK_NOTHROW(confirm_by_typing(ctx, "delete user jdoe", "user jdoe", "jdoe"));
    CHECK_THAT(io.err_text(), Catch::Contains("type jdoe"));
    CHECK_THROWS_AS(confirm_by_typing(ctx, "delete user jdoe", "user jdoe", "jdoe"), CommandError);
  }
}
