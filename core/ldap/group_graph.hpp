// Nested group expansion over an in-memory membership graph.
//
// Keys are opaque strings; callers use canonical DNs (canonical_dn) so that the
// same entry spelled two ways is one node. A key that was added with add_group
// is a group; any other member key is a leaf (a user, or a group outside the
// synced scope).
#pragma once

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

class GroupGraph {
 public:
  // Adds (or extends) a group with its direct members.
  void add_group(const std::string& group, const std::vector<std::string>& direct_members);
  bool is_group(const std::string& key) const { return direct_.contains(key); }

  // Expands `group` transitively; an unknown key expands to nothing.
  // Iterative (no recursion), so a deep chain cannot overflow the stack.
  GroupExpansion expand(const std::string& group) const;

 private:
  std::unordered_map<std::string, std::vector<std::string>> direct_;
};

}  // namespace daoctl::ldap
