#include <catch2/catch.hpp>

#include "core/text/suggest.hpp"

using daoctl::text::edit_distance;
using daoctl::text::quoted_alternatives;
using daoctl::text::suggestions;
using V = std::vector<std::string>;

TEST_CASE("edit distance counts a swap of neighbours as one edit and ignores case") {
  CHECK(edit_distance("sync", "sync") == 0);
  CHECK(edit_distance("sycn", "sync") == 1);
  CHECK(edit_distance("user", "users") == 1);
  CHECK(edit_distance("activate", "reactivate") == 2);
  CHECK(edit_distance("USERS", "users") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("--fliter", "--filter") == 1);
}

TEST_CASE("suggestions: near words and prefixes, nearest first, never the word itself") {
  const V commands = {"users", "groups", "sync", "stats", "backup", "deprovision", "departments", "doctor"};
  CHECK(suggestions("sycn", commands) == V{"sync"});
  CHECK(suggestions("user", commands) == V{"users"});
  CHECK(suggestions("grups", commands) == V{"groups"});
  CHECK(suggestions("dep", commands) == V{"deprovision", "departments"});
  CHECK(suggestions("frobnicate", commands).empty());
  CHECK(suggestions("users", commands).empty());
  // Short words only get one edit: "st" is not "sync".
  CHECK(suggestions("ab", V{"abc", "xyz"}) == V{"abc"});
  CHECK(suggestions("ab", V{"xy"}).empty());
  CHECK(suggestions("activate", V{"list", "deactivate", "reactivate"}) == V{"deactivate", "reactivate"});
  CHECK(suggestions("mappings", V{"version", "sources", "mapping", "mapping"}) == V{"mapping"});
}

TEST_CASE("alternatives are quoted and joined as a sentence") {
  CHECK(quoted_alternatives({"a"}) == "'a'");
  CHECK(quoted_alternatives({"a", "b"}) == "'a' or 'b'");
  CHECK(quoted_alternatives({"a", "b", "c"}) == "'a', 'b' or 'c'");
}
