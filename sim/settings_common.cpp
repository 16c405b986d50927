#include "sim/settings_common.hpp"

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <stdexcept>

#include "core/schema/openapi_contract.hpp"
#include "sim/http_reply.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

ApiError field_error(std::string field, std::string message) {
  ApiError e;
  e.status = 422;
  e.detail = message;
  e.errors.push_back(FieldError{std::move(field), std::move(message)});
  return e;
}

namespace {

// Validators compiled once per schema name; the contract is immutable.
const schema::JsonSchemaValidator& contract_validator(std::string_view schema_name) {
  static std::mutex mutex;
  static std::map<std::string, schema::JsonSchemaValidator, std::less<>> compiled;
  static const auto contract = schema::OpenApiContract::load_embedded();
  std::lock_guard lock(mutex);
  if (auto it = compiled.find(schema_name); it != compiled.end()) return it->second;
  if (!contract)
    throw std::runtime_error("the embedded contract does not load: " + contract.error().describe());
  auto validator = schema::JsonSchemaValidator::compile(
      contract->document(), fmt::format("/components/schemas/{}", schema_name));
  if (!validator)
    throw std::runtime_error(fmt::format("schema {} of the contract does not compile: {}",
                                         schema_name, validator.error().describe()));
  return compiled.emplace(std::string(schema_name), std::move(*validator)).first->second;
}

}  // namespace

ApiStatus check_against_contract(const json& body, std::string_view schema_name) {
  auto problems = contract_validator(schema_name).validate(body);
  if (problems.empty()) return {};
  ApiError e;
  e.status = 422;
  std::vector<std::string> lines;
  for (const auto& p : problems) {
    std::string field = p.path.empty() ? "(root)" : p.path.substr(1);
    lines.push_back(fmt::format("{}: {}", field, p.message));
    e.errors.push_back(FieldError{std::move(field), p.message});
  }
  e.detail = fmt::format("the {} is not valid: {}", schema_name, fmt::join(lines, "; "));
  return std::unexpected(std::move(e));
}

ApiResult<json> read_body_object(const httplib::Request& req) {
  auto body = read_json_body(req);
  if (!body) return body;
  if (!body->is_object())
    return api_fail(400,
                    fmt::format("the body of {} {} must be a JSON object", req.method, req.path));
  return body;
}

ApiResult<PageWindow> read_page_window(const httplib::Request& req) {
  PageWindow w;
  auto limit = integer_param(req, "limit", 100);
  if (!limit) return std::unexpected(limit.error());
  if (*limit < 1) return api_fail(400, fmt::format("limit={} must be at least 1", *limit));
  w.limit = std::min<std::int64_t>(*limit, 1000);
  if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
    auto raw = req.get_param_value("cursor");
    auto decoded = base64url_decode(raw);
    std::optional<std::int64_t> after;
    if (decoded && decoded->starts_with("after:")) after = parse_id(decoded->substr(6));
    if (!after)
      return api_fail(
          400,
          fmt::format("cursor \"{}\" was not issued by this server; start again without a cursor",
                      raw));
    w.after_id = *after;
  }
  return w;
}

std::string page_json(std::vector<std::pair<std::int64_t, json>> rows, std::int64_t limit) {
  json items = json::array();
  json next = nullptr;
  if (static_cast<std::int64_t>(rows.size()) > limit) {
    rows.resize(static_cast<std::size_t>(limit));
    next = base64url_encode(fmt::format("after:{}", rows.back().first));
  }
  for (auto& row : rows) items.push_back(std::move(row.second));
  return json{{"items", std::move(items)}, {"next_cursor", std::move(next)}}.dump();
}

json text_or_null(const std::optional<std::string>& text) {
  return text ? json(*text) : json(nullptr);
}

std::optional<std::string> first_unknown_user(Store& store, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    auto numeric = parse_id(id);
    if (!numeric || !store.user_exists_locked(*numeric)) return id;
  }
  return std::nullopt;
}

}  // namespace daoctl::sim
