#include <catch2/catch.hpp>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <CLI/CLI.hpp>

#include "cli/app.hpp"
#include "commands/common/command_doc.hpp"
#include "commands/common/fake_io.hpp"
#include "commands/common/output_formats.hpp"
#include "commands/deprovision/deprovision.hpp"
#include "commands/register_all.hpp"
#include "tests/unit/common/fake_platform.hpp"

using namespace daoctl;
using commands::FakeIo;

namespace {

struct Harness {
  FakeIo io;
  std::shared_ptr<test::FakeTransport> http = test::fake_platform(test::response(599));
  config::Env env = {{"DAOCTL_URL", "http://platform.test"},
                     {"DAOCTL_TOKEN", "tok-SECRET"},
                     {"XDG_CONFIG_HOME", "/nonexistent"}};
  cli::CommandRegistrar registrar;

  explicit Harness(bool tty = false) : io(tty) {}

  int run(std::vector<std::string> args) {
    cli::AppDependencies deps;
    deps.io = &io;
    deps.env = env;
    deps.version = "9.9.9";
    deps.register_commands = registrar;
    deps.client_factory = test::fake_client_factory(http);
    return cli::run(args, std::move(deps));
  }

  void stub(const std::string& key, long status, const std::string& body) {
    test::stub(*http, key, status, body);
  }
};

std::string user_json(const std::string& id, const std::string& name) {
  return nlohmann::json{{"id", id},
                        {"userName", name},
                        {"displayName", "Name " + name},
                        {"active", true},
                        {"emails", {{{"value", name + "@corp.example"}}}}}
      .dump();
}

}  // namespace

TEST_CASE("errors map to exit codes through the cli's single catch") {
  struct Row {
    std::string name;
    std::function<void()> body;
    int code;
    std::string stderr_text;
  };
  const std::vector<Row> rows = {
      {"not found", [] { throw CommandError(ErrorKind::NotFound, "user not found", "user x",
                                            "no such user", "try daoctl users list"); },
       7, "daoctl: error: user not found (user x): no such user\nhint: try daoctl users list\n"},
      {"auth", [] { throw CommandError(ErrorKind::Auth, "token rejected"); }, 4,
       "daoctl: error: token rejected\n"},
      {"safety", [] { throw CommandError(ErrorKind::Safety, "refused"); }, 5,
       "daoctl: error: refused\n"},
      {"config", [] { throw CommandError(ErrorKind::Config, "bad config"); }, 2,
       "daoctl: error: bad config\n"},
      {"interrupted", [] { throw CommandError(ErrorKind::Interrupted, "stopped"); }, 130,
       "daoctl: error: stopped\n"},
      {"unexpected exception", [] { throw std::out_of_range("vector::at"); }, 1,
       "daoctl: error: internal error: vector::at\nhint: this is a bug in daoctl; please "
       "report it with the command line\n"},
      {"success", [] {}, 0, ""},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    Harness h;
    h.registrar = [&row](CLI::App& root, commands::CommandContext&) {
      commands::add_command(root, {"boom", "fails on purpose", "daoctl boom"})
          .callback(row.body);
    };
    CHECK(h.run({"boom"}) == row.code);
    CHECK(h.io.err_text() == row.stderr_text);
  }
}

TEST_CASE("usage errors exit 2 and help exits 0 with the command's example") {
  Harness h;
  CHECK(h.run({"users", "get"}) == 2);
  CHECK_THAT(h.io.err_text(), Catch::StartsWith("daoctl: error: user is required"));
  Harness unknown;
  CHECK(unknown.run({"frobnicate"}) == 2);
  Harness no_command;
  CHECK(no_command.run({}) == 2);
  Harness bad_format;
  CHECK(bad_format.run({"users", "list", "-o", "xml"}) == 2);
  Harness help;
  CHECK(help.run({"users", "list", "--help"}) == 0);
  CHECK_THAT(help.io.out_text(), Catch::Contains("Example:\n  daoctl users list --filter"));
  Harness version;
  CHECK(version.run({"--version"}) == 0);
  CHECK_THAT(version.io.out_text(), Catch::Contains("daoctl 9.9.9"));
}

TEST_CASE("option --log-format json prints errors as one JSON object") {
  Harness h;
  h.registrar = [](CLI::App& root, commands::CommandContext&) {
    commands::add_command(root, {"boom", "fails", "daoctl boom"}).callback([] {
      throw CommandError(ErrorKind::NotFound, "gone", "user \"q\"");
    });
  };
  CHECK(h.run({"boom", "--log-format", "json"}) == 7);
  CHECK(h.io.err_text() ==
        "{\"level\":\"error\",\"kind\":\"not_found\",\"message\":\"gone (user \\\"q\\\")\"}\n");
}

TEST_CASE("the command tree: unique names, every command has a summary and an example") {
  FakeIo io;
  commands::CommandContext ctx(io, {}, {});
  auto app = cli::make_app(ctx, commands::register_all_commands, "1");
  const auto tree = commands::command_tree(*app);
  std::set<std::string> expected = {
      "daoctl users list",         "daoctl users get",         "daoctl users create",
      "daoctl users update",       "daoctl users deactivate",  "daoctl users reactivate",
      "daoctl users delete",       "daoctl groups list",       "daoctl groups get",
      "daoctl groups create",      "daoctl groups delete",     "daoctl groups add-member",
      "daoctl groups remove-member", "daoctl departments list", "daoctl departments tree",
      "daoctl api",                "daoctl config view",       "daoctl config set-context",
      "daoctl config use-context", "daoctl config delete-context", "daoctl config get-contexts", "daoctl doctor",
      "daoctl version"};
  std::set<std::string> leaves;
  std::function<void(const commands::CommandNode&)> walk = [&](const commands::CommandNode& n) {
    INFO(n.path);
    CHECK_FALSE(n.summary.empty());
    CHECK_THAT(n.example, Catch::StartsWith("daoctl"));
    std::set<std::string> names;
    for (const auto& child : n.children) CHECK(names.insert(child.name).second);
    if (n.children.empty()) leaves.insert(n.path);
    for (const auto& child : n.children) walk(child);
  };
  walk(tree);
  // Other command groups (sync, backup, ...) join the tree over time; the
  // everyday commands must all be there.
  for (const auto& path : expected) {
    INFO(path);
    CHECK(leaves.count(path) == 1);
  }
}

TEST_CASE("colour policy: TTY only, NO_COLOR and TERM=dumb off, CLICOLOR_FORCE on") {
  struct Row {
    bool tty;
    config::Env env;
    bool colour;
  };
  const Row rows[] = {
      {true, {{"TERM", "xterm"}}, true},
      {false, {{"TERM", "xterm"}}, false},
      {true, {{"NO_COLOR", "1"}}, false},
      {true, {{"NO_COLOR", ""}}, true},
      {true, {{"TERM", "dumb"}}, false},
      {false, {{"CLICOLOR_FORCE", "1"}}, true},
      {true, {{"CLICOLOR_FORCE", "0"}, {"NO_COLOR", "1"}}, false},
  };
  for (const auto& row : rows) CHECK(cli::colour_enabled(row.tty, row.env) == row.colour);
}

TEST_CASE("option --no-color turns colour off before the command prints") {
  FakeIo io(false, true);
  Harness h;
  bool seen = true;
  cli::AppDependencies deps;
  deps.io = &io;
  deps.register_commands = [&seen](CLI::App& root, commands::CommandContext& ctx) {
    commands::add_command(root, {"probe", "reports colour", "daoctl probe"}).callback([&] {
      seen = ctx.io().colour();
    });
  };
  CHECK(cli::run({"probe", "--no-color"}, std::move(deps)) == 0);
  CHECK_FALSE(seen);
}

TEST_CASE("users list fetches every SCIM page and prints a table or a JSON array") {
  Harness h;
  h.stub("GET /scim/v2/Users?startIndex=1&count=2", 200,
         R"({"totalResults":3,"startIndex":1,"itemsPerPage":2,"Resources":[)" +
             user_json("1", "ivanov.i") + "," + user_json("2", "petrov.p") + "]}");
  h.stub("GET /scim/v2/Users?startIndex=3&count=2", 200,
         R"({"totalResults":3,"startIndex":3,"itemsPerPage":1,"Resources":[)" +
             user_json("3", "sidorov.s") + "]}");
  SECTION("table") {
    REQUIRE(h.run({"users", "list", "--page-size", "2"}) == 0);
    CHECK(h.io.out_text() ==
          "ID  USERNAME   NAME            EMAIL                   ACTIVE  DEPARTMENT\n"
          "1   ivanov.i   Name ivanov.i   ivanov.i@corp.example   true\n"
          "2   petrov.p   Name petrov.p   petrov.p@corp.example   true\n"
          "3   sidorov.s  Name sidorov.s  sidorov.s@corp.example  true\n");
  }
  SECTION("json") {
    REQUIRE(h.run({"users", "list", "--page-size", "2", "-o", "json"}) == 0);
    const auto users = nlohmann::json::parse(h.io.out_text());
    REQUIRE(users.is_array());
    CHECK(users.size() == 3);
    CHECK(users[2]["userName"] == "sidorov.s");
  }
  CHECK(h.http->unmatched().empty());
  for (const auto& [req, started] : h.http->requests()) {
    bool has_auth = false;
    for (const auto& header : req.headers) has_auth |= header.value == "Bearer tok-SECRET";
    CHECK(has_auth);
  }
}

TEST_CASE("users get falls back from id to a userName filter, unknown is exit 7") {
  Harness h;
  h.stub("GET /scim/v2/Users/ivanov.i", 404,
         R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no user"})");
  h.stub("GET /scim/v2/Users?filter=userName%20eq%20%22ivanov.i%22&startIndex=1&count=2", 200,
         R"({"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[)" +
             user_json("1", "ivanov.i") + "]}");
  CHECK(h.run({"users", "get", "ivanov.i", "-o", "json"}) == 0);
  CHECK(nlohmann::json::parse(h.io.out_text())["id"] == "1");
  CHECK(h.http->unmatched().empty());

  Harness missing;
  missing.stub("GET /scim/v2/Users/ghost", 404, R"({"status":"404","detail":"no user"})");
  missing.stub("GET /scim/v2/Users?filter=userName%20eq%20%22ghost%22&startIndex=1&count=2", 200,
               R"({"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]})");
  CHECK(missing.run({"users", "get", "ghost"}) == 7);
  CHECK_THAT(missing.io.err_text(), Catch::StartsWith("daoctl: error: user not found (user ghost)"));
}

TEST_CASE("users delete off a terminal needs --yes and sends nothing destructive without it") {
  Harness h;
  h.stub("GET /scim/v2/Users/1", 200, user_json("1", "ivanov.i"));
  h.stub("DELETE /scim/v2/Users/1", 204, "");
  CHECK(h.run({"users", "delete", "1"}) == 5);
  for (const auto& [req, started] : h.http->requests()) CHECK(req.method == "GET");
  CHECK(h.run({"users", "delete", "1", "--yes"}) == 0);
  CHECK(h.http->requests().back().request.method == "DELETE");
}

TEST_CASE("doctor: a rejected token fails the auth check and exits 4, token never printed") {
  Harness h;
  h.stub("GET /api/v1/health", 200,
         R"({"status":"ok","version":"0.1.0","api_version":"1","time":"2000-01-01T00:00:00Z"})");
  h.stub("GET /api/v1/me", 401,
         R"({"type":"https://daoffice.example/problems/unauthorized","title":"Unauthorized","status":401,"detail":"invalid token"})");
  CHECK(h.run({"doctor"}) == 4);
  const auto out = h.io.out_text();
  CHECK_THAT(out, Catch::Contains("ok    config"));
  CHECK_THAT(out, Catch::Contains("ok    reachable"));
  CHECK_THAT(out, Catch::Contains("FAIL  auth     token rejected (401)"));
  CHECK_THAT(out, Catch::Contains("warn  clock"));
  CHECK_THAT(out, Catch::Contains("ok    api"));
  CHECK_THAT(out + h.io.err_text(), !Catch::Contains("tok-SECRET"));
}

TEST_CASE("usage errors never echo the value of a secret-looking option") {
  Harness h;
  CHECK(h.run({"users", "list", "--token", "SECRETX1", "--bogus"}) == 2);
  // The first unknown flag is named (issue 19: "unknown flag ... did you
  // mean"), never its value.
  CHECK_THAT(h.io.err_text(), Catch::Contains("unknown flag '--token'"));
  CHECK_THAT(h.io.err_text(), !Catch::Contains("SECRETX1"));
  Harness eq;
  CHECK(eq.run({"users", "list", "--bind-password=hunter2x", "--api-key", "K3Y"}) == 2);
  CHECK_THAT(eq.io.err_text(), !Catch::Contains("hunter2x"));
  CHECK_THAT(eq.io.err_text(), !Catch::Contains("K3Y"));
  CHECK(cli::redact_secret_arguments("not expected: --token ab abc", {"--token", "abc", "--password", "ab"}) ==
        "not expected: --token <redacted> <redacted>");
  CHECK(cli::redact_secret_arguments("keep --concurrency 5", {"--concurrency", "5"}) == "keep --concurrency 5");
}

// --- issue 19: one grammar for -o, -O and confirmations -------------------

TEST_CASE("every command path in the -o table is a command of the tree") {
  FakeIo io;
  commands::CommandContext ctx(io, {}, {});
  auto app = cli::make_app(ctx, commands::register_all_commands, "1");
  std::set<std::string> leaves;
  std::function<void(const commands::CommandNode&)> walk = [&](const commands::CommandNode& n) {
    if (n.children.empty()) leaves.insert(n.path.substr(n.path.find(' ') + 1));
    for (const auto& child : n.children) walk(child);
  };
  walk(commands::command_tree(*app));
  for (const auto& path : commands::declared_output_format_paths()) {
    INFO(path);
    CHECK(leaves.count(path) == 1);
  }
}

TEST_CASE("a format a command does not print is exit 2 naming the ones it does, before any request") {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"api", "GET", "/api/v1/departments", "-o", "yaml"}, "it prints json"},
      {{"-o", "csv", "doctor"}, "it prints table, json, yaml"},
      {{"users", "list", "-o", "xml"}, "it prints table, json, yaml, csv"},
      {{"stats", "export", "activity", "-o", "table"}, "it prints csv, json, ndjson, xlsx, prometheus"},
      {{"departments", "tree", "-o", "csv"}, "it prints table, json, yaml"},
      {{"sync", "apply", "-f", "job.yaml", "-o", "json"}, "it prints table"},
      {{"users", "delete", "1", "--yes", "-o", "csv"}, "it prints table, json, yaml"},
      {{"completion", "bash", "-o", "json"}, "prints no data, so it takes no -o/--output"},
  };
  for (const auto& c : cases) {
    INFO(c.args[0] + " " + c.args[1]);
    Harness h;
    CHECK(h.run(c.args) == 2);
    CHECK_THAT(h.io.err_text(), Catch::Contains(c.says));
    CHECK(h.http->requests().empty());
  }
}

TEST_CASE("export-env: -o is never a file, -o env.yaml says to use -O") {
  Harness h;
  CHECK(h.run({"export-env", "-o", "env.yaml"}) == 2);
  CHECK_THAT(h.io.err_text(), Catch::Contains("cannot print env.yaml"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("use -O/--output-file FILE"));
  CHECK(h.http->requests().empty());
}

TEST_CASE("stats export: -o is the format, --format its older name, and they must agree") {
  Harness h;
  CHECK(h.run({"stats", "export", "activity", "-o", "json", "--format", "csv"}) == 2);
  CHECK_THAT(h.io.err_text(), Catch::Contains("-o and --format name different formats"));
}

TEST_CASE("users delete on a terminal says what will happen, then asks for the name") {
  Harness h(/*tty=*/true);
  h.stub("GET /scim/v2/Users/1", 200, user_json("1", "ivanov.i"));
  h.stub("DELETE /scim/v2/Users/1", 204, "");
  // The DELETE would succeed if sent; the wrong name typed must keep it unsent.
  h.http->allow_unused();
  h.io.answers = {"petrov.p"};
  CHECK(h.run({"users", "delete", "1"}) == 5);
  for (const auto& [req, started] : h.http->requests()) CHECK(req.method == "GET");
  CHECK_THAT(h.io.err_text(), Catch::Contains("Deleting removes user ivanov.i (id 1) from the platform for good"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("To delete user ivanov.i, type ivanov.i and press Enter"));

  Harness yes(/*tty=*/true);
  yes.stub("GET /scim/v2/Users/1", 200, user_json("1", "ivanov.i"));
  yes.stub("DELETE /scim/v2/Users/1", 204, "");
  yes.io.answers = {"ivanov.i"};
  CHECK(yes.run({"users", "delete", "1"}) == 0);
  CHECK(yes.http->requests().back().request.method == "DELETE");
}

TEST_CASE("confirmations: --yes does not ask, on a terminal too") {
  Harness h(/*tty=*/true);
  h.stub("GET /scim/v2/Users/1", 200, user_json("1", "ivanov.i"));
  h.stub("DELETE /scim/v2/Users/1", 204, "");
  CHECK(h.run({"users", "delete", "1", "--yes"}) == 0);
  CHECK_THAT(h.io.err_text(), !Catch::Contains("type ivanov.i"));
  CHECK(h.http->requests().back().request.method == "DELETE");
}

TEST_CASE("the audit trail's who is the effective user, never $USER") {
  const char* old = std::getenv("USER");
  const std::string saved = old ? old : "";
  ::setenv("USER", "mallory-not-me", 1);
  const std::string who = commands::deprovision_engine::real_user();
  if (old) ::setenv("USER", saved.c_str(), 1);
  else ::unsetenv("USER");
  CHECK(who != "mallory-not-me");
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && std::getenv("SUDO_USER") == nullptr) CHECK(who == pw->pw_name);
}
