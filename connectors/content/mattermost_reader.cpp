// Mattermost bulk export (JSON Lines). Lines come in any order: every line is
// read first, then channels -> communities, posts -> posts (their inline
// replies -> comments), reactions -> reactions. Direct channels and direct
// posts are listed as skipped; a post in a channel the export does not
// define is skipped with the reason.
#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "connectors/content/readers.hpp"
#include "core/content/external_id.hpp"
#include "core/content/markup.hpp"

namespace daoctl::content {

namespace {

using nlohmann::json;

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string millis_to_rfc3339(const json& v) {
  return v.is_number() ? unix_to_rfc3339(v.get<double>() / 1000.0) : std::string();
}

}  // namespace

Result<ReadResult> read_mattermost(std::string_view text, const std::string& file_name) {
  ReadResult out;
  auto& set = out.set;
  set.source_kind = "mattermost";
  std::vector<std::pair<json, std::string>> posts;
  std::map<std::pair<std::string, std::string>, std::size_t> channel_index;
  bool have_version = false;
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto where = fmt::format("{}:{}", file_name, line_no);
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      out.problems.push_back({where, "not a JSON object"});
      continue;
    }
    auto type = text_of(j, "type");
    if (type.empty() || !j.contains(type) || !j[type].is_object()) {
      if (type == "version") {
        if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != 1)
          out.problems.push_back({where + " /version", "only bulk export version 1 is known"});
        have_version = true;
        continue;
      }
      out.problems.push_back({where + " /type", "a line needs \"type\" and an object under that name"});
      continue;
    }
    const auto& body = j[type];
    if (type == "team") continue;
    if (type == "channel") {
      Community c;
      auto team = text_of(body, "team"), name = text_of(body, "name");
      if (name.empty()) {
        out.problems.push_back({where + " /channel/name", "a channel needs a name"});
        continue;
      }
      c.external_id = derive_external_id("mattermost", {"channel", team, name});
      c.name = text_of(body, "display_name").empty() ? name : text_of(body, "display_name");
      c.description = text_of(body, "purpose");
      c.visibility = text_of(body, "type") == "P" ? "private" : "public";
      c.where = where;
      channel_index[{team, name}] = set.communities.size();
      set.communities.push_back(c);
    } else if (type == "user") {
      SourceUser u;
      u.key = text_of(body, "username");
      if (u.key.empty()) {
        out.problems.push_back({where + " /user/username", "a user needs a username"});
        continue;
      }
      u.user_name = u.key;
      u.email = text_of(body, "email");
      u.display_name = (text_of(body, "first_name") + " " + text_of(body, "last_name"));
      if (u.display_name == " ") u.display_name = u.key;
      set.users.emplace(u.key, u);
    } else if (type == "post") {
      posts.emplace_back(body, where);
    } else if (type == "direct_channel" || type == "direct_post") {
      set.skipped.push_back({where, "direct messages are not imported"});
    } else if (type == "emoji" || type == "scheme") {
      set.skipped.push_back({where, type + " definitions are not imported"});
    } else {
      set.skipped.push_back({where, "unknown line type \"" + type + "\""});
    }
  }
  if (!have_version) out.problems.push_back({file_name + ":1", "the export has no {\"type\":\"version\"} line"});
  auto is_user = [&](std::string_view name) { return set.users.contains(std::string(name)); };
  for (const auto& [body, where] : posts) {
    auto team = text_of(body, "team"), channel = text_of(body, "channel"), user = text_of(body, "user");
    auto c = channel_index.find({team, channel});
    if (c == channel_index.end()) {
      set.skipped.push_back({where, fmt::format("channel {}/{} is not in the export", team, channel)});
      continue;
    }
    if (!body.contains("create_at") || !body["create_at"].is_number()) {
      out.problems.push_back({where + " /post/create_at", "a post needs create_at (milliseconds)"});
      continue;
    }
    auto created = std::to_string(body["create_at"].get<std::int64_t>());
    Post p;
    p.external_id = derive_external_id("mattermost", {"post", team, channel, user, created});
    p.author_key = user;
    p.community_external_id = set.communities[c->second].external_id;
    p.created_at = millis_to_rfc3339(body["create_at"]);
    p.body = mattermost_mentions(text_of(body, "message"), is_user);
    p.where = where;
    if (auto r = body.find("reactions"); r != body.end() && r->is_array())
      for (const auto& reaction : *r)
        p.reactions.push_back({text_of(reaction, "user"), reaction_kind_for_emoji(text_of(reaction, "emoji_name")),
                               millis_to_rfc3339(reaction.value("create_at", json(nullptr)))});
    if (auto r = body.find("replies"); r != body.end() && r->is_array())
      for (std::size_t i = 0; i < r->size(); ++i) {
        const auto& reply = (*r)[i];
        Comment cm;
        auto reply_user = text_of(reply, "user");
        auto at = reply.contains("create_at") && reply["create_at"].is_number()
                      ? std::to_string(reply["create_at"].get<std::int64_t>())
                      : std::to_string(i);
        cm.external_id = derive_external_id("mattermost", {"reply", team, channel, user, created, reply_user, at});
        cm.author_key = reply_user;
        cm.body = mattermost_mentions(text_of(reply, "message"), is_user);
        if (cm.body.empty()) cm.body = "(empty message)";
        cm.created_at = millis_to_rfc3339(reply.value("create_at", json(nullptr)));
        if (cm.created_at.empty()) cm.created_at = p.created_at;
        cm.where = fmt::format("{} /post/replies/{}", where, i);
        p.comments.push_back(cm);
      }
    set.posts.push_back(std::move(p));
  }
  // Export order is arbitrary; import in time order so ids follow history.
  std::stable_sort(set.posts.begin(), set.posts.end(),
                   [](const Post& a, const Post& b) { return a.created_at < b.created_at; });
  return out;
}

}  // namespace daoctl::content
