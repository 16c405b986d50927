// Helpers shared by the files that implement Store (sim/store*.cpp), one per
// aggregate. Not for route files: they go through Store's methods.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "sim/api_error.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/store.hpp"

namespace daoctl::sim::detail {

inline void bind_condition(Statement& st, const SqlCondition& condition, int first_index) {
  int index = first_index;
  for (const auto& p : condition.params) {
    if (const auto* i = std::get_if<std::int64_t>(&p))
      st.bind(index++, *i);
    else
      st.bind(index++, std::get<std::string>(p));
  }
}

// Adds " AND <clause>" (one `?`) with its parameter when the value is set:
// the optional filters of a listing.
inline void and_if(SqlCondition& condition, std::string_view clause, const std::optional<std::string>& value) {
  if (!value) return;
  condition.where += fmt::format(" AND {}", clause);
  condition.params.emplace_back(*value);
}

// The rows (id, doc) of `table` that meet the condition, in id order, at most
// `limit`: a cursor-paged listing with optional filters.
inline Statement select_page(SqliteDb& db, std::string_view table, const SqlCondition& condition,
                             std::int64_t limit) {
  auto st = db.prepare(fmt::format("SELECT id, doc FROM {} WHERE {} ORDER BY id LIMIT ?", table, condition.where));
  bind_condition(st, condition, 1);
  st.bind(static_cast<int>(condition.params.size()) + 1, limit);
  return st;
}

inline ApiError precondition_failed(std::string_view what, std::int64_t version) {
  ApiError e;
  e.status = 412;
  e.detail = fmt::format("{} is at version W/\"{}\"; If-Match does not match it", what, version);
  return e;
}

// The integer in column 0 of the first row of a statement with one text
// parameter (an id looked up by a unique key such as external_id), or nullopt.
inline std::optional<std::int64_t> id_where(SqliteDb& db, const std::string& sql, std::string_view value) {
  auto& st = db.cached(sql);
  st.bind(1, value);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.column_int64(0);
  st.reset();
  return id;
}

// A document's string field as a column value: NULL unless it is a string.
inline std::optional<std::string> optional_string(const nlohmann::json& v) {
  return v.is_string() ? std::optional<std::string>(v.get<std::string>()) : std::nullopt;
}

// Slice [start-1, start-1+count) of ids, clamped to the vector.
inline std::pair<std::size_t, std::size_t> page_bounds(std::size_t total, std::int64_t start_index,
                                                       std::int64_t count) {
  auto first = static_cast<std::size_t>(std::max<std::int64_t>(start_index, 1) - 1);
  if (first >= total || count <= 0) return {0, 0};
  std::size_t last = std::min(total, first + static_cast<std::size_t>(count));
  return {first, last};
}

}  // namespace daoctl::sim::detail
