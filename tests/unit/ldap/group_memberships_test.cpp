// GroupGraph::memberships: which groups each user is in, as the sync asks it,
// on the shapes real directories have: nesting three deep (AD's
// Backend ⊂ Dev ⊂ IT-Dept), a user listed both directly and through nesting,
// cycles (legal in AD), a group containing itself, members outside the
// searched groups, and direct-only membership when the job asks for it.
#include <catch2/catch.hpp>

#include "core/ldap/group_graph.hpp"

using daoctl::ldap::GroupGraph;
using Strings = std::vector<std::string>;

namespace {
Strings groups_of(const daoctl::ldap::Memberships& m, const std::string& leaf) {
  Strings out;
  auto it = m.of_member.find(leaf);
  if (it == m.of_member.end()) return out;
  for (auto i : it->second) out.push_back(m.groups[i]);
  return out;
}
}  // namespace

TEST_CASE("a member of a nested group is a member of every group above it", "[groups]") {
  GroupGraph g;
  g.add_group("cn=it-dept", {"cn=dev", "uid=boss"});
  g.add_group("cn=dev", {"cn=backend", "uid=lead"});
  g.add_group("cn=backend", {"uid=coder", "uid=lead"});
  auto m = g.memberships(/*nested=*/true);
  CHECK(m.groups == Strings{"cn=it-dept", "cn=dev", "cn=backend"});
  CHECK(groups_of(m, "uid=coder") == Strings{"cn=it-dept", "cn=dev", "cn=backend"});
  // Listed directly in dev and through backend: each group once.
  CHECK(groups_of(m, "uid=lead") == Strings{"cn=it-dept", "cn=dev", "cn=backend"});
  CHECK(groups_of(m, "uid=boss") == Strings{"cn=it-dept"});
  // Groups are not leaves.
  CHECK_FALSE(m.of_member.contains("cn=dev"));
  CHECK(m.cycles.empty());

  auto direct = g.memberships(/*nested=*/false);
  CHECK(groups_of(direct, "uid=coder") == Strings{"cn=backend"});
  CHECK(groups_of(direct, "uid=lead") == Strings{"cn=dev", "cn=backend"});
}

TEST_CASE("groups that contain each other are one cycle, and their members are in all of them", "[groups]") {
  GroupGraph g;
  g.add_group("cn=a", {"cn=b", "uid=1"});
  g.add_group("cn=b", {"cn=c", "uid=2"});
  g.add_group("cn=c", {"cn=a", "uid=3"});
  g.add_group("cn=outer", {"cn=c"});
  g.add_group("cn=self", {"cn=self", "uid=4"});
  g.add_group("cn=empty", {});
  auto m = g.memberships(true);
  for (const char* u : {"uid=1", "uid=2", "uid=3"})
    CHECK(groups_of(m, u) == Strings{"cn=a", "cn=b", "cn=c", "cn=outer"});
  CHECK(groups_of(m, "uid=4") == Strings{"cn=self"});
  REQUIRE(m.cycles.size() == 2);
  CHECK(m.cycles[0] == Strings{"cn=a", "cn=b", "cn=c"});
  CHECK(m.cycles[1] == Strings{"cn=self"});
  // A member that is outside the searched groups (a user elsewhere, a group
  // not found by the search) is a leaf like any other.
  GroupGraph h;
  h.add_group("cn=x", {"cn=not-searched", "uid=9"});
  auto n = h.memberships(true);
  CHECK(groups_of(n, "cn=not-searched") == Strings{"cn=x"});
  CHECK(n.cycles.empty());
}

TEST_CASE("memberships of a deep chain and a wide group stay proportional to the answer", "[groups]") {
  GroupGraph g;
  constexpr int depth = 2000;
  for (int i = 0; i + 1 < depth; ++i) g.add_group("cn=g" + std::to_string(i), {"cn=g" + std::to_string(i + 1)});
  Strings many;
  for (int u = 0; u < 500; ++u) many.push_back("uid=u" + std::to_string(u));
  g.add_group("cn=g" + std::to_string(depth - 1), many);
  auto m = g.memberships(true);
  REQUIRE(m.of_member.size() == 500);
  CHECK(m.of_member.at("uid=u123").size() == depth);
  CHECK(m.cycles.empty());
}
