#include "connectors/content/importer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "core/content/markup.hpp"

namespace daoctl::content {

namespace {

using nlohmann::json;
using platform::PlatformClient;

// One POST of the run and what to do with the id it yields.
struct Send {
  std::string kind, external_id, where, path;
  std::optional<json> body;
  std::string raw_body, raw_type;  // file uploads
  std::function<void(const std::string& id)> on_id;
  std::function<void()> on_failure;  // no id came back (dependants cannot be sent)
};

class Importer {
 public:
  Importer(PlatformClient& client, const ContentSet& set, const ImportOptions& options, AuthorDirectory authors)
      : client_(client), set_(set), options_(options), authors_(std::move(authors)) {}

  ImportReport run() {
    total_ = count_items();
    communities();
    badges();
    files();
    posts();
    events();
    awards();
    report_.fallback_authors.assign(authors_.unmapped().begin(), authors_.unmapped().end());
    return std::move(report_);
  }

 private:
  std::int64_t count_items() {
    auto c = count_content(set_);
    return c.communities + c.badges + c.files + c.posts + c.news + c.comments + c.reactions + c.events +
           c.invitations + c.awards;
  }

  void finish(ItemOutcome item, std::int64_t units = 1) {
    auto& t = report_.totals[item.kind];
    (item.outcome == "created"    ? t.created
     : item.outcome == "existing" ? t.existing
     : item.outcome == "skipped"  ? t.skipped
                                  : t.failed) += 1;
    if (item.outcome == "skipped") report_.skipped.push_back(item);
    if (options_.on_item) options_.on_item(item);
    if (item.outcome == "failed") report_.failures.push_back(std::move(item));
    done_ += units;
    if (options_.progress) options_.progress(done_, total_);
  }

  void failed(const std::string& kind, const std::string& ext, const std::string& where, const std::string& why,
              std::int64_t units = 1) {
    finish({kind, ext, where, "failed", "", why}, units);
  }

  // The platform id of a source person, or nullopt with the reason.
  std::optional<std::string> user_id(const std::string& key, std::string& why) {
    auto r = authors_.resolve(key, set_.users);
    if (r) return r->user_id;
    why = fmt::format("user \"{}\" has no platform user and there is no --fallback-author", key);
    return std::nullopt;
  }

  std::string render(const std::string& text) {
    return render_mentions(text, [&](std::string_view key) {
      auto r = authors_.resolve(std::string(key), set_.users);
      if (r && !r->fallback) return r->user_name;
      auto it = set_.users.find(std::string(key));
      return it != set_.users.end() && !it->second.user_name.empty() ? it->second.user_name : std::string(key);
    });
  }

  platform::Call make_call(Send s) {
    http::Request req = client_.make_request("POST", s.path, s.kind + " " + s.external_id, s.body);
    if (!s.body) {
      req.body = std::move(s.raw_body);
      req.headers.push_back({"Content-Type", s.raw_type});
    }
    return {std::move(req), [this, sent = std::move(s)](Result<http::Response> r) {
              ItemOutcome item{sent.kind, sent.external_id, sent.where, "", "", ""};
              if (r && !sent.on_id) {
                // Reactions carry no id: 201 is new, 200 replaced the user's earlier one.
                item.outcome = r->status == 201 ? "created" : "existing";
              } else if (r) {
                json doc = json::parse(r->body, nullptr, false);
                item.id = doc.is_object() ? doc.value("id", std::string()) : std::string();
                item.outcome = item.id.empty() ? "failed" : "created";
                if (item.id.empty()) item.error = "the platform answered without an id";
              } else if (r.error().http_status == 409 && !existing_id_of(r.error()).empty()) {
                item.outcome = "existing";
                item.id = existing_id_of(r.error());
              } else {
                item.outcome = "failed";
                item.error = r.error().describe();
              }
              const std::string id = item.id;
              finish(std::move(item));
              if (!id.empty() && sent.on_id) sent.on_id(id);
              else if (id.empty() && sent.on_failure) sent.on_failure();
            }};
  }

  void send(std::vector<Send> sends) {
    std::vector<platform::Call> calls;
    calls.reserve(sends.size());
    for (auto& s : sends) calls.push_back(make_call(std::move(s)));
    client_.send_all(std::move(calls));
  }

  void communities() {
    std::vector<Send> sends;
    for (const auto& c : set_.communities) {
      json members = json::array();
      std::set<std::string> seen;
      for (const auto& key : c.member_keys) {
        std::string why;
        if (auto id = user_id(key, why); id && seen.insert(*id).second) members.push_back(*id);
      }
      json body = {{"name", c.name}, {"description", c.description}, {"visibility", c.visibility},
                   {"external_id", c.external_id}};
      if (!members.empty()) body["members"] = members;
      sends.push_back({"community", c.external_id, c.where, "/api/v1/communities", body, "", "",
                       [this, ext = c.external_id](const std::string& id) { community_ids_[ext] = id; }, nullptr});
    }
    send(std::move(sends));
  }

  void badges() {
    std::vector<Send> sends;
    for (const auto& b : set_.badges)
      sends.push_back({"badge", b.external_id, b.where, "/api/v1/badges",
                       json{{"name", b.name}, {"description", b.description}, {"external_id", b.external_id}}, "", "",
                       [this, ext = b.external_id](const std::string& id) { badge_ids_[ext] = id; }, nullptr});
    send(std::move(sends));
  }

  void files() {
    std::vector<Send> sends;
    std::set<std::string> seen;
    auto add = [&](const Attachment& a, const std::string& where) {
      if (!seen.insert(a.external_id).second) return;
      // A file the export only links to stays reachable through the link in
      // the message text: reported as skipped, not as a failure.
      if (!a.missing.empty()) return finish({"file", a.external_id, where, "skipped", "", a.name + ": " + a.missing});
      auto bytes = options_.read_attachment ? options_.read_attachment(a)
                                            : Result<std::string>(fail(ErrorKind::Internal, "no attachment reader"));
      if (!bytes) return failed("file", a.external_id, where, bytes.error().describe());
      auto path = fmt::format("/api/v1/files?name={}&external_id={}", platform::url_encode_query(a.name),
                              platform::url_encode_query(a.external_id));
      sends.push_back({"file", a.external_id, where, path, std::nullopt, std::move(*bytes), a.content_type,
                       [this, ext = a.external_id](const std::string& id) { file_ids_[ext] = id; }, nullptr});
      // Uploads hold their bytes: send them in small groups to bound memory.
      if (sends.size() >= 32) send(std::exchange(sends, {}));
    };
    auto visit = [&](const Post& p) {
      if (p.banner) add(*p.banner, p.where);
      for (const auto& a : p.attachments) add(a, p.where);
    };
    for (const auto& p : set_.posts) visit(p);
    if (set_.streamed_posts && set_.streamed_posts->has_attachments())
      if (auto read = for_each_post(*set_.streamed_posts, visit); !read) stream_failed(read.error());
    send(std::move(sends));
  }

  // The source could not be read again: what was not sent is reported as one
  // failure naming the source, and the run ends with exit 3.
  void stream_failed(const Error& e) {
    if (stream_failed_) return;
    stream_failed_ = true;
    failed("post", "", e.object, e.describe(), 0);
  }

  std::optional<std::string> community_of(const std::string& ext, std::string& why) {
    if (ext.empty()) return std::string();
    auto it = community_ids_.find(ext);
    if (it != community_ids_.end()) return it->second;
    why = fmt::format("community {} was not imported", ext);
    return std::nullopt;
  }

  // Posts, their comments and reactions as one stream: a post's comments
  // and reactions are sent as soon as the post has an id, a reply as soon as
  // the comment it answers has one. No barrier between batches keeps every
  // connection busy; the window bounds how many requests exist at once.
  //
  // Held posts are lent to the calls (they outlive the run); streamed ones
  // are owned by the calls and their follow-ups, and freed when the last
  // comment of their thread is done, so memory stays bounded by the window.
  void posts() {
    std::size_t next = 0;
    std::unique_ptr<PostReader> reader;
    if (set_.streamed_posts) {
      auto opened = set_.streamed_posts->open();
      if (opened) reader = std::move(*opened);
      else stream_failed(opened.error());
    }
    std::function<std::optional<platform::Call>()> source = [&]() -> std::optional<platform::Call> {
      while (next < set_.posts.size()) {
        std::shared_ptr<const Post> p(std::shared_ptr<const Post>(), &set_.posts[next++]);  // not owned
        if (auto send = post_send(p)) return make_call(std::move(*send));
      }
      while (reader) {
        auto post = reader->next();
        if (!post || !*post) {
          if (!post) stream_failed(post.error());
          reader.reset();
          break;
        }
        if (auto send = post_send(std::make_shared<const Post>(std::move(**post)))) return make_call(std::move(*send));
      }
      return std::nullopt;
    };
    client_.send_stream(source, std::max<std::size_t>(options_.batch_size, 1));
  }

  void fail_dependants(const Post& p, const std::string& why) {
    for (const auto& c : p.comments) failed("comment", c.external_id, c.where, why);
    for (std::size_t r = 0; r < p.reactions.size(); ++r) failed("reaction", p.external_id, p.where, why);
  }

  // The POST of a post, or nullopt when it cannot be sent (reported).
  std::optional<Send> post_send(const std::shared_ptr<const Post>& post) {
    const Post& p = *post;
    std::string why;
    auto author = user_id(p.author_key, why);
    auto community = author ? community_of(p.community_external_id, why) : std::nullopt;
    if (!author || !community) {
      failed(p.type, p.external_id, p.where, why);
      fail_dependants(p, "its post was not imported");
      return std::nullopt;
    }
    json attachments = json::array();
    for (const auto& a : p.attachments)
      if (auto it = file_ids_.find(a.external_id); it != file_ids_.end()) attachments.push_back(it->second);
    json body = {{"type", p.type}, {"body", render(p.body)}, {"body_format", p.body_format}, {"author_id", *author},
                 {"created_at", p.created_at}, {"pinned", p.pinned}, {"attachments", attachments},
                 {"external_id", p.external_id}};
    if (!p.title.empty()) body["title"] = p.title;
    if (!community->empty()) body["community_id"] = *community;
    if (!p.story_until.empty()) body["story_until"] = p.story_until;
    if (p.banner)
      if (auto it = file_ids_.find(p.banner->external_id); it != file_ids_.end()) body["banner"] = it->second;
    return Send{p.type, p.external_id, p.where, "/api/v1/posts", std::move(body), "", "",
                [this, post](const std::string& id) { post_created(post, id); },
                [this, post] { fail_dependants(*post, "its post was not imported"); }};
  }

  // A platform account holds one reaction per post, so when several source
  // reactions land on the same account (unmapped authors all sent to the
  // fallback account) only one is sent, chosen by a fixed rule rather than by
  // which request happens to arrive last: the account's own reaction (its
  // author is mapped to it, not through the fallback) first, then the
  // earliest created_at (a reaction without one comes after those with one),
  // then the smallest source author key, then source order. The others are
  // reported as skipped, naming the reaction kept. Unresolvable authors pass
  // through to fail with their own message.
  std::vector<const Reaction*> reactions_to_send(const Post& p) {
    struct Candidate {
      const Reaction* reaction;
      bool fallback;
      std::size_t index;
    };
    std::map<std::string, std::vector<Candidate>> by_account;
    std::vector<const Reaction*> out;
    for (std::size_t i = 0; i < p.reactions.size(); ++i) {
      const Reaction& r = p.reactions[i];
      auto resolved = authors_.resolve(r.user_key, set_.users);
      if (!resolved) {
        out.push_back(&r);
        continue;
      }
      by_account[resolved->user_id].push_back({&r, resolved->fallback, i});
    }
    auto before = [](const Candidate& a, const Candidate& b) {
      if (a.fallback != b.fallback) return !a.fallback;
      const std::string& ta = a.reaction->created_at;
      const std::string& tb = b.reaction->created_at;
      if (ta.empty() != tb.empty()) return !ta.empty();
      if (ta != tb) return ta < tb;
      if (a.reaction->user_key != b.reaction->user_key) return a.reaction->user_key < b.reaction->user_key;
      return a.index < b.index;
    };
    std::vector<Candidate> kept;
    for (auto& [account, candidates] : by_account) {
      std::sort(candidates.begin(), candidates.end(), before);
      kept.push_back(candidates.front());
      for (std::size_t i = 1; i < candidates.size(); ++i) {
        const Reaction& r = *candidates[i].reaction;
        finish({"reaction", p.external_id + " by " + r.user_key, p.where, "skipped", "",
                fmt::format("{} and {} react as the same platform account ({}); the rule keeps one reaction per "
                            "account: {}'s {}",
                            r.user_key, candidates.front().reaction->user_key,
                            candidates[i].fallback ? "the fallback author" : "a mapping",
                            candidates.front().reaction->user_key, candidates.front().reaction->kind)});
      }
    }
    std::sort(kept.begin(), kept.end(), [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
    for (const auto& c : kept) out.push_back(c.reaction);
    return out;
  }

  // The replies of one post's comments, by the external id they answer.
  struct Thread {
    std::shared_ptr<const Post> post;  // keeps the comments alive
    std::string post_path;  // /api/v1/posts/{id}/comments
    std::map<std::string, std::vector<const Comment*>> replies;
  };

  void post_created(const std::shared_ptr<const Post>& post, const std::string& post_id) {
    const Post& p = *post;
    for (const Reaction* rp : reactions_to_send(p)) {
      const Reaction& r = *rp;
      std::string why;
      auto user = user_id(r.user_key, why);
      if (!user) {
        failed("reaction", p.external_id, p.where, why);
        continue;
      }
      json body = {{"user_id", *user}, {"kind", r.kind}};
      if (!r.created_at.empty()) body["created_at"] = r.created_at;
      client_.enqueue(make_call({"reaction", p.external_id + " by " + r.user_key, p.where,
                                 fmt::format("/api/v1/posts/{}/reactions", platform::url_encode_segment(post_id)),
                                 std::move(body), "", "", nullptr, nullptr}));
    }
    if (p.comments.empty()) return;
    auto thread = std::make_shared<Thread>();
    thread->post = post;
    thread->post_path = fmt::format("/api/v1/posts/{}/comments", platform::url_encode_segment(post_id));
    std::set<std::string> known;
    for (const auto& c : p.comments) known.insert(c.external_id);
    std::vector<const Comment*> roots;
    for (const auto& c : p.comments) {
      if (c.parent_external_id.empty()) roots.push_back(&c);
      else if (known.contains(c.parent_external_id)) thread->replies[c.parent_external_id].push_back(&c);
      else failed("comment", c.external_id, c.where, "the comment it answers was not imported");
    }
    // Replies that no root leads to (a cycle of parents) would never be sent.
    std::set<std::string> reachable;
    std::vector<const Comment*> walk = roots;
    while (!walk.empty()) {
      const auto* c = walk.back();
      walk.pop_back();
      if (!reachable.insert(c->external_id).second) continue;
      if (auto it = thread->replies.find(c->external_id); it != thread->replies.end())
        walk.insert(walk.end(), it->second.begin(), it->second.end());
    }
    for (auto& [parent, replies] : thread->replies)
      std::erase_if(replies, [&](const Comment* c) {
        if (reachable.contains(c->external_id)) return false;
        failed("comment", c->external_id, c->where, "the comment it answers was not imported");
        return true;
      });
    for (const auto* c : roots) send_comment(thread, *c, "");
  }

  void send_comment(const std::shared_ptr<Thread>& thread, const Comment& c, const std::string& parent_id) {
    std::string why;
    auto author = user_id(c.author_key, why);
    if (!author) {
      failed("comment", c.external_id, c.where, why);
      fail_replies(*thread, c.external_id);
      return;
    }
    json body = {{"author_id", *author}, {"body", render(c.body)}, {"created_at", c.created_at},
                 {"external_id", c.external_id}};
    if (!parent_id.empty()) body["parent_id"] = parent_id;
    client_.enqueue(make_call({"comment", c.external_id, c.where, thread->post_path, std::move(body), "", "",
                               [this, thread, ext = c.external_id](const std::string& id) {
                                 auto it = thread->replies.find(ext);
                                 if (it == thread->replies.end()) return;
                                 auto replies = std::move(it->second);
                                 thread->replies.erase(it);
                                 for (const auto* reply : replies) send_comment(thread, *reply, id);
                               },
                               [this, thread, ext = c.external_id] { fail_replies(*thread, ext); }}));
  }

  // Every reply below a comment that got no id.
  void fail_replies(Thread& thread, const std::string& ext) {
    auto it = thread.replies.find(ext);
    if (it == thread.replies.end()) return;
    auto replies = std::move(it->second);
    thread.replies.erase(it);
    for (const auto* reply : replies) {
      failed("comment", reply->external_id, reply->where, "the comment it answers was not imported");
      fail_replies(thread, reply->external_id);
    }
  }

  void events() {
    std::vector<Send> sends;
    std::map<std::string, std::string> event_ids;
    for (const auto& e : set_.events) {
      std::string why;
      auto organizer = user_id(e.organizer_key, why);
      auto community = organizer ? community_of(e.community_external_id, why) : std::nullopt;
      if (!organizer || !community) {
        failed("event", e.external_id, e.where, why, 1 + static_cast<std::int64_t>(e.invitations.size()));
        continue;
      }
      json body = {{"title", e.title}, {"starts_at", e.starts_at}, {"ends_at", e.ends_at}, {"organizer_id", *organizer},
                   {"external_id", e.external_id}};
      if (!e.description.empty()) body["description"] = e.description;
      if (!e.location.empty()) body["location"] = e.location;
      if (!community->empty()) body["community_id"] = *community;
      sends.push_back({"event", e.external_id, e.where, "/api/v1/events", body, "", "",
                       [&event_ids, ext = e.external_id](const std::string& id) { event_ids[ext] = id; }, nullptr});
    }
    send(std::move(sends));
    // One POST per event and state (imports keep the recorded answers).
    std::vector<Send> invites;
    for (const auto& e : set_.events) {
      auto it = event_ids.find(e.external_id);
      if (it == event_ids.end()) continue;
      std::map<std::string, std::vector<std::string>> by_state;
      for (const auto& inv : e.invitations) {
        std::string why;
        auto user = user_id(inv.user_key, why);
        if (!user) {
          failed("invitation", e.external_id + " for " + inv.user_key, e.where, why);
          continue;
        }
        auto& ids = by_state[inv.state];
        if (std::find(ids.begin(), ids.end(), *user) == ids.end()) ids.push_back(*user);
        else finish({"invitation", e.external_id + " for " + inv.user_key, e.where, "existing", *user, ""});
      }
      for (auto& [state, ids] : by_state) {
        auto units = static_cast<std::int64_t>(ids.size());
        http::Request req = client_.make_request(
            "POST", fmt::format("/api/v1/events/{}/invitations", platform::url_encode_segment(it->second)),
            "invitations of event " + e.external_id, json{{"user_ids", ids}, {"state", state}});
        pending_invites_.push_back({std::move(req), [this, units, ext = e.external_id, where = e.where](Result<http::Response> r) {
                                      auto& t = report_.totals["invitation"];
                                      if (!r) {
                                        finish({"invitation", ext, where, "failed", "", r.error().describe()}, units);
                                        t.failed += units - 1;
                                        return;
                                      }
                                      json doc = json::parse(r->body, nullptr, false);
                                      auto invited = doc.is_object() ? doc.value("invited", std::int64_t{0}) : 0;
                                      t.created += invited;
                                      t.existing += units - invited;
                                      done_ += units;
                                      if (options_.progress) options_.progress(done_, total_);
                                    }});
      }
    }
    client_.send_all(std::exchange(pending_invites_, {}));
  }

  void awards() {
    std::vector<Send> sends;
    for (const auto& a : set_.awards) {
      std::string why;
      auto user = user_id(a.user_key, why);
      auto badge = badge_ids_.find(a.badge_external_id);
      if (user && badge == badge_ids_.end()) why = fmt::format("badge {} was not imported", a.badge_external_id);
      if (!user || badge == badge_ids_.end()) {
        failed("award", a.external_id, a.where, why);
        continue;
      }
      json body = {{"badge_id", badge->second}, {"external_id", a.external_id}};
      if (!a.reason.empty()) body["reason"] = a.reason;
      if (!a.awarded_at.empty()) body["awarded_at"] = a.awarded_at;
      if (!a.awarded_by_key.empty())
        if (auto by = user_id(a.awarded_by_key, why)) body["awarded_by"] = *by;
      sends.push_back({"award", a.external_id, a.where,
                       fmt::format("/api/v1/users/{}/awards", platform::url_encode_segment(*user)), body, "", "", nullptr, nullptr});
    }
    send(std::move(sends));
  }

  PlatformClient& client_;
  const ContentSet& set_;
  const ImportOptions& options_;
  AuthorDirectory authors_;
  ImportReport report_;
  std::int64_t done_ = 0, total_ = 0;
  std::map<std::string, std::string> community_ids_, badge_ids_, file_ids_;
  std::vector<platform::Call> pending_invites_;
  bool stream_failed_ = false;
};

Result<AuthorDirectory> directory_for(PlatformClient& client, const ImportOptions& options) {
  auto users = fetch_platform_users(client);
  if (!users) return std::unexpected(users.error());
  return AuthorDirectory::build(std::move(*users), options.author_mapping, options.fallback_author);
}

// External ids of every object under a native listing (all pages).
Result<std::set<std::string>> existing_external_ids(PlatformClient& client, const std::string& path) {
  std::set<std::string> ids;
  auto ok = client.cursor_list(path, 1000, [&](const json& items) {
    for (const auto& item : items)
      if (item.contains("external_id") && item["external_id"].is_string()) ids.insert(item["external_id"].get<std::string>());
  });
  if (!ok) return std::unexpected(ok.error());
  return ids;
}

}  // namespace

std::int64_t ImportReport::failed() const {
  std::int64_t n = 0;
  for (const auto& [kind, t] : totals) n += t.failed;
  return n;
}

std::string existing_id_of(const Error& error) {
  return error.http_status == 409 ? error.existing_id : std::string();
}

Result<std::vector<PlatformUser>> fetch_platform_users(PlatformClient& client) {
  std::vector<PlatformUser> users;
  auto ok = client.scim_list("/scim/v2/Users", "", 1000, [&](const json& page) {
    for (const auto& u : page) {
      PlatformUser p;
      p.id = u.value("id", std::string());
      p.user_name = u.value("userName", std::string());
      p.external_id = u.value("externalId", std::string());
      if (auto e = u.find("emails"); e != u.end() && e->is_array())
        for (const auto& m : *e)
          if (m.is_object() && m.contains("value") && m["value"].is_string()) p.emails.push_back(m["value"]);
      users.push_back(std::move(p));
    }
  });
  if (!ok) return std::unexpected(ok.error());
  return users;
}

Result<ImportPlan> plan_import(PlatformClient& client, const ContentSet& set, const ImportOptions& options) {
  auto directory = directory_for(client, options);
  if (!directory) return std::unexpected(directory.error());
  ImportPlan plan;
  plan.counts = count_content(set);
  std::set<std::string> keys;
  auto note = [&](const std::string& key) {
    if (key.empty() || !keys.insert(key).second) return;
    auto r = directory->resolve(key, set.users);
    plan.author_rules[key] = r ? r->rule + " -> " + r->user_name : "unmapped (no fallback)";
  };
  for (const auto& e : set.events) {
    note(e.organizer_key);
    for (const auto& i : e.invitations) note(i.user_key);
  }
  for (const auto& a : set.awards) note(a.user_key);
  auto posts = existing_external_ids(client, "/api/v1/posts");
  if (!posts) return std::unexpected(posts.error());
  auto events = existing_external_ids(client, "/api/v1/events");
  if (!events) return std::unexpected(events.error());
  auto communities = existing_external_ids(client, "/api/v1/communities");
  if (!communities) return std::unexpected(communities.error());
  // One pass over the posts (a streamed set reads its source once more).
  auto read = for_each_post(set, [&](const Post& p) {
    note(p.author_key);
    for (const auto& c : p.comments) note(c.author_key);
    for (const auto& r : p.reactions) note(r.user_key);
    plan.existing[p.type] += posts->contains(p.external_id);
  });
  if (!read) return std::unexpected(read.error());
  plan.unmapped_authors.assign(directory->unmapped().begin(), directory->unmapped().end());
  for (const auto& e : set.events) plan.existing["event"] += events->contains(e.external_id);
  for (const auto& c : set.communities) plan.existing["community"] += communities->contains(c.external_id);
  return plan;
}

Result<ImportReport> apply_import(PlatformClient& client, const ContentSet& set, const ImportOptions& options) {
  auto directory = directory_for(client, options);
  if (!directory) return std::unexpected(directory.error());
  Importer importer(client, set, options, std::move(*directory));
  return importer.run();
}

}  // namespace daoctl::content
