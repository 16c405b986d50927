#include "sim/content_wire.hpp"
#include "sim/store_content.hpp"

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
  return table_has_row(store.db(), table, id);
}

ApiError external_id_conflict(const std::string& noun, const std::string& external_id, std::int64_t existing_id) {
  ApiError e;
  e.status = 409;
  e.detail = fmt::format("a {} with external_id \"{}\" exists already (id {})", noun, external_id, existing_id);
  e.existing_id = std::to_string(existing_id);
  return e;
}

void create_content_tables(Store& store) {
  std::lock_guard lock(store.mutex());
  create_content_schema(store.db());
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
