// Helpers shared by the settings, community and badge route groups of
// daoctl-sim: bodies checked against the contract's own JSON Schemas (so the
// simulator refuses exactly what schemas/openapi.yaml refuses), native paging,
// and access to the store's connection under its lock.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/api_error.hpp"
#include "sim/store.hpp"

namespace daoctl::sim {

// A 422 with one field error.
ApiError field_error(std::string field, std::string message);

// Checks `body` against #/components/schemas/<schema_name> of the embedded
// contract. Errors: 422 with one FieldError per problem (field = the JSON
// pointer without its leading '/', "(root)" for the body itself).
ApiStatus check_against_contract(const nlohmann::json& body, std::string_view schema_name);

// The request body as a JSON object. Errors: 400 (not JSON / not an object).
ApiResult<nlohmann::json> read_body_object(const httplib::Request& req);

// ?limit= (default 100, at most 1000) and ?cursor= as issued by page_json.
struct PageWindow {
  std::int64_t after_id = 0;
  std::int64_t limit = 100;
};
ApiResult<PageWindow> read_page_window(const httplib::Request& req);

// {"items": [...], "next_cursor": ...} from rows fetched with limit+1; each
// row is (id, rendered item).
std::string page_json(std::vector<std::pair<std::int64_t, nlohmann::json>> rows,
                      std::int64_t limit);

nlohmann::json text_or_null(const std::optional<std::string>& text);

// Whether every id names an existing user; the first unknown one otherwise.
// Caller holds store.mutex().
std::optional<std::string> first_unknown_user(Store& store, const std::vector<std::string>& ids);

}  // namespace daoctl::sim
