#include "core/ldap/group_graph.hpp"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_set>

namespace daoctl::ldap {

void GroupGraph::add_group(const std::string& group,
                           const std::vector<std::string>& direct_members) {
  auto [it, added] = direct_.try_emplace(group);
  if (added) order_.push_back(group);
  auto& members = it->second;
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

Memberships GroupGraph::memberships(bool nested) const {
  Memberships out;
  out.groups = order_;
  const auto n = static_cast<std::uint32_t>(order_.size());
  std::unordered_map<std::string_view, std::uint32_t> index;
  index.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) index.emplace(order_[i], i);
  // parents[g]: the groups that list g as a direct member.
  std::vector<std::vector<std::uint32_t>> parents(n), children(n);
  for (std::uint32_t g = 0; g < n; ++g)
    for (const auto& m : direct_.at(order_[g]))
      if (auto it = index.find(m); it != index.end()) {
        parents[it->second].push_back(g);
        children[g].push_back(it->second);
      }

  // The groups each group counts for: itself, and with nesting every group
  // above it (upward breadth-first walk; a visited mark stops cycles).
  std::vector<std::vector<std::uint32_t>> effective(n);
  std::vector<std::uint32_t> mark(n, UINT32_MAX);
  std::vector<std::uint32_t> queue;
  for (std::uint32_t g = 0; g < n; ++g) {
    auto& eff = effective[g];
    eff.push_back(g);
    if (!nested) continue;
    mark[g] = g;
    queue.assign(1, g);
    for (std::size_t q = 0; q < queue.size(); ++q)
      for (auto p : parents[queue[q]])
        if (mark[p] != g) {
          mark[p] = g;
          eff.push_back(p);
          queue.push_back(p);
        }
  }
  for (std::uint32_t g = 0; g < n; ++g)
    for (const auto& m : direct_.at(order_[g])) {
      if (index.contains(m)) continue;  // a group: its members are leaves of their own
      auto& mine = out.of_member[m];
      mine.insert(mine.end(), effective[g].begin(), effective[g].end());
    }
  for (auto& [leaf, groups] : out.of_member) {
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  }

  // Cycles: strongly connected parts of more than one group, or a group
  // containing itself (Tarjan's algorithm, iterative).
  std::vector<std::uint32_t> order(n, UINT32_MAX), low(n, 0), stack;
  std::vector<char> on_stack(n, 0);
  std::uint32_t counter = 0;
  struct Frame {
    std::uint32_t g;
    std::size_t next;
  };
  std::vector<Frame> frames;
  for (std::uint32_t root = 0; root < n; ++root) {
    if (order[root] != UINT32_MAX) continue;
    frames.push_back({root, 0});
    order[root] = low[root] = counter++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!frames.empty()) {
      Frame& f = frames.back();
      if (f.next < children[f.g].size()) {
        const auto c = children[f.g][f.next++];
        if (order[c] == UINT32_MAX) {
          order[c] = low[c] = counter++;
          stack.push_back(c);
          on_stack[c] = 1;
          frames.push_back({c, 0});
        } else if (on_stack[c]) {
          low[f.g] = std::min(low[f.g], order[c]);
        }
        continue;
      }
      const auto g = f.g;
      frames.pop_back();
      if (!frames.empty()) low[frames.back().g] = std::min(low[frames.back().g], low[g]);
      if (low[g] != order[g]) continue;
      std::vector<std::string> part;
      std::uint32_t top;
      do {
        top = stack.back();
        stack.pop_back();
        on_stack[top] = 0;
        part.push_back(order_[top]);
      } while (top != g);
      const bool self_loop = std::find(children[g].begin(), children[g].end(), g) != children[g].end();
      if (part.size() > 1 || self_loop) {
        std::sort(part.begin(), part.end());
        out.cycles.push_back(std::move(part));
      }
    }
  }
  std::sort(out.cycles.begin(), out.cycles.end());
  return out;
}

}  // namespace daoctl::ldap
