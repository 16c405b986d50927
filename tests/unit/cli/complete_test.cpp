// The hidden `daoctl __complete` (cli/complete.hpp): what each position of a
// command line completes to, on the real command tree, with fake sources.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>

#include "app_harness.hpp"
#include "cli/app.hpp"
#include "cli/complete.hpp"
#include "commands/common/fake_io.hpp"
#include "commands/register_all.hpp"

namespace daoctl::testing {
namespace {

using commands::FakeIo;

struct Tree {
  FakeIo io;
  commands::CommandContext ctx{io, {}, {}};
  std::unique_ptr<CLI::App> app = cli::make_app(ctx, commands::register_all_commands, "1");
  std::vector<std::string> asked;  // remote kinds asked, in order
  std::vector<std::string> prefixes;  // and what was typed with each
  cli::CompletionSources sources() {
    cli::CompletionSources s;
    s.contexts = [] { return std::vector<std::string>{"prod", "staging", "dev"}; };
    s.remote = [this](const std::string& kind, const std::string& prefix) {
      asked.push_back(kind);
      prefixes.push_back(prefix);
      if (kind == "users") return std::vector<cli::Candidate>{{"jdoe", "John Doe"}, {"jsmith", "Jane Smith"}, {"ivanov", ""}};
      if (kind == "groups") return std::vector<cli::Candidate>{{"hr", ""}, {"engineering", ""}};
      return std::vector<cli::Candidate>{{"41", "ready 2026-12-01"}, {"42", "ready 2026-12-02"}};
    };
    return s;
  }
  std::vector<std::string> values(const std::vector<std::string>& words, int* directive = nullptr) {
    auto c = cli::complete_words(*app, words, sources());
    if (directive) *directive = c.directive;
    std::vector<std::string> out;
    for (const auto& x : c.candidates) out.push_back(x.value);
    return out;
  }
};

using V = std::vector<std::string>;

TEST_CASE("complete: contexts for --context and config use-context", "[cli][complete]") {
  Tree t;
  CHECK(t.values({"users", "list", "--context", ""}) == V{"prod", "staging", "dev"});
  CHECK(t.values({"--context", "st"}) == V{"staging"});
  CHECK(t.values({"config", "use-context", "p"}) == V{"prod"});
  CHECK(t.values({"config", "set-context", ""}) == V{"prod", "staging", "dev"});
  CHECK(t.asked.empty());  // no platform asked for contexts
}

TEST_CASE("complete: user and group names where a command takes them", "[cli][complete]") {
  Tree t;
  CHECK(t.values({"users", "get", "j"}) == V{"jdoe", "jsmith"});
  CHECK(t.prefixes.back() == "j");  // passed on: a platform with many names is asked for these only
  CHECK(t.values({"users", "deactivate", ""}) == V{"jdoe", "jsmith", "ivanov"});
  CHECK(t.values({"deprovision", "user", "iv"}) == V{"ivanov"});
  CHECK(t.values({"deprovision", "user", "jdoe", "--transfer-to", "js"}) == V{"jsmith"});
  CHECK(t.values({"groups", "get", "e"}) == V{"engineering"});
  // add-member GROUP USERS...: a group first, then users, as many as typed.
  CHECK(t.values({"groups", "add-member", ""}) == V{"hr", "engineering"});
  CHECK(t.values({"groups", "add-member", "hr", "j"}) == V{"jdoe", "jsmith"});
  CHECK(t.values({"groups", "add-member", "hr", "jdoe", "i"}) == V{"ivanov"});
  // Global flags and their values before the positional do not shift it.
  CHECK(t.values({"users", "get", "--context", "prod", "-o", "json", "j"}) == V{"jdoe", "jsmith"});
  // A single positional taken: nothing more.
  CHECK(t.values({"users", "get", "jdoe", ""}).empty());
}

TEST_CASE("complete: backup ids for backup show/download/verify/restore", "[cli][complete]") {
  Tree t;
  for (const char* verb : {"show", "download", "verify", "restore"}) {
    CAPTURE(verb);
    auto v = t.values({"backup", verb, "4"});
    CHECK(std::find(v.begin(), v.end(), "41") != v.end());
    CHECK(std::find(v.begin(), v.end(), "42") != v.end());
  }
  auto c = cli::complete_words(*t.app, {"backup", "download", ""}, t.sources());
  REQUIRE(c.candidates.size() >= 2);
  CHECK(c.candidates[0].description == "ready 2026-12-01");
}

TEST_CASE("complete: each command's own output formats", "[cli][complete]") {
  Tree t;
  CHECK(t.values({"stats", "export", "-o", ""}) == V{"csv", "json", "ndjson", "xlsx", "prometheus"});
  CHECK(t.values({"api", "-o", ""}) == V{"json"});
  CHECK(t.values({"doctor", "--output", ""}) == V{"table", "json", "yaml"});
  CHECK(t.values({"users", "list", "-o", "y"}) == V{"yaml"});
}

TEST_CASE("complete: commands, subcommands, flags and choices", "[cli][complete]") {
  Tree t;
  CHECK(t.values({"sy"}) == V{"sync"});
  CHECK(t.values({"backup", "d"}) == V{"download"});
  auto flags = t.values({"sync", "plan", "--det"});
  CHECK(flags == V{"--detailed-exitcode"});
  CHECK(t.values({"completion", "f"}) == V{"fish"});
  CHECK(t.values({"stats", "export", "a"}) == V{"activity", "audit"});
  CHECK(t.values({"--log-format", ""}) == V{"text", "json"});
  // The hidden command is not a command of the tree.
  CHECK(t.values({"__"}).empty());
}

TEST_CASE("complete: job files and directories for -f, no space after a directory", "[cli][complete]") {
  TempDir dir("complete-files");
  dir.write("nightly.yaml", "x");
  dir.write("other.yml", "x");
  dir.write("env.json", "{}");
  dir.write("notes.txt", "x");
  dir.write(".hidden.yaml", "x");
  std::filesystem::create_directories(dir.path / "jobs");
  std::filesystem::create_directories(dir.path / "jobs two");
  const std::string base = dir.path.string() + "/";
  Tree t;
  int directive = 0;
  CHECK(t.values({"sync", "plan", "-f", base}, &directive) ==
        V{base + "env.json", base + "jobs two/", base + "jobs/", base + "nightly.yaml", base + "other.yml"});
  CHECK((directive & cli::kDirectiveNoSpace) == 0);
  CHECK(t.values({"sync", "plan", "--file", base + "j"}, &directive) == V{base + "jobs two/", base + "jobs/"});
  CHECK((directive & cli::kDirectiveNoSpace) != 0);
  CHECK(t.values({"sync", "apply", "-f", base + "n"}, &directive) == V{base + "nightly.yaml"});
  CHECK((directive & cli::kDirectiveNoSpace) == 0);
  CHECK(t.values({"sync", "plan", "-f", base + "."}) == V{base + ".hidden.yaml"});
  // --dir: directories only.
  CHECK(t.values({"backup", "run", "--dir", base}) == V{base + "jobs two/", base + "jobs/"});
  CHECK(t.values({"sync", "plan", "-f", base + "nothing-here/x"}).empty());
}

TEST_CASE("complete: the answer format and the directive line", "[cli][complete]") {
  cli::Completion c;
  c.candidates = {{"jdoe", "John\tDoe"}, {"dir/", ""}};
  c.directive = cli::kDirectiveNoSpace | cli::kDirectiveNoFileComp;
  CHECK(cli::format_completion(c) == "jdoe\tJohn Doe\ndir/\n:6\n");
  CHECK(cli::format_completion(cli::Completion{}) == ":4\n");
}

TEST_CASE("complete: typed globals are reported for the platform to ask", "[cli][complete]") {
  Tree t;
  cli::TypedGlobals g;
  cli::complete_words(*t.app, {"--context", "prod", "users", "get", "--url=http://x.test", "--config", "/c.yaml", ""},
                      {}, &g);
  CHECK(g.context == std::optional<std::string>("prod"));
  CHECK(g.url == std::optional<std::string>("http://x.test"));
  CHECK(g.config == std::optional<std::string>("/c.yaml"));
}

TEST_CASE("__complete through cli::run: never an error, whatever is missing", "[cli][complete]") {
  AppHarness h;
  h.env = {{"XDG_CONFIG_HOME", "/nonexistent"}, {"DAOCTL_STATE_DIR", "/nonexistent/state"}};  // no URL, no token
  CHECK(h.run({"__complete", "users", "get", "j"}) == 0);
  CHECK(h.io.out_text() == ":4\n");
  CHECK(h.io.err_text().empty());
  CHECK(h.settings->empty());  // no client was built without a URL
  AppHarness h2;
  CHECK(h2.run({"__complete", "use", "bogus", "--what", ""}) == 0);
  CHECK(h2.io.err_text().empty());
}

}  // namespace
}  // namespace daoctl::testing
