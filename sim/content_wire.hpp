// Shared wire helpers of the content route groups (posts, comments,
// reactions, awards, events, invitations, files): paging windows, field
// checks that answer 422 naming the field, and the tables those groups keep
// in the store's SQLite file (created on first install, IF NOT EXISTS).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/http_reply.hpp"
#include "sim/store.hpp"

namespace daoctl::sim::content {

using nlohmann::json;

// ?limit=&cursor=; the cursor is opaque to clients: base64url of
// "after:<key>", where the key is whatever the listing orders by (an id, or
// "<created_at>|<id>" for comments). Errors: 400 for a bad limit or a cursor
// this server did not issue.
struct Window {
  std::string after;  // empty: from the start
  std::int64_t limit = kDefaultLimit;
};
ApiResult<Window> read_window(const httplib::Request& req);
std::string cursor_for(const std::string& key);

// {"items": [...], "next_cursor": ...}: rows were fetched with limit+1; the
// extra one means there is a next page, whose cursor is key_of(last item).
std::string page_body(std::vector<json> rows, std::int64_t limit,
                      const std::function<std::string(const json&)>& key_of);

ApiError validation(std::string field, std::string message);
ApiResult<json> read_object(const httplib::Request& req);
ApiStatus reject_unknown_fields(const json& body, std::initializer_list<const char*> known);

// Field checks: absent fields are fine (callers check required ones).
ApiStatus check_string(const json& body, const char* field, std::size_t min_len, std::size_t max_len,
                       bool nullable);
ApiStatus check_enum(const json& body, const char* field, std::initializer_list<const char*> values);
// RFC 3339 with a Z or numeric offset; the value is rewritten in place to
// UTC with seconds (2026-11-26T23:37:24Z).
ApiStatus normalize_time(json& body, const char* field, bool nullable);
// An id field: a decimal string (an unsigned integer is accepted too).
ApiResult<std::optional<std::int64_t>> id_field(const json& body, const char* field, bool nullable);

// Existence checks against the store: users (SCIM), files, and communities
// and badges when their route group's table exists (they belong to another
// area; without the table nothing can be checked and nothing can exist).
bool user_exists(Store& store, std::int64_t id);
bool row_exists(Store& store, const char* table, std::int64_t id);

// 409 for an external id already taken in `table`, with existing_id.
ApiError external_id_conflict(const std::string& noun, const std::string& external_id,
                              std::int64_t existing_id);

void create_content_tables(Store& store);

void add_post_routes(RouteTable& routes, Store& store);
void add_event_routes(RouteTable& routes, Store& store);
void add_file_routes(RouteTable& routes, Store& store);
void add_award_routes(RouteTable& routes, Store& store);

}  // namespace daoctl::sim::content
