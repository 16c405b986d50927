// Slack export (zip or unpacked folder): users.json, channels.json (optional:
// without it every top-level folder of daily files is a channel), and per
// channel YYYY-MM-DD.json arrays of messages. Channels -> communities,
// top-level messages -> posts, thread replies -> comments of their thread's
// post, reactions -> reactions, files -> attachments (uploaded when the export
// carries the bytes under __uploads/<file id>/, else reported).
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "connectors/content/readers.hpp"
#include "core/content/external_id.hpp"
#include "core/text/json_member.hpp"
#include "core/content/markup.hpp"

namespace daoctl::content {

namespace {

using nlohmann::json;

constexpr std::string_view kNs = "slack";
constexpr const char* kBadTs = "ts is not a time (seconds since 1970, before year 10000)";

Result<json> parse_json_file(const SourceTree& tree, const std::string& path) {
  auto text = tree.read(path);
  if (!text) return std::unexpected(text.error());
  try {
    return json::parse(*text);
  } catch (const json::parse_error& e) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text->size(); ++i) {
      if ((*text)[i] == '\n') line++, column = 1;
      else column++;
    }
    return fail(ErrorKind::Parse, "the export file is not valid JSON", fmt::format("{}:{}:{}", tree.display(path), line, column),
                e.what());
  } catch (const json::exception& e) {  // out_of_range: a number beyond double (1e400)
    return fail(ErrorKind::Parse, "the export file is not valid JSON", tree.display(path), e.what());
  }
}

bool is_daily_file(const std::string& name) {
  // YYYY-MM-DD.json
  if (name.size() != 15 || !name.ends_with(".json")) return false;
  for (std::size_t i = 0; i < 10; ++i)
    if ((i == 4 || i == 7) ? name[i] != '-' : !std::isdigit(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

const std::set<std::string> kSkippedSubtypes = {"channel_join", "channel_leave", "channel_topic", "channel_purpose",
                                                "channel_name", "channel_archive", "channel_unarchive", "pinned_item",
                                                "group_join", "group_leave", "bot_add", "bot_remove"};

}  // namespace

Result<ReadResult> read_slack(const SourceTree& tree) {
  ReadResult out;
  auto& set = out.set;
  set.source_kind = "slack";
  if (tree.contains("users.json")) {
    auto users = parse_json_file(tree, "users.json");
    if (!users) return std::unexpected(users.error());
    if (!users->is_array()) {
      out.problems.push_back({tree.display("users.json"), "users.json must be an array of users"});
    } else {
      for (const auto& u : *users) {
        SourceUser su;
        su.key = text::string_member(u, "id");
        if (su.key.empty()) continue;
        su.user_name = text::string_member(u, "name");
        if (auto p = u.find("profile"); p != u.end() && p->is_object()) {
          su.email = text::string_member(*p, "email");
          su.display_name = text::string_member(*p, "real_name");
        }
        if (su.display_name.empty()) su.display_name = text::string_member(u, "real_name");
        set.users.emplace(su.key, su);
      }
    }
  } else {
    out.problems.push_back({tree.display("users.json"), "the export has no users.json, so no author can be mapped"});
  }

  // channel folder name -> (id, display name)
  std::map<std::string, std::pair<std::string, json>> channels;
  std::map<std::string, std::string> channel_names;  // id -> name, for <#C123>
  if (tree.contains("channels.json")) {
    auto doc = parse_json_file(tree, "channels.json");
    if (!doc) return std::unexpected(doc.error());
    if (doc->is_array())
      for (const auto& c : *doc) {
        auto name = text::string_member(c, "name");
        if (name.empty()) continue;
        auto id = text::string_member(c, "id");
        channels[name] = {id.empty() ? name : id, c};
        channel_names[id] = name;
      }
  }
  // Folders of daily files; without channels.json each becomes a channel.
  std::map<std::string, std::vector<std::string>> days;
  for (const auto& f : tree.files()) {
    auto slash = f.find('/');
    if (slash == std::string::npos || f.find('/', slash + 1) != std::string::npos) continue;
    if (is_daily_file(f.substr(slash + 1))) days[f.substr(0, slash)].push_back(f);
  }
  for (const auto& [folder, files] : days)
    if (!channels.contains(folder)) channels[folder] = {folder, json::object()};
  for (const char* dm : {"dms.json", "mpims.json", "groups.json"})
    if (tree.contains(dm)) set.skipped.push_back({tree.display(dm), "direct and private group messages are not imported"});

  for (const auto& [name, channel] : channels) {
    const auto& [channel_id, doc] = channel;
    Community community;
    community.external_id = derive_external_id(kNs, {"channel", channel_id});
    community.name = name;
    if (auto p = doc.find("purpose"); p != doc.end() && p->is_object()) community.description = text::string_member(*p, "value");
    if (auto m = doc.find("members"); m != doc.end() && m->is_array())
      for (const auto& k : *m)
        if (k.is_string()) community.member_keys.push_back(k.get<std::string>());
    community.where = tree.display(tree.contains("channels.json") ? "channels.json" : name);
    set.communities.push_back(community);

    // All messages of the channel first: a reply can sit in a later day file than its thread.
    std::map<std::string, std::size_t> post_by_ts;
    std::vector<std::pair<json, std::string>> replies;
    auto it = days.find(name);
    if (it == days.end()) continue;
    for (const auto& file : it->second) {
      auto messages = parse_json_file(tree, file);
      if (!messages) return std::unexpected(messages.error());
      if (!messages->is_array()) {
        out.problems.push_back({tree.display(file), "a daily file must be an array of messages"});
        continue;
      }
      for (std::size_t i = 0; i < messages->size(); ++i) {
        const auto& m = (*messages)[i];
        auto where = fmt::format("{}[{}]", tree.display(file), i);
        auto subtype = text::string_member(m, "subtype");
        if (kSkippedSubtypes.contains(subtype)) {
          set.skipped.push_back({where, "Slack notice (" + subtype + ")"});
          continue;
        }
        auto ts = text::string_member(m, "ts");
        auto user = text::string_member(m, "user");
        if (ts.empty() || user.empty()) {
          set.skipped.push_back({where, "a message without ts or user (bot or system message)"});
          continue;
        }
        auto thread_ts = text::string_member(m, "thread_ts");
        if (!thread_ts.empty() && thread_ts != ts) {
          replies.emplace_back(m, where);
          continue;
        }
        Post p;
        p.created_at = unix_to_rfc3339(std::strtod(ts.c_str(), nullptr));
        if (p.created_at.empty()) {
          out.problems.push_back({where + " /ts", kBadTs});
          continue;
        }
        p.external_id = derive_external_id(kNs, {"message", channel_id, ts});
        p.author_key = user;
        p.community_external_id = community.external_id;
        p.body = slack_to_markdown(text::string_member(m, "text"), channel_names);
        p.where = where;
        std::vector<json> files;
        if (auto f = m.find("files"); f != m.end() && f->is_array()) files.assign(f->begin(), f->end());
        if (auto f = m.find("file"); f != m.end() && f->is_object()) files.push_back(*f);
        for (const auto& f : files) {
          Attachment a;
          auto file_id = text::string_member(f, "id");
          a.name = text::string_member(f, "name");
          if (a.name.empty()) a.name = file_id;
          a.external_id = derive_external_id(kNs, {"file", file_id});
          a.content_type = text::string_member(f, "mimetype");
          if (a.content_type.empty()) a.content_type = content_type_for_name(a.name);
          auto local = "__uploads/" + file_id + "/" + a.name;
          if (tree.contains(local)) a.path = local;
          else a.missing = "the export holds only a link to the file, not its bytes";
          p.attachments.push_back(a);
        }
        if (auto r = m.find("reactions"); r != m.end() && r->is_array())
          for (const auto& reaction : *r) {
            auto kind = reaction_kind_for_emoji(text::string_member(reaction, "name"));
            if (auto users = reaction.find("users"); users != reaction.end() && users->is_array())
              for (const auto& u : *users)
                if (u.is_string()) p.reactions.push_back({u.get<std::string>(), kind, p.created_at});
          }
        post_by_ts[ts] = set.posts.size();
        set.posts.push_back(std::move(p));
      }
    }
    for (const auto& [m, where] : replies) {
      auto parent = post_by_ts.find(text::string_member(m, "thread_ts"));
      if (parent == post_by_ts.end()) {
        set.skipped.push_back({where, "a thread reply whose thread is not in the export"});
        continue;
      }
      auto ts = text::string_member(m, "ts");
      Comment c;
      c.created_at = unix_to_rfc3339(std::strtod(ts.c_str(), nullptr));
      if (c.created_at.empty()) {
        out.problems.push_back({where + " /ts", kBadTs});
        continue;
      }
      c.external_id = derive_external_id(kNs, {"message", channel_id, ts});
      c.author_key = text::string_member(m, "user");
      c.body = slack_to_markdown(text::string_member(m, "text"), channel_names);
      c.where = where;
      if (c.body.empty()) c.body = "(empty message)";
      set.posts[parent->second].comments.push_back(std::move(c));
    }
  }
  for (auto& p : set.posts)
    std::stable_sort(p.comments.begin(), p.comments.end(),
                     [](const Comment& a, const Comment& b) { return a.created_at < b.created_at; });
  return out;
}

}  // namespace daoctl::content
