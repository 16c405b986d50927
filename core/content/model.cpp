#include "core/content/model.hpp"

#include <set>

namespace daoctl::content {

ContentCounts count_content(const ContentSet& set) {
  ContentCounts c;
  c.communities = static_cast<std::int64_t>(set.communities.size());
  c.badges = static_cast<std::int64_t>(set.badges.size());
  c.events = static_cast<std::int64_t>(set.events.size());
  c.awards = static_cast<std::int64_t>(set.awards.size());
  std::set<std::string> files;
  for (const auto& p : set.posts) {
    (p.type == "news" ? c.news : c.posts) += 1;
    c.comments += static_cast<std::int64_t>(p.comments.size());
    c.reactions += static_cast<std::int64_t>(p.reactions.size());
    if (p.banner) files.insert(p.banner->external_id);
    for (const auto& a : p.attachments) files.insert(a.external_id);
  }
  for (const auto& e : set.events) c.invitations += static_cast<std::int64_t>(e.invitations.size());
  c.files = static_cast<std::int64_t>(files.size());
  return c;
}

}  // namespace daoctl::content
