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
  if (set.streamed_posts) {
    // The streamed posts' files were counted apart: one shared by a held and
    // a streamed post counts twice (manifests put all posts in one place).
    auto s = set.streamed_posts->counts();
    c.posts += s.posts;
    c.news += s.news;
    c.comments += s.comments;
    c.reactions += s.reactions;
    c.files += s.files;
  }
  return c;
}

Result<void> for_each_post(const ContentSet& set, const std::function<void(const Post&)>& fn) {
  for (const auto& p : set.posts) fn(p);
  return set.streamed_posts ? for_each_post(*set.streamed_posts, fn) : Result<void>();
}

Result<void> for_each_post(const PostSource& source, const std::function<void(const Post&)>& fn) {
  auto reader = source.open();
  if (!reader) return std::unexpected(reader.error());
  for (;;) {
    auto post = (*reader)->next();
    if (!post) return std::unexpected(post.error());
    if (!*post) return {};
    fn(**post);
  }
}

}  // namespace daoctl::content
