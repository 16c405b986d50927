// WordPress WXR (RSS 2.0 + wp: elements), streamed through expat: published
// posts -> news (HTML body, title, author, original GMT date), approved
// comments -> comments (threaded by wp:comment_parent). Pages, attachments,
// menu items, drafts and spam are listed as skipped. Malformed XML is an
// error naming file:line:column.
#include <expat.h>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "connectors/content/readers.hpp"
#include "core/content/external_id.hpp"

namespace daoctl::content {

namespace {

struct WxrComment {
  std::map<std::string, std::string> fields;
};

struct WxrItem {
  std::map<std::string, std::string> fields;
  std::vector<WxrComment> comments;
  std::size_t line = 0;
};

struct WxrState {
  std::vector<std::string> stack;
  std::string text;
  std::map<std::string, std::string> channel;
  std::vector<std::map<std::string, std::string>> authors;
  std::map<std::string, std::string>* author = nullptr;
  std::optional<WxrItem> item;
  std::optional<WxrComment> comment;
  std::vector<WxrItem> items;
  XML_Parser parser = nullptr;
};

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char**) {
  auto* s = static_cast<WxrState*>(data);
  std::string n = name;
  s->stack.push_back(n);
  s->text.clear();
  if (n == "item") {
    s->item.emplace();
    s->item->line = XML_GetCurrentLineNumber(s->parser);
  } else if (n == "wp:comment" && s->item) {
    s->comment.emplace();
  } else if (n == "wp:author" && !s->item) {
    s->authors.emplace_back();
    s->author = &s->authors.back();
  }
}

void XMLCALL on_end(void* data, const XML_Char* name) {
  auto* s = static_cast<WxrState*>(data);
  std::string n = name;
  if (n == "item" && s->item) {
    s->items.push_back(std::move(*s->item));
    s->item.reset();
  } else if (n == "wp:comment" && s->comment && s->item) {
    s->item->comments.push_back(std::move(*s->comment));
    s->comment.reset();
  } else if (n == "wp:author") {
    s->author = nullptr;
  } else if (s->comment) {
    s->comment->fields[n] = s->text;
  } else if (s->item) {
    // Categories repeat; the first is enough for a news post.
    s->item->fields.emplace(n, s->text);
  } else if (s->author) {
    (*s->author)[n] = s->text;
  } else if (s->stack.size() >= 2 && s->stack[s->stack.size() - 2] == "channel") {
    s->channel[n] = s->text;
  }
  s->stack.pop_back();
  s->text.clear();
}

void XMLCALL on_text(void* data, const XML_Char* text, int len) {
  static_cast<WxrState*>(data)->text.append(text, static_cast<std::size_t>(len));
}

// "2011-05-01 12:00:00" (GMT) -> RFC 3339; empty for the all-zero date.
std::string wp_date(const std::string& d) {
  if (d.size() < 19 || d.starts_with("0000")) return {};
  return d.substr(0, 10) + "T" + d.substr(11, 8) + "Z";
}

std::string get(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

}  // namespace

Result<ReadResult> read_wxr(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::Io, "cannot read the WXR file", file.string(), std::strerror(errno));
  WxrState state;
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
  state.parser = parser.get();
  XML_SetUserData(parser.get(), &state);
  XML_SetElementHandler(parser.get(), on_start, on_end);
  XML_SetCharacterDataHandler(parser.get(), on_text);
  char buffer[1 << 16];
  while (true) {
    in.read(buffer, sizeof buffer);
    auto n = in.gcount();
    bool last = n < static_cast<std::streamsize>(sizeof buffer);
    if (XML_Parse(parser.get(), buffer, static_cast<int>(n), last) == XML_STATUS_ERROR)
      return fail(ErrorKind::Parse, "the WXR file is not well-formed XML",
                  fmt::format("{}:{}:{}", file.string(), XML_GetCurrentLineNumber(parser.get()),
                              XML_GetCurrentColumnNumber(parser.get()) + 1),
                  XML_ErrorString(XML_GetErrorCode(parser.get())));
    if (last) break;
  }
  ReadResult out;
  auto& set = out.set;
  set.source_kind = "wxr";
  auto site = get(state.channel, "wp:base_site_url");
  if (site.empty()) site = get(state.channel, "link");
  if (site.empty()) out.problems.push_back({file.string(), "the WXR channel has no wp:base_site_url or link"});
  for (const auto& a : state.authors) {
    SourceUser u;
    u.key = get(a, "wp:author_login");
    if (u.key.empty()) continue;
    u.user_name = u.key;
    u.email = get(a, "wp:author_email");
    u.display_name = get(a, "wp:author_display_name");
    set.users.emplace(u.key, u);
  }
  for (const auto& item : state.items) {
    auto where = fmt::format("{}:{}", file.string(), item.line);
    auto type = get(item.fields, "wp:post_type");
    auto status = get(item.fields, "wp:status");
    auto post_id = get(item.fields, "wp:post_id");
    if (type != "post") {
      set.skipped.push_back({where, fmt::format("WordPress {} \"{}\" is not news", type.empty() ? "item" : type,
                                                get(item.fields, "title"))});
      continue;
    }
    if (status != "publish") {
      set.skipped.push_back({where, fmt::format("post \"{}\" has status {}", get(item.fields, "title"), status)});
      continue;
    }
    if (post_id.empty()) {
      out.problems.push_back({where, "a post has no wp:post_id"});
      continue;
    }
    Post p;
    p.type = "news";
    p.external_id = derive_external_id("wxr", {site, "post", post_id});
    p.title = get(item.fields, "title");
    if (p.title.empty()) p.title = "(untitled)";
    p.body = get(item.fields, "content:encoded");
    p.body_format = "html";
    p.author_key = get(item.fields, "dc:creator");
    p.created_at = wp_date(get(item.fields, "wp:post_date_gmt"));
    if (p.created_at.empty()) p.created_at = wp_date(get(item.fields, "wp:post_date"));
    p.pinned = get(item.fields, "wp:is_sticky") == "1";
    p.where = where;
    std::set<std::string> imported;
    std::vector<const WxrComment*> pending;
    for (const auto& c : item.comments) {
      if (get(c.fields, "wp:comment_approved") != "1") {
        set.skipped.push_back({where, fmt::format("comment {} is not approved", get(c.fields, "wp:comment_id"))});
        continue;
      }
      pending.push_back(&c);
    }
    // Parents before replies: repeat passes until no comment can be placed.
    for (bool progress = true; progress && !pending.empty();) {
      progress = false;
      for (auto it = pending.begin(); it != pending.end();) {
        const auto& f = (*it)->fields;
        auto parent = get(f, "wp:comment_parent");
        bool top = parent.empty() || parent == "0";
        if (!top && !imported.contains(parent)) {
          ++it;
          continue;
        }
        Comment c;
        auto id = get(f, "wp:comment_id");
        c.external_id = derive_external_id("wxr", {site, "comment", id});
        if (!top) c.parent_external_id = derive_external_id("wxr", {site, "comment", parent});
        auto email = get(f, "wp:comment_author_email");
        auto name = get(f, "wp:comment_author");
        c.author_key = email.empty() ? "wxr-commenter:" + name : email;
        if (!set.users.contains(c.author_key)) {
          SourceUser u;
          u.key = c.author_key;
          u.email = email;
          u.display_name = name;
          set.users.emplace(u.key, u);
        }
        c.body = get(f, "wp:comment_content");
        if (c.body.empty()) c.body = "(empty comment)";
        c.created_at = wp_date(get(f, "wp:comment_date_gmt"));
        if (c.created_at.empty()) c.created_at = wp_date(get(f, "wp:comment_date"));
        if (c.created_at.empty()) c.created_at = p.created_at;
        c.where = where + " comment " + id;
        imported.insert(id);
        p.comments.push_back(std::move(c));
        it = pending.erase(it);
        progress = true;
      }
    }
    for (const auto* c : pending)
      set.skipped.push_back({where, fmt::format("comment {} answers comment {}, which is not imported",
                                                get(c->fields, "wp:comment_id"), get(c->fields, "wp:comment_parent"))});
    set.posts.push_back(std::move(p));
  }
  return out;
}

}  // namespace daoctl::content
