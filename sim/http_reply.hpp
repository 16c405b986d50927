// Shared pieces of the HTTP layer: wire errors, JSON replies, If-Match,
// request bodies, and the route table with Idempotency-Key replay.
#pragma once

#include <httplib.h>

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "sim/api_error.hpp"
#include "sim/contract_check.hpp"
#include "sim/store.hpp"

namespace daoctl::sim {

inline constexpr const char* kScimJson = "application/scim+json";
inline constexpr const char* kJson = "application/json";
inline constexpr const char* kProblemJson = "application/problem+json";

bool is_scim_path(const std::string& path);

// SCIM error under /scim/v2, problem details elsewhere; 401 adds
// WWW-Authenticate. Retry-After is the caller's to set.
void send_error(const httplib::Request& req, httplib::Response& res, const ApiError& error);
void send_error(const httplib::Request& req, httplib::Response& res, int status, std::string detail,
                std::string scim_type = {});
void send_body(httplib::Response& res, int status, std::string body, const char* content_type);
void send_etag(httplib::Response& res, std::int64_t version);

// If-Match: absent or "*" matches anything; `W/"3"`, `"3"` and lists of them
// match those versions; anything else matches nothing (so answers 412).
Precondition if_match(const httplib::Request& req);

// The body as JSON. Errors: 400 (invalidSyntax under SCIM) naming the line
// and column where parsing failed.
ApiResult<nlohmann::json> read_json_body(const httplib::Request& req);

// Query parameter as a non-negative integer, `fallback` when absent.
// Errors: 400 naming the parameter.
ApiResult<std::int64_t> integer_param(const httplib::Request& req, const char* name,
                                      std::int64_t fallback);

// ?limit= of every paged listing: its default and the most one page holds.
inline constexpr std::int64_t kDefaultLimit = 100;
inline constexpr std::int64_t kMaxLimit = 1000;

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Registers handlers on the server. POST and PATCH handlers get
// Idempotency-Key handling: the first reply (status < 500) is stored for
// (key, method, path) and replayed with `Idempotent-Replayed: true`; the same
// key with another body is 422; a repeat while the first is running is 409.
// True when the request carries a body (Content-Length > 0 or chunked).
bool request_has_body(const httplib::Request& req);

class RouteTable {
 public:
  RouteTable(httplib::Server& server, Store& store) : server_(server), store_(store) {}
  void get(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Handler handler);
  void put(const std::string& pattern, Handler handler);
  void patch(const std::string& pattern, Handler handler);
  void del(const std::string& pattern, Handler handler);

  // Checks (faults, auth) for requests that carry a body. They cannot run in
  // cpp-httplib's pre-routing handler, which answers before the body is read:
  // on a kept-alive connection the unread body would then be parsed as the
  // next request. The gate returns true when it answered the request itself.
  using Gate = std::function<bool(const httplib::Request&, httplib::Response&)>;
  void set_gate(Gate gate) { gate_ = std::move(gate); }
  // Request bodies checked against the contract before any handler (and,
  // if the check says so, responses after it). Must outlive the table.
  void set_contract_check(const ContractCheck* check) { contract_ = check; }

 private:
  Handler idempotent(Handler handler);
  Handler gated(Handler handler);
  Gate gate_;
  const ContractCheck* contract_ = nullptr;

  httplib::Server& server_;
  Store& store_;
  std::mutex in_flight_mutex_;
  std::set<std::string> in_flight_;
};

}  // namespace daoctl::sim
