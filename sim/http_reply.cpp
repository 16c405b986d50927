#include "sim/http_reply.hpp"

#include <fmt/format.h>

#include "sim/scim.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

bool is_scim_path(const std::string& path) {
  return path == "/scim/v2" || path.starts_with("/scim/v2/");
}

namespace {
const char* problem_slug(int status) {
  switch (status) {
    case 400: return "bad-request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not-found";
    case 409: return "conflict";
    case 412: return "precondition-failed";
    case 422: return "validation";
    case 429: return "rate-limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "bad-request";
  }
}

const char* problem_title(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 409: return "Conflict";
    case 412: return "Precondition failed";
    case 413: return "Payload too large";
    case 422: return "Validation failed";
    case 429: return "Too many requests";
    case 503: return "Service unavailable";
    default: return status >= 500 ? "Internal server error" : "Bad request";
  }
}
}  // namespace

void send_body(httplib::Response& res, int status, std::string body, const char* content_type) {
  res.status = status;
  res.set_content(std::move(body), content_type);
}

void send_etag(httplib::Response& res, std::int64_t version) {
  res.set_header("ETag", fmt::format("W/\"{}\"", version));
}

void send_error(const httplib::Request& req, httplib::Response& res, const ApiError& error) {
  if (error.status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"daoffice\"");
  if (is_scim_path(req.path)) {
    json body = {{"schemas", json::array({scim::kErrorSchema})},
                 {"status", std::to_string(error.status)},
                 {"detail", error.detail}};
    if (!error.scim_type.empty()) body["scimType"] = error.scim_type;
    send_body(res, error.status, body.dump(), kScimJson);
    return;
  }
  json body = {{"type", fmt::format("https://daoffice.example/problems/{}", problem_slug(error.status))},
               {"title", problem_title(error.status)},
               {"status", error.status},
               {"detail", error.detail},
               {"instance", req.path}};
  if (!error.existing_id.empty() && error.status == 409) body["existing_id"] = error.existing_id;
  if (!error.errors.empty()) {
    json errors = json::array();
    for (const auto& e : error.errors) errors.push_back({{"field", e.field}, {"message", e.message}});
    body["errors"] = std::move(errors);
  }
  send_body(res, error.status, body.dump(), kProblemJson);
}

void send_error(const httplib::Request& req, httplib::Response& res, int status, std::string detail,
                std::string scim_type) {
  ApiError e;
  e.status = status;
  e.detail = std::move(detail);
  e.scim_type = std::move(scim_type);
  send_error(req, res, e);
}

Precondition if_match(const httplib::Request& req) {
  if (!req.has_header("If-Match")) return {};
  auto header = req.get_header_value("If-Match");
  std::vector<std::int64_t> versions;
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto comma = header.find(',', pos);
    auto item = header.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? header.size() : comma + 1;
    auto first = item.find_first_not_of(" \t");
    auto last = item.find_last_not_of(" \t");
    if (first == std::string::npos) continue;
    item = item.substr(first, last - first + 1);
    if (item == "*") return {};
    if (item.starts_with("W/")) item = item.substr(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
    if (auto v = parse_id(item)) versions.push_back(*v);
  }
  return Precondition{std::move(versions)};
}

ApiResult<json> read_json_body(const httplib::Request& req) {
  try {
    return json::parse(req.body);
  } catch (const json::parse_error& e) {
    // nlohmann reports a byte offset; turn it into line:column for humans.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < e.byte && i < req.body.size(); ++i) {
      if (req.body[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    if (e.byte > 0 && column > 1) --column;
    std::string what = e.what();
    auto colon = what.rfind(": ");
    return api_fail(400,
                    fmt::format("request body of {} {} is not valid JSON at line {}, column {}: {}",
                                req.method, req.path, line, column,
                                colon == std::string::npos ? what : what.substr(colon + 2)),
                    "invalidSyntax");
  } catch (const json::exception& e) {
    // Well-formed but not representable, e.g. the number 1e400 (out_of_range).
    return api_fail(400, fmt::format("request body of {} {} is not usable JSON: {}", req.method, req.path, e.what()),
                    "invalidValue");
  }
}

ApiResult<std::int64_t> integer_param(const httplib::Request& req, const char* name,
                                      std::int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  auto text = req.get_param_value(name);
  if (text.starts_with("-")) {
    if (auto v = parse_id(text.substr(1))) return -*v;
  }
  if (auto v = parse_id(text)) return *v;
  return api_fail(400, fmt::format("query parameter {}=\"{}\" is not an integer", name, text),
                  "invalidValue");
}

bool request_has_body(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding")) return true;
  auto length = req.get_header_value("Content-Length");
  return !length.empty() && length != "0";
}

Handler RouteTable::gated(Handler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (gate_ && request_has_body(req) && gate_(req, res)) return;
    if (contract_ && contract_->reject(req, res)) {
      contract_->check_response(req, res);
      return;
    }
    handler(req, res);
    if (contract_) contract_->check_response(req, res);
  };
}

void RouteTable::get(const std::string& pattern, Handler handler) {
  server_.Get(pattern, gated(std::move(handler)));
}
void RouteTable::post(const std::string& pattern, Handler handler) {
  server_.Post(pattern, gated(idempotent(std::move(handler))));
}
void RouteTable::put(const std::string& pattern, Handler handler) {
  server_.Put(pattern, gated(std::move(handler)));
}
void RouteTable::patch(const std::string& pattern, Handler handler) {
  server_.Patch(pattern, gated(idempotent(std::move(handler))));
}
void RouteTable::del(const std::string& pattern, Handler handler) {
  server_.Delete(pattern, gated(std::move(handler)));
}

Handler RouteTable::idempotent(Handler handler) {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Idempotency-Key")) {
      handler(req, res);
      return;
    }
    auto key = req.get_header_value("Idempotency-Key");
    if (key.empty() || key.size() > 255) {
      send_error(req, res, 400, "Idempotency-Key must be 1 to 255 characters", "invalidValue");
      return;
    }
    auto hash = sha256_hex(req.body);
    if (auto stored = store_.find_reply(key, req.method, req.path)) {
      if (stored->request_hash != hash) {
        send_error(req, res, 422,
                   fmt::format("Idempotency-Key \"{}\" was first used for {} {} with a different "
                               "request body; use a new key for a new request",
                               key, req.method, req.path),
                   "invalidValue");
        return;
      }
      res.status = stored->status;
      if (!stored->body.empty()) res.set_content(stored->body, stored->content_type);
      if (!stored->location.empty()) res.set_header("Location", stored->location);
      if (!stored->etag.empty()) res.set_header("ETag", stored->etag);
      res.set_header("Idempotent-Replayed", "true");
      return;
    }
    auto slot = key + '\n' + req.method + '\n' + req.path;
    {
      std::lock_guard lock(in_flight_mutex_);
      if (!in_flight_.insert(slot).second) {
        send_error(req, res, 409,
                   fmt::format("a {} {} with Idempotency-Key \"{}\" is still being processed; retry "
                               "later",
                               req.method, req.path, key));
        return;
      }
    }
    struct Release {
      RouteTable* table;
      std::string slot;
      ~Release() {
        std::lock_guard lock(table->in_flight_mutex_);
        table->in_flight_.erase(slot);
      }
    } release{this, slot};
    handler(req, res);
    if (res.status > 0 && res.status < 500) {
      StoredReply reply{hash,
                        res.status,
                        res.get_header_value("Content-Type"),
                        res.body,
                        res.get_header_value("Location"),
                        res.get_header_value("ETag")};
      store_.save_reply(key, req.method, req.path, reply);
    }
  };
}

}  // namespace daoctl::sim
