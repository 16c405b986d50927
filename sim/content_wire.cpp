#include "sim/content_wire.hpp"
#include "sim/stats_store.hpp"

#include <fmt/format.h>

#include <ctime>

#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim::content {

ApiResult<Window> read_window(const httplib::Request& req) {
  Window w;
  auto limit = integer_param(req, "limit", kDefaultLimit);
  if (!limit) return std::unexpected(limit.error());
  if (*limit < 1) return api_fail(400, fmt::format("limit={} must be at least 1", *limit));
  w.limit = std::min(*limit, kMaxLimit);
  if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
    auto raw = req.get_param_value("cursor");
    auto decoded = base64url_decode(raw);
    if (!decoded || !decoded->starts_with("after:") || decoded->size() == 6)
      return api_fail(400, fmt::format("cursor \"{}\" was not issued by this server; start again without a cursor", raw));
    w.after = decoded->substr(6);
  }
  return w;
}

std::string cursor_for(const std::string& key) { return base64url_encode("after:" + key); }

std::string page_body(std::vector<json> rows, std::int64_t limit,
                      const std::function<std::string(const json&)>& key_of) {
  json next = nullptr;
  if (static_cast<std::int64_t>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    next = cursor_for(key_of(rows.back()));
  }
  return json{{"items", std::move(rows)}, {"next_cursor", std::move(next)}}.dump();
}

ApiError validation(std::string field, std::string message) {
  ApiError e;
  e.status = 422;
  e.detail = message;
  e.errors.push_back(FieldError{std::move(field), std::move(message)});
  return e;
}

ApiResult<json> read_object(const httplib::Request& req) {
  auto body = read_json_body(req);
  if (!body) return body;
  if (!body->is_object())
    return api_fail(400, fmt::format("the body of {} {} must be a JSON object", req.method, req.path));
  return body;
}

ApiStatus reject_unknown_fields(const json& body, std::initializer_list<const char*> known) {
  for (auto& [key, value] : body.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return std::unexpected(validation(key, fmt::format("unknown field \"{}\"", key)));
  }
  return {};
}

ApiStatus check_string(const json& body, const char* field, std::size_t min_len, std::size_t max_len,
                       bool nullable) {
  auto it = body.find(field);
  if (it == body.end()) return {};
  if (it->is_null() && nullable) return {};
  if (!it->is_string())
    return std::unexpected(validation(field, fmt::format("{} must be a string{}, got {}", field,
                                                         nullable ? " or null" : "", it->dump())));
  auto size = it->get_ref<const std::string&>().size();
  if (size < min_len || size > max_len)
    return std::unexpected(
        validation(field, fmt::format("{} must be {} to {} bytes long, got {}", field, min_len, max_len, size)));
  return {};
}

ApiStatus check_enum(const json& body, const char* field, std::initializer_list<const char*> values) {
  auto it = body.find(field);
  if (it == body.end()) return {};
  if (it->is_string())
    for (const char* v : values)
      if (it->get_ref<const std::string&>() == v) return {};
  std::string allowed;
  for (const char* v : values) allowed += (allowed.empty() ? "" : "|") + std::string(v);
  return std::unexpected(validation(field, fmt::format("{} must be one of {}, got {}", field, allowed, it->dump())));
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// RFC 3339 date-time -> UTC seconds form; nullopt when malformed.
std::optional<std::string> to_utc_seconds(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  long offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset = (s[pos] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec > 59 ? 59 : sec;
  std::time_t t = timegm(&tm) - offset;
  return rfc3339(std::chrono::system_clock::from_time_t(t));
}

}  // namespace

ApiStatus normalize_time(json& body, const char* field, bool nullable) {
  auto it = body.find(field);
  if (it == body.end() || (nullable && it->is_null())) return {};
  std::optional<std::string> utc;
  if (it->is_string()) utc = to_utc_seconds(it->get_ref<const std::string&>());
  if (!utc)
    return std::unexpected(validation(
        field, fmt::format("{} must be an RFC 3339 date-time such as 2026-11-26T23:37:24Z, got {}", field, it->dump())));
  *it = *utc;
  return {};
}

ApiResult<std::optional<std::int64_t>> id_field(const json& body, const char* field, bool nullable) {
  auto it = body.find(field);
  if (it == body.end() || (nullable && it->is_null())) return std::optional<std::int64_t>();
  if (it->is_number_unsigned()) return std::optional<std::int64_t>(it->get<std::int64_t>());
  if (it->is_string())
    if (auto id = parse_id(it->get<std::string>())) return std::optional<std::int64_t>(*id);
  return std::unexpected(validation(field, fmt::format("{} must be an id string{}, got {}", field,
                                                       nullable ? " or null" : "", it->dump())));
}

bool user_exists(Store& store, std::int64_t id) { return store.find_user(id).has_value(); }

bool row_exists(Store& store, const char* table, std::int64_t id) {
  std::lock_guard lock(store.mutex());
  auto& db = store.db();
  auto& has_table = db.cached("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?");
  has_table.bind(1, table);
  bool exists = has_table.step();
  has_table.reset();
  if (!exists) return false;
  auto st = db.prepare(fmt::format("SELECT 1 FROM {} WHERE id=?", table));
  st.bind(1, id);
  return st.step();
}

ApiError external_id_conflict(const std::string& noun, const std::string& external_id, std::int64_t existing_id) {
  ApiError e;
  e.status = 409;
  e.detail = fmt::format("a {} with external_id \"{}\" exists already (id {})", noun, external_id, existing_id);
  e.existing_id = std::to_string(existing_id);
  return e;
}

std::optional<std::int64_t> find_by_external_id(Store& store, const char* table, const std::string& external_id) {
  std::lock_guard lock(store.mutex());
  auto& st = store.db().cached(fmt::format("SELECT id FROM {} WHERE external_id=?", table));
  st.bind(1, external_id);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.column_int64(0);
  st.reset();
  return id;
}

void create_content_tables(Store& store) {
  std::lock_guard lock(store.mutex());
  store.db().exec(R"SQL(
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
  ensure_stats_schema(store.db());
  store.db().exec(R"SQL(
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

}  // namespace daoctl::sim::content

namespace daoctl::sim {

void add_content_routes(RouteTable& routes, Store& store) {
  content::create_content_tables(store);
  content::add_post_routes(routes, store);
  content::add_event_routes(routes, store);
  content::add_file_routes(routes, store);
  content::add_award_routes(routes, store);
}

}  // namespace daoctl::sim
