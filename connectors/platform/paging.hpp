// Consistency checks of paged reads (docs/PAGING.md). The SCIM checks live
// inside PlatformClient::scim_list_raw; this is the checker of native cursor
// paging, shared by PlatformClient::cursor_list and the fetch-ahead pager of
// `stats export` (commands/stats/page_stream).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace daoctl::platform {

// The contract gives no total for cursor lists, so what can be checked is
// the shape: every page that names a next cursor holds exactly as many items
// as the first such page (the server's page size: `limit`, or less when the
// server clamps it), never more than `limit`; a page with a next cursor is
// never empty; a cursor never repeats the one just used. A page lost
// together with its cursor (a null next_cursor too early) cannot be seen.
class CursorPaging {
 public:
  CursorPaging(std::string path, int limit);
  // Checks page `number` (1-based), fetched with `cursor` ("" for the first),
  // holding `items` items and naming `next` (nullopt or "": the last page).
  // A Remote error names the page, its cursor and the counts.
  Status check(long long number, const std::string& cursor, std::size_t items,
               const std::optional<std::string>& next);
  long long items_read() const { return items_read_; }

 private:
  std::string path_;
  long long limit_;
  long long page_size_ = 0;  // learned from the first page with a next cursor
  long long items_read_ = 0;
};

}  // namespace daoctl::platform
