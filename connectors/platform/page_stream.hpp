// Cursor paging with one page fetched ahead.
//
// A keyset cursor is only known once a page has arrived, so pages cannot be
// fetched in parallel; but the next page can be on the wire while this one
// is parsed and written. A fetcher thread (the only user of the client while
// it runs) reads next_cursor straight from the tail of the raw body and asks
// for the next page at once; the consumer parses the page fully and checks
// that the cursor it finds is the one the fetcher used. If not (an unusual
// body layout, an escaped cursor), the fetcher is stopped and paging goes on
// one page at a time from the parsed cursor, so the result is always that of
// PlatformClient::cursor_list. At most two pages are held: memory is flat.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <simdjson.h>
#include <string_view>

#include "connectors/platform/client.hpp"
#include "core/error.hpp"

namespace daoctl::platform {

// The next_cursor of a native page read from the raw body without parsing
// it: the last "next_cursor" member followed by null or a string without
// escapes. Outer nullopt: cannot tell (the caller must parse); inner
// nullopt: null, the last page.
std::optional<std::optional<std::string>> peek_next_cursor(std::string_view body);

// Calls on_page with each page's items, in order, like cursor_list.
// Errors: those of PlatformClient::send; Remote for a body that is not a
// page ({items: [...], next_cursor}) or a cursor that repeats.
Status stream_cursor_pages(PlatformClient& client, const std::string& path, int limit,
                           const std::function<void(const nlohmann::json& items)>& on_page);
// The same, with each page parsed by simdjson into a DOM that lives until
// on_page returns: for writers that take cells (CSV), several times faster
// than building nlohmann documents.
Status stream_cursor_pages_dom(PlatformClient& client, const std::string& path, int limit,
                               const std::function<void(simdjson::dom::array items)>& on_page);

}  // namespace daoctl::platform
