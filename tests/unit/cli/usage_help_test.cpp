// Mistakes on the command line get help, not a dead end (issue 19).
#include <catch2/catch.hpp>

#include "app_harness.hpp"

using daoctl::testing::AppHarness;

namespace {
struct Outcome {
  int code;
  std::string err;
  std::string out;
};
Outcome run(std::vector<std::string> args) {
  AppHarness h;
  const int code = h.run(std::move(args));
  return {code, h.io.err_text(), h.io.out_text()};
}
}  // namespace

TEST_CASE("an unknown or misspelled command says so, suggests the nearest and exits 2") {
  auto singular = run({"user", "list"});
  CHECK(singular.code == 2);
  CHECK(singular.err ==
        "daoctl: error: unknown command 'user' for 'daoctl'; did you mean 'users'?\n"
        "hint: see 'daoctl --help'\n");

  auto swapped = run({"sycn", "plan", "-f", "job.yaml"});
  CHECK(swapped.code == 2);
  CHECK(swapped.err ==
        "daoctl: error: unknown command 'sycn' for 'daoctl'; did you mean 'sync'?\nhint: see 'daoctl --help'\n");

  auto verb = run({"users", "activate", "jdoe"});
  CHECK(verb.code == 2);
  CHECK(verb.err ==
        "daoctl: error: unknown command 'activate' for 'daoctl users'; did you mean 'deactivate' or "
        "'reactivate'?\nhint: see 'daoctl users --help'\n");

  // After global flags with values, which are not commands.
  auto after_flags = run({"--context", "prod", "-o", "json", "grups", "list"});
  CHECK(after_flags.code == 2);
  CHECK_THAT(after_flags.err, Catch::StartsWith("daoctl: error: unknown command 'grups' for 'daoctl'; did you "
                                                "mean 'groups'?"));

  auto nothing_near = run({"frobnicate"});
  CHECK(nothing_near.code == 2);
  CHECK(nothing_near.err == "daoctl: error: unknown command 'frobnicate' for 'daoctl'\nhint: see 'daoctl --help'\n");
}

TEST_CASE("a group without its command prints its usage on stderr and exits 2") {
  auto bare = run({});
  CHECK(bare.code == 2);
  CHECK(bare.out.empty());
  CHECK_THAT(bare.err, Catch::Contains("Usage: daoctl"));
  CHECK_THAT(bare.err, Catch::Contains("users"));
  CHECK_THAT(bare.err, Catch::EndsWith("daoctl: error: 'daoctl' needs a command (listed above)\n"));

  auto users = run({"users"});
  CHECK(users.code == 2);
  CHECK_THAT(users.err, Catch::Contains("Usage: daoctl users"));
  CHECK_THAT(users.err, Catch::Contains("reactivate"));
  CHECK_THAT(users.err, Catch::EndsWith("daoctl: error: 'daoctl users' needs a command (listed above)\n"));

  // Global flags alone do not make a command.
  auto flags_only = run({"-o", "json", "users"});
  CHECK(flags_only.code == 2);
  CHECK_THAT(flags_only.err, Catch::Contains("Usage: daoctl users"));
}

TEST_CASE("a misspelled flag gets the same suggestion, global flags included") {
  auto filter = run({"users", "list", "--fliter", "x"});
  CHECK(filter.code == 2);
  CHECK(filter.err ==
        "daoctl: error: unknown flag '--fliter' for 'daoctl users list'; did you mean '--filter'?\n"
        "hint: see 'daoctl users list --help'\n");

  auto global = run({"users", "list", "--outptu", "json"});
  CHECK(global.code == 2);
  CHECK_THAT(global.err, Catch::StartsWith("daoctl: error: unknown flag '--outptu' for 'daoctl users list'; did "
                                           "you mean '--output'?"));

  auto with_value = run({"users", "list", "--contxt=prod"});
  CHECK(with_value.code == 2);
  CHECK_THAT(with_value.err, Catch::StartsWith("daoctl: error: unknown flag '--contxt' for 'daoctl users list'; "
                                               "did you mean '--context'?"));
  // The value of a secret-looking flag never comes back, even when misspelled.
  CHECK(with_value.err.find("prod") == std::string::npos);

  auto none = run({"users", "list", "--zzzzzz"});
  CHECK(none.code == 2);
  CHECK(none.err == "daoctl: error: unknown flag '--zzzzzz' for 'daoctl users list'\nhint: see 'daoctl users list --help'\n");
}

TEST_CASE("known commands and flags with a bad value keep CLI11's precise message") {
  auto bad = run({"users", "list", "-o", "xml"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("xml"));
  CHECK(bad.err.find("unknown") == std::string::npos);
  auto missing = run({"users", "get"});
  CHECK(missing.code == 2);
  CHECK_THAT(missing.err, Catch::StartsWith("daoctl: error: user is required"));
}
