#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/ldap/group_graph.hpp"
#include "core/ldap/range_option.hpp"

using namespace daoctl::ldap;
using Strings = std::vector<std::string>;

TEST_CASE("range option parsing", "[range]") {
  auto r = parse_range_option("member;range=0-1499");
  REQUIRE(r);
  REQUIRE(*r);
  CHECK((*r)->attribute == "member");
  CHECK((*r)->first == 0);
  CHECK((*r)->last == 1499u);

  auto last = parse_range_option("member;Range=1500-*");
  REQUIRE(last);
  REQUIRE(*last);
  CHECK((*last)->first == 1500);
  CHECK_FALSE((*last)->last.has_value());

  auto tagged = parse_range_option("cn;lang-de;range=3-5");
  REQUIRE(tagged);
  REQUIRE(*tagged);
  CHECK((*tagged)->attribute == "cn;lang-de");

  auto plain = parse_range_option("member");
  REQUIRE(plain);
  CHECK_FALSE(plain->has_value());
  CHECK_FALSE(parse_range_option("cn;lang-de").value().has_value());

  for (const char* bad : {"member;range=10-2", "member;range=x-*", "member;range=5",
                          "member;range=-*", "member;range=0-"}) {
    CAPTURE(bad);
    auto e = parse_range_option(bad);
    REQUIRE_FALSE(e);
    CHECK(e.error().object == "attribute \"" + std::string(bad) + "\"");
  }
  CHECK(range_request("member", 1500) == "member;range=1500-*");
}

TEST_CASE("nested groups expand transitively", "[groups]") {
  GroupGraph g;
  g.add_group("cn=all", {"cn=dev", "cn=ops", "uid=boss"});
  g.add_group("cn=dev", {"uid=a", "uid=b", "cn=backend"});
  g.add_group("cn=backend", {"uid=b", "uid=c"});
  g.add_group("cn=ops", {"uid=d", "cn=backend"});
  auto e = g.expand("cn=all");
  CHECK(e.members == Strings{"uid=a", "uid=b", "uid=boss", "uid=c", "uid=d"});
  CHECK(e.nested_groups == Strings{"cn=backend", "cn=dev", "cn=ops"});
  CHECK(e.cycles.empty());
  CHECK(g.expand("cn=backend").members == Strings{"uid=b", "uid=c"});
  CHECK(g.expand("cn=unknown").members.empty());
  CHECK(g.is_group("cn=dev"));
  CHECK_FALSE(g.is_group("uid=a"));
}

TEST_CASE("membership cycles are reported with their path and do not loop", "[groups]") {
  GroupGraph g;
  g.add_group("cn=a", {"cn=b", "uid=1"});
  g.add_group("cn=b", {"cn=c", "uid=2"});
  g.add_group("cn=c", {"cn=a", "uid=3"});
  auto e = g.expand("cn=a");
  CHECK(e.members == Strings{"uid=1", "uid=2", "uid=3"});
  REQUIRE(e.cycles.size() == 1);
  CHECK(e.cycles[0] == Strings{"cn=a", "cn=b", "cn=c", "cn=a"});

  GroupGraph self;
  self.add_group("cn=self", {"cn=self", "uid=x"});
  auto s = self.expand("cn=self");
  CHECK(s.members == Strings{"uid=x"});
  REQUIRE(s.cycles.size() == 1);
  CHECK(s.cycles[0] == Strings{"cn=self", "cn=self"});
}

TEST_CASE("a deep nesting chain does not exhaust the stack", "[groups]") {
  GroupGraph g;
  constexpr int depth = 100000;
  for (int i = 0; i + 1 < depth; ++i) {
    g.add_group("cn=g" + std::to_string(i),
                {"cn=g" + std::to_string(i + 1), "uid=u" + std::to_string(i)});
  }
  g.add_group("cn=g" + std::to_string(depth - 1), {"uid=u" + std::to_string(depth - 1)});
  auto e = g.expand("cn=g0");
  CHECK(e.members.size() == depth);
  CHECK(e.nested_groups.size() == depth - 1);
}
