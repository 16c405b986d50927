// The import model: what every content source (native manifest, Slack export,
// Mattermost bulk export, WordPress WXR) is read into before anything is sent.
//
// Objects name each other by source keys (a user's key, a community's
// external id), never by platform ids: those exist only once apply has
// created or found the objects. Every object carries the external id it will
// have on the platform, derived from the source alone (external_id.hpp), so
// reading the same source twice gives the same ids and a rerun creates
// nothing twice.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace daoctl::content {

// A person as the source knows them. `key` is unique within the source
// (Slack user id, Mattermost username, WXR author login, manifest key).
struct SourceUser {
  std::string key;
  std::string email;
  std::string user_name;
  std::string external_id;
  std::string display_name;
};

// Where in the source something came from ("export.json:17",
// "general/2018-01-20.json[3]"), for reports and errors.
using SourceLocation = std::string;

struct Community {
  std::string external_id;
  std::string name;
  std::string description;
  std::string visibility = "public";  // public|private|secret
  std::vector<std::string> member_keys;
  SourceLocation where;
};

// A file to upload: bytes are read from `path` (a file of the source tree)
// when apply reaches it; `missing` says why there are no bytes (a Slack file
// that only exists as a URL), and the attachment is then reported, not sent.
struct Attachment {
  std::string external_id;
  std::string name;
  std::string content_type = "application/octet-stream";
  std::string path;
  std::string missing;
};

struct Reaction {
  std::string user_key;
  std::string kind;  // like|love|laugh|wow|sad|celebrate
  std::string created_at;
};

struct Comment {
  std::string external_id;
  std::string parent_external_id;  // empty: a comment on the post itself
  std::string author_key;
  std::string body;
  std::string created_at;  // RFC 3339 UTC
  SourceLocation where;
};

struct Post {
  std::string external_id;
  std::string type = "post";  // post|news
  std::string title;
  std::string body;
  std::string body_format = "markdown";  // markdown|html
  std::string author_key;
  std::string community_external_id;  // empty: no community
  std::string created_at;             // RFC 3339 UTC
  bool pinned = false;
  std::optional<Attachment> banner;
  std::string story_until;
  std::vector<Attachment> attachments;
  std::vector<Comment> comments;  // parents before their replies
  std::vector<Reaction> reactions;
  SourceLocation where;
};

struct Invitation {
  std::string user_key;
  std::string state = "pending";  // going|maybe|declined|pending
};

struct Event {
  std::string external_id;
  std::string title;
  std::string description;
  std::string starts_at;
  std::string ends_at;
  std::string location;
  std::string organizer_key;
  std::string community_external_id;
  std::vector<Invitation> invitations;
  SourceLocation where;
};

struct Badge {
  std::string external_id;
  std::string name;
  std::string description;
  SourceLocation where;
};

struct Award {
  std::string external_id;
  std::string user_key;
  std::string badge_external_id;
  std::string reason;
  std::string awarded_at;
  std::string awarded_by_key;
  SourceLocation where;
};

// Something of the source that will not be imported, and why (a Slack
// channel_join notice, a WXR attachment post, a DM channel).
struct Skipped {
  SourceLocation where;
  std::string reason;
};

// Per-kind totals of a content set, as plan and apply report them.
struct ContentCounts {
  std::int64_t communities = 0, badges = 0, posts = 0, news = 0, comments = 0, reactions = 0,
               events = 0, invitations = 0, awards = 0, files = 0;
};

// Posts that are not held in memory but read again from the source, one at a
// time, whenever they are needed: how a JSON Lines manifest of any size is
// imported with flat memory (posts are by far the largest part of a set;
// users, communities, badges, events and awards stay in memory).
class PostReader {
 public:
  virtual ~PostReader() = default;
  // The next post in source order, nullopt at the end; an error when the
  // source cannot be read again or changed since it was validated.
  virtual Result<std::optional<Post>> next() = 0;
};

class PostSource {
 public:
  virtual ~PostSource() = default;
  // A reader from the first post. Each call reads the source again.
  virtual Result<std::unique_ptr<PostReader>> open() const = 0;
  // Counts of the posts (posts, news, comments, reactions, files), known
  // from the reading pass that validated them.
  virtual ContentCounts counts() const = 0;
  // Whether any post has an attachment or a banner (else a pass for files
  // can be skipped).
  virtual bool has_attachments() const = 0;
};

struct ContentSet {
  std::string source_kind;  // manifest|slack|mattermost|wxr
  std::map<std::string, SourceUser> users;  // by key
  std::vector<Community> communities;
  std::vector<Badge> badges;
  std::vector<Post> posts;  // the posts held in memory
  std::shared_ptr<const PostSource> streamed_posts;  // more posts, after `posts`; null = none
  std::vector<Event> events;
  std::vector<Award> awards;
  std::vector<Skipped> skipped;
};

ContentCounts count_content(const ContentSet& set);

// Calls `fn` for every post of the set: the held ones, then the streamed ones
// (read again from the source). Stops at the first error of the stream.
Result<void> for_each_post(const ContentSet& set, const std::function<void(const Post&)>& fn);
// The streamed posts alone.
Result<void> for_each_post(const PostSource& source, const std::function<void(const Post&)>& fn);

// Problems a reader found that make a source unfit to import: each names the
// file, the line and (for JSON) the path inside the document.
struct SourceProblem {
  std::string where;  // "posts.yaml:12:5 /posts/3/author" or "export.json:17"
  std::string message;
};

}  // namespace daoctl::content
