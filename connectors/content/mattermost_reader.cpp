// Mattermost bulk export (JSON Lines). Lines come in any order, so one pass
// reads every line first: channels -> communities, users, and the lines that
// are not imported (direct channels and posts, emoji, schemes) -> skipped are
// held; a post line is validated there and leaves only an index entry (its
// time, the byte offset of its line and its line number). After the pass a
// post in a channel the export does not define is skipped with the reason,
// and the index is sorted by time.
//
// read_mattermost_file leaves the posts in the file: ContentSet::streamed_posts
// reads the indexed lines again, in time order, each time the import needs
// them, and refuses a file changed since the pass (FileStamp). read_mattermost
// (an export already in memory) builds the same Posts from the same index
// into ContentSet::posts. Either way a post line becomes a Post (its inline
// replies -> comments, reactions -> reactions) in build_post alone.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "connectors/content/file_stamp.hpp"
#include "connectors/content/json_lines.hpp"
#include "connectors/content/readers.hpp"
#include "core/content/external_id.hpp"
#include "core/text/json_member.hpp"
#include "core/content/markup.hpp"

namespace daoctl::content {

namespace {

using nlohmann::json;
using IsUser = std::function<bool(std::string_view)>;

std::string millis_to_rfc3339(const json& v) {
  return v.is_number() ? unix_to_rfc3339(v.get<double>() / 1000.0) : std::string();
}

// The "create_at" of a reply or a reaction as RFC 3339, "" when it has none
// (or is not an object at all).
std::string created_at_of(const json& j) {
  if (!j.is_object()) return {};
  auto it = j.find("create_at");
  return it != j.end() ? millis_to_rfc3339(*it) : std::string();
}

std::int64_t size_of_array(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_array() ? static_cast<std::int64_t>(it->size()) : 0;
}

// The body of a validated post line -> the Post it imports as. `community`
// is the external id of its channel's community; `is_user` knows every user
// of the export (mentions of others stay text).
Post build_post(const json& body, const std::string& where, const std::string& community, const IsUser& is_user) {
  auto team = text::string_member(body, "team"), channel = text::string_member(body, "channel"), user = text::string_member(body, "user");
  const auto& create_at = body.at("create_at");
  auto created = std::to_string(create_at.get<std::int64_t>());
  Post p;
  p.external_id = derive_external_id("mattermost", {"post", team, channel, user, created});
  p.author_key = user;
  p.community_external_id = community;
  p.created_at = millis_to_rfc3339(create_at);
  p.body = mattermost_mentions(text::string_member(body, "message"), is_user);
  p.where = where;
  if (auto r = body.find("reactions"); r != body.end() && r->is_array())
    for (const auto& reaction : *r)
      p.reactions.push_back(
          {text::string_member(reaction, "user"), reaction_kind_for_emoji(text::string_member(reaction, "emoji_name")), created_at_of(reaction)});
  if (auto r = body.find("replies"); r != body.end() && r->is_array())
    for (std::size_t i = 0; i < r->size(); ++i) {
      const auto& reply = (*r)[i];
      Comment cm;
      auto reply_user = text::string_member(reply, "user");
      auto at_it = reply.is_object() ? reply.find("create_at") : reply.end();
      // A create_at beyond int64 (1e300) has no integer text: the reply's
      // position names it instead, as for a missing one.
      auto at = at_it != reply.end() && at_it->is_number() && std::fabs(at_it->get<double>()) < 9e18
                    ? std::to_string(at_it->get<std::int64_t>())
                    : std::to_string(i);
      cm.external_id = derive_external_id("mattermost", {"reply", team, channel, user, created, reply_user, at});
      cm.author_key = reply_user;
      cm.body = mattermost_mentions(text::string_member(reply, "message"), is_user);
      if (cm.body.empty()) cm.body = "(empty message)";
      cm.created_at = created_at_of(reply);
      if (cm.created_at.empty()) cm.created_at = p.created_at;
      cm.where = fmt::format("{} /post/replies/{}", where, i);
      p.comments.push_back(cm);
    }
  return p;
}

// One post line of the export, all that is held of it between the reading
// pass and the import.
struct PostEntry {
  double second = 0;          // floor(create_at / 1000): the second its created_at names
  std::uint64_t offset = 0;   // of the line's first byte
  std::uint64_t line = 0;     // 1-based
  std::uint32_t channel = 0;  // PostIndex::communities / Scan::channels_
  bool has_time = false;      // create_at is a number (else a problem, once the channel is known)
};

// The posts of an export after the reading pass, and what building them needs.
struct PostIndex {
  std::vector<PostEntry> entries;            // in import order
  std::vector<std::string> communities;      // external id by PostEntry::channel
  std::set<std::string, std::less<>> users;  // every username of the export
  ContentCounts counts;
};

// The reading pass: fed every line once, in file order (from memory or from
// the file); holds everything but the posts, which leave a PostEntry each.
class Scan {
 public:
  explicit Scan(std::string file_name) : name_(std::move(file_name)) { out.set.source_kind = "mattermost"; }

  ReadResult out;
  PostIndex index;

  void line(std::string_view line, std::uint64_t line_no, std::uint64_t offset) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;
    auto& set = out.set;
    auto where = fmt::format("{}:{}", name_, line_no);
    json j;
    if (auto bad = parse_json_line(line, name_, line_no, j)) {
      out.problems.push_back(std::move(*bad));
      return;
    }
    auto type = text::string_member(j, "type");
    if (type.empty() || !j.contains(type) || !j[type].is_object()) {
      if (type == "version") {
        if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != 1)
          out.problems.push_back({where + " /version", "only bulk export version 1 is known"});
        have_version_ = true;
        return;
      }
      out.problems.push_back({where + " /type", "a line needs \"type\" and an object under that name"});
      return;
    }
    const auto& body = j[type];
    if (type == "team") return;
    if (type == "channel") {
      Community c;
      auto team = text::string_member(body, "team"), name = text::string_member(body, "name");
      if (name.empty()) {
        out.problems.push_back({where + " /channel/name", "a channel needs a name"});
        return;
      }
      c.external_id = derive_external_id("mattermost", {"channel", team, name});
      c.name = text::string_member(body, "display_name").empty() ? name : text::string_member(body, "display_name");
      c.description = text::string_member(body, "purpose");
      c.visibility = text::string_member(body, "type") == "P" ? "private" : "public";
      c.where = where;
      auto channel = channel_of(team, name);
      channels_[channel].community = set.communities.size();  // a later definition wins
      set.communities.push_back(c);
    } else if (type == "user") {
      SourceUser u;
      u.key = text::string_member(body, "username");
      if (u.key.empty()) {
        out.problems.push_back({where + " /user/username", "a user needs a username"});
        return;
      }
      u.user_name = u.key;
      u.email = text::string_member(body, "email");
      u.display_name = (text::string_member(body, "first_name") + " " + text::string_member(body, "last_name"));
      if (u.display_name == " ") u.display_name = u.key;
      set.users.emplace(u.key, u);
    } else if (type == "post") {
      PostEntry e;
      e.offset = offset;
      e.line = line_no;
      e.channel = channel_of(text::string_member(body, "team"), text::string_member(body, "channel"));
      // A create_at beyond year 9999 is no time (millis_to_rfc3339 gives "").
      if (auto t = body.find("create_at");
          t != body.end() && t->is_number() && is_rfc3339_seconds(t->get<double>() / 1000.0)) {
        e.has_time = true;
        e.second = std::floor(t->get<double>() / 1000.0);  // as millis_to_rfc3339 rounds
        channels_[e.channel].comments += size_of_array(body, "replies");
        channels_[e.channel].reactions += size_of_array(body, "reactions");
      }
      index.entries.push_back(e);
    } else if (type == "direct_channel" || type == "direct_post") {
      set.skipped.push_back({where, "direct messages are not imported"});
    } else if (type == "emoji" || type == "scheme") {
      set.skipped.push_back({where, type + " definitions are not imported"});
    } else {
      set.skipped.push_back({where, "unknown line type \"" + type + "\""});
    }
  }

  // After the last line: what only the whole file tells (a missing version
  // line, posts of channels never defined), and the index in import order.
  // Problems and skips come in the order the reader always gave them: the
  // lines' own, then the version line's, then the posts' in file order.
  void finish() {
    auto& set = out.set;
    if (!have_version_) out.problems.push_back({name_ + ":1", "the export has no {\"type\":\"version\"} line"});
    auto& entries = index.entries;
    std::size_t kept = 0;
    for (const auto& e : entries) {
      const auto& c = channels_[e.channel];
      auto where = fmt::format("{}:{}", name_, e.line);
      if (c.community == kNone) {
        set.skipped.push_back({where, fmt::format("channel {}/{} is not in the export", c.team, c.name)});
      } else if (!e.has_time) {
        out.problems.push_back({where + " /post/create_at", "a post needs create_at (milliseconds since 1970, before year 10000)"});
      } else {
        entries[kept++] = e;
      }
    }
    entries.resize(kept);
    entries.shrink_to_fit();
    // Export order is arbitrary; import in time order so ids follow history.
    // Posts were always sorted by their created_at text (RFC 3339, whole
    // seconds) with a stable sort over file order: sorting by that second,
    // stable over file order, gives the same order (for the four-digit years
    // RFC 3339 allows) without holding any text per post. Posts of the same
    // second keep their file order, whatever their milliseconds.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const PostEntry& a, const PostEntry& b) { return a.second < b.second; });
    index.counts.posts = static_cast<std::int64_t>(entries.size());
    index.communities.reserve(channels_.size());
    for (const auto& c : channels_) {
      index.communities.push_back(c.community == kNone ? std::string() : set.communities[c.community].external_id);
      if (c.community == kNone) continue;
      index.counts.comments += c.comments;
      index.counts.reactions += c.reactions;
    }
    for (const auto& [key, user] : set.users) index.users.insert(key);
  }

 private:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  // A (team, channel) named by a channel line or a post line.
  struct Channel {
    std::string team, name;
    std::size_t community = kNone;  // index into set.communities; kNone: not defined (yet)
    std::int64_t comments = 0, reactions = 0;  // of its posts that have a create_at
  };

  std::uint32_t channel_of(const std::string& team, const std::string& name) {
    auto [it, added] = channel_ids_.try_emplace({team, name}, static_cast<std::uint32_t>(channels_.size()));
    if (added) {
      Channel c;
      c.team = team;
      c.name = name;
      channels_.push_back(std::move(c));
    }
    return it->second;
  }

  std::string name_;
  bool have_version_ = false;
  std::map<std::pair<std::string, std::string>, std::uint32_t> channel_ids_;
  std::vector<Channel> channels_;
};

// The Post of an indexed line, parsed again; a Conflict when the line is no
// longer the post the reading pass indexed.
Result<Post> post_of_line(std::string_view line, const PostEntry& e, const PostIndex& index, const std::string& name) {
  auto where = fmt::format("{}:{}", name, e.line);
  auto changed = [&](const char* why) {
    return fail(ErrorKind::Conflict, "the export changed since it was validated", where, why, "run the command again");
  };
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return changed("the line is no longer a JSON object");
  auto it = j.find("post");
  if (text::string_member(j, "type") != "post" || it == j.end() || !it->is_object()) return changed("the line is no longer a post");
  auto t = it->find("create_at");
  if (t == it->end() || !t->is_number() || std::floor(t->get<double>() / 1000.0) != e.second)
    return changed("the post's create_at differs");
  return build_post(*it, where, index.communities[e.channel],
                    [&](std::string_view user) { return index.users.contains(user); });
}

// The posts of a validated export, read again from the file each time they
// are needed: one line per post, at the offsets the reading pass indexed, in
// time order. A file changed since that pass (size or modification time) is
// refused rather than sent half-checked.
class MattermostPostSource final : public PostSource {
 public:
  MattermostPostSource(std::filesystem::path file, FileStamp stamp, PostIndex index)
      : file_(std::move(file)), stamp_(stamp), index_(std::make_shared<const PostIndex>(std::move(index))) {}

  Result<std::unique_ptr<PostReader>> open() const override {
    if (stamp_of(file_) != stamp_)
      return fail(ErrorKind::Conflict, "the export changed since it was validated", file_.string(),
                  "its size or modification time differs", "run the command again");
    auto reader = std::make_unique<Reader>(file_, index_);
    if (!reader->in) return fail(ErrorKind::Io, "cannot read the export", file_.string(), std::strerror(errno));
    return reader;
  }
  ContentCounts counts() const override { return index_->counts; }
  bool has_attachments() const override { return false; }

 private:
  struct Reader final : PostReader {
    Reader(const std::filesystem::path& file, std::shared_ptr<const PostIndex> idx)
        : in(file, std::ios::binary), name(file.string()), index(std::move(idx)) {}
    Result<std::optional<Post>> next() override {
      if (at == index->entries.size()) return std::optional<Post>();
      const auto& e = index->entries[at++];
      if (e.offset != position) {  // posts in file order need no seek
        in.clear();
        in.seekg(static_cast<std::streamoff>(e.offset));
      }
      if (!std::getline(in, line)) {
        if (in.bad()) return fail(ErrorKind::Io, "cannot read the export", name, std::strerror(errno));
        return fail(ErrorKind::Conflict, "the export changed since it was validated",
                    fmt::format("{}:{}", name, e.line), "the line is gone", "run the command again");
      }
      position = e.offset + line.size() + 1;
      auto post = post_of_line(line, e, *index, name);
      if (!post) return std::unexpected(post.error());
      return std::optional<Post>(std::move(*post));
    }
    std::ifstream in;
    std::string name, line;
    std::shared_ptr<const PostIndex> index;  // shared with the source
    std::size_t at = 0;
    std::uint64_t position = 0;  // of the stream, after the last line read
  };

  std::filesystem::path file_;
  FileStamp stamp_;
  std::shared_ptr<const PostIndex> index_;
};

}  // namespace

Result<ReadResult> read_mattermost(std::string_view text, const std::string& file_name) {
  Scan scan(file_name);
  std::uint64_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    scan.line(text.substr(start, end - start), ++line_no, start);
    start = end + 1;
  }
  scan.finish();
  auto& posts = scan.out.set.posts;
  posts.reserve(scan.index.entries.size());
  for (const auto& e : scan.index.entries) {
    auto line = text.substr(e.offset);
    auto post = post_of_line(line.substr(0, line.find('\n')), e, scan.index, file_name);
    if (!post) return std::unexpected(post.error());  // cannot happen: the text is the one indexed
    posts.push_back(std::move(*post));
  }
  return std::move(scan.out);
}

Result<ReadResult> read_mattermost_file(const std::filesystem::path& file) {
  auto stamp = stamp_of(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::Io, "cannot read the export", file.string(), std::strerror(errno));
  Scan scan(file.string());
  std::string line;
  std::uint64_t line_no = 0, offset = 0;
  while (std::getline(in, line)) {
    scan.line(line, ++line_no, offset);
    offset += line.size() + 1;
  }
  if (in.bad()) return fail(ErrorKind::Io, "cannot read the export", file.string(), std::strerror(errno));
  scan.finish();
  if (!scan.index.entries.empty())
    scan.out.set.streamed_posts = std::make_shared<MattermostPostSource>(file, stamp, std::move(scan.index));
  return std::move(scan.out);
}

}  // namespace daoctl::content
