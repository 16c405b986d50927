#include "sim/store_content.hpp"

#include <fmt/format.h>

#include "sim/sqlite_db.hpp"
#include "sim/store_internal.hpp"
#include "sim/stats_store.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

std::optional<std::int64_t> optional_id(const json& v) {
  return v.is_string() ? parse_id(v.get<std::string>()) : std::nullopt;
}

// Rows of (id, doc) from a statement whose binds are done.
std::vector<StoredDoc> docs_of(Statement& st) {
  std::vector<StoredDoc> out;
  while (st.step()) out.push_back({st.column_int64(0), 1, st.column_text(1)});
  st.reset();
  return out;
}

}  // namespace

void create_content_schema(SqliteDb& db) {
  db.exec(R"SQL(
CREATE TABLE IF NOT EXISTS content_posts(
  id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, type TEXT NOT NULL, author_id INTEGER NOT NULL,
  community_id INTEGER, version INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS content_comments(
  id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, created_at TEXT NOT NULL, external_id TEXT UNIQUE,
  doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS content_comments_by_post ON content_comments(post_id, created_at, id);
CREATE TABLE IF NOT EXISTS content_reactions(
  id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, user_id INTEGER NOT NULL, kind TEXT NOT NULL,
  created_at TEXT NOT NULL, UNIQUE(post_id, user_id));
CREATE TABLE IF NOT EXISTS content_awards(
  id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, external_id TEXT UNIQUE, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS content_awards_by_user ON content_awards(user_id, id);
CREATE TABLE IF NOT EXISTS event_events(
  id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, starts_at TEXT NOT NULL, version INTEGER NOT NULL,
  doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS event_invitations(
  id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, user_id INTEGER NOT NULL, state TEXT NOT NULL,
  invited_at TEXT NOT NULL, responded_at TEXT, UNIQUE(event_id, user_id));
CREATE TABLE IF NOT EXISTS file_files(
  id INTEGER PRIMARY KEY, external_id TEXT UNIQUE, name TEXT NOT NULL, content_type TEXT NOT NULL,
  size INTEGER NOT NULL, sha256 TEXT NOT NULL, created_at TEXT NOT NULL, version INTEGER NOT NULL,
  data BLOB NOT NULL);
)SQL");
  // Statistics record what is done through the API (the stats tables first:
  // the triggers write into them). A post, comment or reaction counts for its
  // author on the day of its created_at, which an import keeps from the
  // source; rows without a readable time are not counted rather than refused.
  ensure_stats_schema(db);
  db.exec(R"SQL(
CREATE TRIGGER IF NOT EXISTS stats_record_post AFTER INSERT ON content_posts
WHEN unixepoch(json_extract(NEW.doc, '$.created_at')) IS NOT NULL BEGIN
  INSERT INTO stats_activity_daily(day, user_id, department_id, week, month, posts)
  VALUES (unixepoch(json_extract(NEW.doc, '$.created_at')) / 86400, NEW.author_id,
          COALESCE((SELECT department_id FROM users WHERE id = NEW.author_id), 0),
          unixepoch(json_extract(NEW.doc, '$.created_at')) / 86400
            - ((unixepoch(json_extract(NEW.doc, '$.created_at')) / 86400 + 3) % 7),
          unixepoch(date(json_extract(NEW.doc, '$.created_at'), 'start of month')) / 86400, 1)
  ON CONFLICT(day, user_id) DO UPDATE SET posts = posts + 1;
END;
CREATE TRIGGER IF NOT EXISTS stats_record_comment AFTER INSERT ON content_comments
WHEN unixepoch(NEW.created_at) IS NOT NULL
 AND CAST(json_extract(NEW.doc, '$.author_id') AS INTEGER) > 0 BEGIN
  INSERT INTO stats_activity_daily(day, user_id, department_id, week, month, comments)
  VALUES (unixepoch(NEW.created_at) / 86400, CAST(json_extract(NEW.doc, '$.author_id') AS INTEGER),
          COALESCE((SELECT department_id FROM users
                    WHERE id = CAST(json_extract(NEW.doc, '$.author_id') AS INTEGER)), 0),
          unixepoch(NEW.created_at) / 86400 - ((unixepoch(NEW.created_at) / 86400 + 3) % 7),
          unixepoch(date(NEW.created_at, 'start of month')) / 86400, 1)
  ON CONFLICT(day, user_id) DO UPDATE SET comments = comments + 1;
END;
CREATE TRIGGER IF NOT EXISTS stats_record_reaction AFTER INSERT ON content_reactions
WHEN unixepoch(NEW.created_at) IS NOT NULL BEGIN
  INSERT INTO stats_activity_daily(day, user_id, department_id, week, month, reactions)
  VALUES (unixepoch(NEW.created_at) / 86400, NEW.user_id,
          COALESCE((SELECT department_id FROM users WHERE id = NEW.user_id), 0),
          unixepoch(NEW.created_at) / 86400 - ((unixepoch(NEW.created_at) / 86400 + 3) % 7),
          unixepoch(date(NEW.created_at, 'start of month')) / 86400, 1)
  ON CONFLICT(day, user_id) DO UPDATE SET reactions = reactions + 1;
END;
CREATE TRIGGER IF NOT EXISTS stats_record_event AFTER INSERT ON event_events BEGIN
  INSERT INTO stats_events(event_id, title, starts_at)
  VALUES (NEW.id, COALESCE(json_extract(NEW.doc, '$.title'), ''), NEW.starts_at)
  ON CONFLICT(event_id) DO UPDATE SET title = excluded.title, starts_at = excluded.starts_at;
END;
CREATE TRIGGER IF NOT EXISTS stats_record_event_update AFTER UPDATE ON event_events BEGIN
  UPDATE stats_events SET title = COALESCE(json_extract(NEW.doc, '$.title'), ''), starts_at = NEW.starts_at
  WHERE event_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS stats_forget_event AFTER DELETE ON event_events BEGIN
  DELETE FROM stats_event_invitations WHERE event_id = OLD.id;
  DELETE FROM stats_events WHERE event_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS stats_record_invitation AFTER INSERT ON event_invitations BEGIN
  INSERT INTO stats_event_invitations(event_id, user_id, state) VALUES (NEW.event_id, NEW.user_id, NEW.state)
  ON CONFLICT(event_id, user_id) DO UPDATE SET state = excluded.state;
END;
CREATE TRIGGER IF NOT EXISTS stats_record_rsvp AFTER UPDATE OF state ON event_invitations BEGIN
  INSERT INTO stats_event_invitations(event_id, user_id, state) VALUES (NEW.event_id, NEW.user_id, NEW.state)
  ON CONFLICT(event_id, user_id) DO UPDATE SET state = excluded.state;
END;
CREATE TRIGGER IF NOT EXISTS stats_forget_invitation AFTER DELETE ON event_invitations BEGIN
  DELETE FROM stats_event_invitations WHERE event_id = OLD.event_id AND user_id = OLD.user_id;
END;
)SQL");
}

bool table_has_row(SqliteDb& db, const char* table, std::int64_t id) {
  auto& has_table = db.cached("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  has_table.bind(1, table);
  bool exists = has_table.step();
  has_table.reset();
  if (!exists) return false;
  auto& st = db.cached(fmt::format("SELECT 1 FROM {} WHERE id=?", table));
  st.bind(1, id);
  bool found = st.step();
  st.reset();
  return found;
}

// ------------------------------------------------------------------ posts

std::optional<StoredDoc> PostTable::find(std::int64_t id) {
  auto& st = db_.cached("SELECT version, doc FROM content_posts WHERE id=?");
  st.bind(1, id);
  std::optional<StoredDoc> post;
  if (st.step()) post = StoredDoc{id, st.column_int64(0), st.column_text(1)};
  st.reset();
  return post;
}

std::optional<std::int64_t> PostTable::find_by_external_id(const std::string& external_id) {
  return detail::id_where(db_, "SELECT id FROM content_posts WHERE external_id=?", external_id);
}

std::vector<StoredDoc> PostTable::list(const PostFilter& filter, std::int64_t limit) {
  SqlCondition c{"id > ?", {filter.after_id}};
  detail::and_if(c, "type = ?", filter.type);
  detail::and_if(c, "community_id = ?", filter.community_id);
  detail::and_if(c, "author_id = ?", filter.author_id);
  detail::and_if(c, "external_id = ?", filter.external_id);
  auto st = detail::select_page(db_, "content_posts", c, limit);
  return docs_of(st);
}

std::int64_t PostTable::insert(const json& doc) {
  auto& st = db_.cached(
      "INSERT INTO content_posts(external_id, type, author_id, community_id, version, doc) VALUES(?,?,?,?,1,?)");
  st.bind(1, detail::optional_string(doc["external_id"])).bind(2, doc["type"].get<std::string>());
  st.bind(3, optional_id(doc["author_id"])).bind(4, optional_id(doc["community_id"])).bind(5, doc.dump());
  st.run();
  return db_.last_insert_id();
}

void PostTable::update(std::int64_t id, std::int64_t version, const json& doc) {
  auto& st = db_.cached(
      "UPDATE content_posts SET external_id=?, author_id=?, community_id=?, version=?, doc=? WHERE id=?");
  st.bind(1, detail::optional_string(doc["external_id"])).bind(2, optional_id(doc["author_id"]));
  st.bind(3, optional_id(doc["community_id"])).bind(4, version).bind(5, doc.dump()).bind(6, id);
  st.run();
}

void PostTable::remove(std::int64_t id) {
  Transaction tx(db_);
  for (const char* sql : {"DELETE FROM content_comments WHERE post_id=?", "DELETE FROM content_reactions WHERE post_id=?",
                          "DELETE FROM content_posts WHERE id=?"}) {
    auto& st = db_.cached(sql);
    st.bind(1, id);
    st.run();
  }
  tx.commit();
}

std::int64_t PostTable::comment_count(std::int64_t post_id) {
  auto& st = db_.cached("SELECT count(*) FROM content_comments WHERE post_id=?");
  st.bind(1, post_id);
  st.step();
  auto n = st.column_int64(0);
  st.reset();
  return n;
}

std::map<std::string, std::int64_t> PostTable::reaction_counts(std::int64_t post_id) {
  auto& st = db_.cached("SELECT kind, count(*) FROM content_reactions WHERE post_id=? GROUP BY kind");
  st.bind(1, post_id);
  std::map<std::string, std::int64_t> out;
  while (st.step()) out[st.column_text(0)] = st.column_int64(1);
  st.reset();
  return out;
}

std::vector<StoredDoc> PostTable::comments(std::int64_t post_id, const std::string& after_time,
                                           std::int64_t after_id, std::int64_t limit) {
  auto& st = db_.cached(
      "SELECT id, doc FROM content_comments WHERE post_id=? AND (created_at > ? OR (created_at = ? AND id > ?)) "
      "ORDER BY created_at, id LIMIT ?");
  st.bind(1, post_id).bind(2, after_time).bind(3, after_time).bind(4, after_id).bind(5, limit);
  return docs_of(st);
}

std::optional<std::int64_t> PostTable::post_of_comment(std::int64_t comment_id) {
  auto& st = db_.cached("SELECT post_id FROM content_comments WHERE id=?");
  st.bind(1, comment_id);
  std::optional<std::int64_t> post;
  if (st.step()) post = st.column_int64(0);
  st.reset();
  return post;
}

std::optional<std::int64_t> PostTable::find_comment_by_external_id(const std::string& external_id) {
  return detail::id_where(db_, "SELECT id FROM content_comments WHERE external_id=?", external_id);
}

std::int64_t PostTable::insert_comment(std::int64_t post_id, const json& doc) {
  auto& st = db_.cached("INSERT INTO content_comments(post_id, created_at, external_id, doc) VALUES(?,?,?,?)");
  st.bind(1, post_id).bind(2, doc["created_at"].get<std::string>()).bind(3, detail::optional_string(doc["external_id"]));
  st.bind(4, doc.dump());
  st.run();
  return db_.last_insert_id();
}

std::vector<Reaction> PostTable::reactions(std::int64_t post_id, std::int64_t after_id, std::int64_t limit) {
  auto& st = db_.cached(
      "SELECT id, user_id, kind, created_at FROM content_reactions WHERE post_id=? AND id > ? ORDER BY id LIMIT ?");
  st.bind(1, post_id).bind(2, after_id).bind(3, limit);
  std::vector<Reaction> out;
  while (st.step()) out.push_back({st.column_int64(0), st.column_int64(1), st.column_text(2), st.column_text(3)});
  st.reset();
  return out;
}

bool PostTable::react(std::int64_t post_id, std::int64_t user_id, const std::string& kind,
                      const std::string& created_at) {
  auto& find = db_.cached("SELECT id FROM content_reactions WHERE post_id=? AND user_id=?");
  find.bind(1, post_id).bind(2, user_id);
  bool replaced = find.step();
  find.reset();
  auto& upsert = db_.cached(
      "INSERT INTO content_reactions(post_id, user_id, kind, created_at) VALUES(?,?,?,?) "
      "ON CONFLICT(post_id, user_id) DO UPDATE SET kind=excluded.kind, created_at=excluded.created_at");
  upsert.bind(1, post_id).bind(2, user_id).bind(3, kind).bind(4, created_at);
  upsert.run();
  return replaced;
}

// ------------------------------------------------------------------ awards

std::vector<StoredDoc> AwardTable::list(std::int64_t user_id, std::int64_t after_id, std::int64_t limit) {
  auto& st = db_.cached("SELECT id, doc FROM content_awards WHERE user_id=? AND id > ? ORDER BY id LIMIT ?");
  st.bind(1, user_id).bind(2, after_id).bind(3, limit);
  return docs_of(st);
}

std::optional<std::int64_t> AwardTable::find_by_external_id(const std::string& external_id) {
  return detail::id_where(db_, "SELECT id FROM content_awards WHERE external_id=?", external_id);
}

std::int64_t AwardTable::insert(std::int64_t user_id, std::int64_t badge_id, const json& doc) {
  Transaction tx(db_);  // the award and its count, or neither
  auto& st = db_.cached("INSERT INTO content_awards(user_id, external_id, doc) VALUES(?,?,?)");
  st.bind(1, user_id).bind(2, detail::optional_string(doc["external_id"])).bind(3, doc.dump());
  st.run();
  const std::int64_t id = db_.last_insert_id();
  record_award_locked(db_, id, badge_id, doc["awarded_at"].get<std::string>());
  tx.commit();
  return id;
}

}  // namespace daoctl::sim
