#include "core/ldap/group_graph.hpp"

#include <algorithm>
#include <unordered_set>

namespace daoctl::ldap {

void GroupGraph::add_group(const std::string& group,
                           const std::vector<std::string>& direct_members) {
  auto& members = direct_[group];
  members.insert(members.end(), direct_members.begin(), direct_members.end());
}

GroupExpansion GroupGraph::expand(const std::string& group) const {
  GroupExpansion out;
  if (!direct_.contains(group)) return out;

  struct Frame {
    const std::string* group;
    const std::vector<std::string>* members;
    std::size_t next = 0;
  };
  std::unordered_set<std::string> seen_leaves;
  std::unordered_set<std::string> finished_groups;
  std::unordered_set<std::string> on_path;
  std::vector<Frame> path;

  auto enter = [&](const std::string& g) {
    const auto it = direct_.find(g);
    path.push_back(Frame{&it->first, &it->second});
    on_path.insert(g);
  };
  enter(group);
  while (!path.empty()) {
    Frame& top = path.back();
    if (top.next == top.members->size()) {
      on_path.erase(*top.group);
      finished_groups.insert(*top.group);
      path.pop_back();
      continue;
    }
    const std::string& member = (*top.members)[top.next++];
    if (!direct_.contains(member)) {
      if (seen_leaves.insert(member).second) out.members.push_back(member);
      continue;
    }
    if (on_path.contains(member)) {
      std::vector<std::string> cycle;
      auto start = std::find_if(path.begin(), path.end(),
                                [&](const Frame& f) { return *f.group == member; });
      for (auto it = start; it != path.end(); ++it) cycle.push_back(*it->group);
      cycle.push_back(member);
      out.cycles.push_back(std::move(cycle));
      continue;
    }
    if (finished_groups.contains(member)) continue;
    out.nested_groups.push_back(member);
    enter(member);
  }
  std::sort(out.members.begin(), out.members.end());
  std::sort(out.nested_groups.begin(), out.nested_groups.end());
  return out;
}

}  // namespace daoctl::ldap
