#include <catch2/catch.hpp>

#include "core/error.hpp"

using daoctl::ErrorKind;
using daoctl::exit_code_for;

TEST_CASE("every error kind maps to the exit code documented in daoctl(1)") {
  struct Row {
    ErrorKind kind;
    int code;
  };
  const Row rows[] = {
      {ErrorKind::Usage, 2},       {ErrorKind::Config, 2},     {ErrorKind::Auth, 4},
      {ErrorKind::NotFound, 7},    {ErrorKind::Conflict, 1},   {ErrorKind::Validation, 1},
      {ErrorKind::Safety, 5},      {ErrorKind::Partial, 3},    {ErrorKind::Locked, 6},
      {ErrorKind::Network, 1},     {ErrorKind::Remote, 1},     {ErrorKind::Io, 1},
      {ErrorKind::Parse, 1},       {ErrorKind::Interrupted, 130}, {ErrorKind::Internal, 1},
  };
  for (const auto& row : rows) {
    INFO(daoctl::to_string(row.kind));
    CHECK(exit_code_for(row.kind) == row.code);
  }
}

TEST_CASE("Error::describe names the object and the cause") {
  daoctl::Error e{ErrorKind::NotFound, "cannot get user", "user jdoe", "no such user", "", 404, {}};
  CHECK(e.describe() == "cannot get user (user jdoe): no such user");
  daoctl::Error bare{ErrorKind::Internal, "boom", "", "", "", 0, {}};
  CHECK(bare.describe() == "boom");
}

TEST_CASE("Error::describe says each detail once, positions first") {
  using daoctl::Error;
  // A parser's error at a place: file:line:column first, as compilers print it.
  CHECK(Error{ErrorKind::Parse, "cannot parse YAML", "job.yaml:6:4", "end of map not found", "", 0, {}}.describe() ==
        "job.yaml:6:4: cannot parse YAML: end of map not found");
  // A detail that starts at a place in the file the error names: the detail alone.
  CHECK(Error{ErrorKind::Config, "invalid environment file env.yaml", "env.yaml",
              "env.yaml:4:5: unknown key 'min_lenght' (did you mean 'min_length'?)\nenv.yaml:9:1: x", "", 0, {}}
            .describe() == "env.yaml:4:5: unknown key 'min_lenght' (did you mean 'min_length'?)\nenv.yaml:9:1: x");
  // A message that names its object does not repeat it in brackets...
  CHECK(Error{ErrorKind::Io, "cannot read the logo image missing.png", "missing.png", "No such file or directory", "",
              0, {}}
            .describe() == "cannot read the logo image missing.png: No such file or directory");
  // ...but a short object inside another word is no mention, and a URL's port is no position.
  CHECK(Error{ErrorKind::NotFound, "unknown user", "us", "", "", 0, {}}.describe() == "unknown user (us)");
  CHECK(Error{ErrorKind::Network, "cannot connect", "https://intranet:8443", "refused", "", 0, {}}.describe() ==
        "cannot connect (https://intranet:8443): refused");
  CHECK(Error{ErrorKind::Network, "cannot connect", "ldap.corp:636", "refused", "", 0, {}}.describe() ==
        "cannot connect (ldap.corp:636): refused");
}

TEST_CASE("value_or_throw throws CommandError carrying the Error") {
  daoctl::Result<int> bad = daoctl::fail(ErrorKind::Locked, "job is locked", "nightly");
  try {
    (void)daoctl::value_or_throw(std::move(bad));
    FAIL("no exception");
  } catch (const daoctl::CommandError& e) {
    CHECK(e.error().kind == ErrorKind::Locked);
    CHECK(e.error().object == "nightly");
  }
  CHECK(daoctl::value_or_throw(daoctl::Result<int>(7)) == 7);
}
