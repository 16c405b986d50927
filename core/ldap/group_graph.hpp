// Nested group expansion over an in-memory membership graph.
//
// Keys are opaque strings; callers use canonical DNs (canonical_dn) so that the
// same entry spelled two ways is one node. A key that was added with add_group
// is a group; any other member key is a leaf (a user, or a group outside the
// synced scope).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace daoctl::ldap {

struct GroupExpansion {
  std::vector<std::string> members;  // leaf members reachable from the group, each once, sorted
  std::vector<std::string> nested_groups;  // groups reached through nesting (not the root), sorted
  // Every membership cycle met, as the path that closes it:
  // {"cn=a", "cn=b", "cn=a"} means a contains b and b contains a.
  // Cycles are legal in AD and do not stop the expansion; they are reported so
  // that the sync can warn about them.
  std::vector<std::vector<std::string>> cycles;
};

// Every leaf's groups at once (the sync's question: which groups is this
// user in?), see GroupGraph::memberships.
struct Memberships {
  std::vector<std::string> groups;  // every group, in the order first added
  // Leaf -> indexes into `groups`, sorted, each once: the groups the leaf is
  // a direct member of, and with nesting every group containing one of those.
  std::unordered_map<std::string, std::vector<std::uint32_t>> of_member;
  // Every set of groups that contain each other (a strongly connected part of
  // the graph, or a group containing itself), each sorted, sorted. A member of
  // one is a member of all of them; nothing loops.
  std::vector<std::vector<std::string>> cycles;
};

class GroupGraph {
 public:
  // Adds (or extends) a group with its direct members.
  void add_group(const std::string& group, const std::vector<std::string>& direct_members);
  bool is_group(const std::string& key) const { return direct_.contains(key); }

  // Expands `group` transitively; an unknown key expands to nothing.
  // Iterative (no recursion), so a deep chain cannot overflow the stack.
  GroupExpansion expand(const std::string& group) const;

  // Which groups each leaf is in: directly only, or (nested) also every group
  // that contains one of its groups, through any depth and any cycle. Each
  // group's containers are walked once (upwards, iteratively), so the cost is
  // the size of the answer, not one expansion per group.
  Memberships memberships(bool nested) const;

 private:
  std::unordered_map<std::string, std::vector<std::string>> direct_;
  std::vector<std::string> order_;  // groups in the order first added
};

}  // namespace daoctl::ldap
