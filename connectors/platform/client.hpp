// PlatformClient: the one way the rest of daoctl talks HTTP to the platform.
//
// Adds on top of a Transport: base URL + bearer token, JSON bodies, retries
// with exponential backoff and full jitter on 429/500/502/503/504 and connection
// errors (honouring Retry-After), retries only for idempotent requests (a POST
// gets an Idempotency-Key so it is retryable), a client-side rate limit (token
// bucket), typed errors (Error.kind from the status; detail from RFC 9457
// problem+json or the SCIM error schema; object from Request.object), and
// paging helpers for SCIM (startIndex/count) and native cursors.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/platform/http.hpp"
#include "core/error.hpp"

namespace daoctl::platform {

using nlohmann::json;

struct RetryPolicy {
  int max_attempts = 5;                            // total tries, first included
  std::chrono::milliseconds base_delay{200};       // backoff: base * 2^(attempt-1), full jitter
  std::chrono::milliseconds max_delay{10'000};     // cap of one backoff step
  std::chrono::milliseconds max_retry_after{60'000};  // longest Retry-After we honour
};

// Adaptive pacing (docs/PACING.md): on 429/503 the whole client slows down
// and learns the rate the platform takes. `adaptive = false` keeps only the
// per-request backoff and Retry-After and the fixed rate_limit (what daoctl
// did before issue 17). `min_rate` is the floor a pace never drops below.
struct PacingOptions {
  bool adaptive = true;
  double min_rate = 1.0;  // requests per second, > 0
};

struct ClientOptions {
  std::string base_url;  // "http://127.0.0.1:8080" (no trailing slash needed)
  std::string token;     // bearer token; never logged
  RetryPolicy retry;
  double rate_limit = 0;  // requests per second, 0 = unlimited
  PacingOptions pacing;
  uint64_t jitter_seed = 0;  // 0 = random seed; tests set it for determinism
  // Wall clock for Retry-After given as an HTTP-date; empty = system_clock.
  // Tests pin it so a date maps to a known delay in the transport's time.
  std::function<std::chrono::system_clock::time_point()> wall_clock;
  // The whole command's time limit (--timeout), in the transport's time:
  // every attempt is cut to end by it (also a long transfer's), and a retry
  // that would start after it is not made: the call fails with the cause of
  // its last attempt and says the limit ran out. Unset: no overall limit
  // (each request still ends after retry.max_attempts).
  std::optional<http::Clock::time_point> deadline;
  // What one attempt of an ordinary request may take (the transport's
  // request timeout): needed to cut it to the deadline, and named in notices.
  // 0 = unknown (then only requests with their own timeout are cut).
  std::chrono::milliseconds attempt_timeout{0};
  // How the limit is called in messages ("--timeout 60 s").
  std::string deadline_name = "--timeout";
  // Told one line per retry after a failure a person waits for (no answer,
  // refused or closed connection, 500/502/504; not 429/503, which pacing
  // reports): "no answer from host:8080 in 30 s, retry 2/5 in 4 s".
  std::function<void(const std::string& line)> on_retry;
  // A 404/405 that is not the platform's (an HTML page; a JSON 404 while
  // /scim/v2/ServiceProviderConfig is missing too) is a Config error (exit
  // 2) "... does not look like a daoctl platform API" instead of NotFound.
  // Set for the daoctl platform's client (cli/app.cpp), not for fakes.
  bool detect_non_platform = false;
};

// Counters for summaries and metrics.
struct ClientStats {
  uint64_t requests = 0;  // attempts put on the wire
  uint64_t retries = 0;
  uint64_t failures = 0;  // calls that ended in an error
  uint64_t throttled = 0;  // answers 429 or 503
  // Pacing: the pace at the end (requests/s; 0 = never paced), the lowest
  // it went, the quota a RateLimit-Policy stated (0 = none), the decreases.
  double pace = 0;
  double lowest_pace = 0;
  double advertised_rate = 0;
  uint64_t pace_decreases = 0;
  // Time waited, summed over requests (so with concurrency it can exceed
  // the run's wall time): retries waiting out their backoff or Retry-After,
  // and attempts held back for their slot of the pace.
  double retry_wait_seconds = 0;
  double pacing_wait_seconds = 0;
};

// The "http" block of a run summary: the counters above, rounded.
json stats_json(const ClientStats& stats, const PacingOptions& pacing);

// One call in a batch: the request and what to do with its final result.
struct Call {
  http::Request request;
  std::function<void(Result<http::Response>)> done;
};

class PlatformClient {
 public:
  PlatformClient(std::unique_ptr<http::Transport> transport, ClientOptions options);
  ~PlatformClient();
  PlatformClient(const PlatformClient&) = delete;
  PlatformClient& operator=(const PlatformClient&) = delete;

  // Builds a request for METHOD base_url+path (path starts with '/', query
  // included, segments already encoded with url_encode_segment). Sets
  // Authorization, Accept, and for a body Content-Type: application/json
  // (or application/scim+json under /scim/v2). POST/PATCH get an
  // Idempotency-Key and are marked idempotent.
  http::Request make_request(std::string method, std::string path, std::string object,
                             std::optional<json> body = std::nullopt) const;

  // Sends one request (with retries) and waits. send, send_all and the list
  // helpers drive the transport, so they must not be called from inside a
  // `done`/`on_page` callback of the same client: such a nested call fails at
  // once with an Internal error instead of re-entering the transport.
  // Error messages read "GET /scim/v2/Users/42 failed with 404 Not Found"
  // (plus "after N attempts" when retried); Error.object is Request.object. A 2xx/3xx response is a
  // value; anything else becomes an Error (kind from the status: 401/403 Auth,
  // 404 NotFound, 409/412 Conflict, 400/422 Validation, 5xx Remote; no
  // response -> Network).
  Result<http::Response> send(http::Request req);

  // Convenience: send and parse the JSON body (empty body -> null).
  Result<json> get_json(const std::string& path, const std::string& object);
  Result<json> send_json(const std::string& method, const std::string& path,
                         const std::string& object, std::optional<json> body = std::nullopt);

  // Runs many calls concurrently (up to the transport's max_in_flight), each
  // with its own retries; returns when all are done. `done` callbacks run on
  // this thread, in completion order.
  void send_all(std::vector<Call> calls);

  // Streams calls without building them all first: `next` is asked for
  // another call whenever fewer than `window` calls are unfinished (nullopt:
  // no more), so memory holds about `window` requests however many there
  // are. Returns when the source is empty and every call is done.
  void send_stream(const std::function<std::optional<Call>()>& next, std::size_t window);

  // From inside a `done` callback of send_all/send_stream: starts a
  // follow-up call in the same run (a comment once its post has an id), so
  // dependent requests need no barrier between batches. Outside a run the
  // call fails at once with an Internal error.
  void enqueue(Call call);

  // SCIM paging: GET path?filter=..&startIndex=..&count=page_size until
  // totalResults are read; on_page gets each page's Resources array. Pages
  // after the first are fetched concurrently once totalResults is known.
  // Delivered in order. Stops early and returns the error of a failed page.
  // A page that comes back empty before totalResults ends the listing there
  // (later pages are discarded), so a miscounting server cannot loop us.
  // A page_size above the server's maximum is fine: the step follows the
  // size of the first page the server actually returned.
  Status scim_list(const std::string& path, const std::string& filter, int page_size,
                   const std::function<void(const json& resources)>& on_page);

  // The same paging, but each page is handed over as the raw response body (a
  // ListResponse) for callers that parse it themselves: the fast path for
  // 100k-user reads. Paging reads only totalResults and the Resources count
  // (simdjson, no document is built). `on_page` may modify the string (and
  // needs SIMDJSON_PADDING spare capacity for simdjson, which it has); an
  // error it returns stops the listing and is returned.
  Status scim_list_raw(const std::string& path, const std::string& filter, int page_size,
                       const std::function<Status(std::string& body)>& on_page);

  // The same paging and checks, with each page's resources located in the
  // pass that counts them (one parse per page, not two): `on_page` gets the
  // ListResponse body and the JSON text of each resource, in order (views
  // into the body, valid during the call). A resource that is not an object
  // fails the page. The fast path of `users list -o json` (issue 17).
  Status scim_list_resources(
      const std::string& path, const std::string& filter, int page_size,
      const std::function<Status(std::string_view body, std::span<const std::string_view> resources)>& on_page);

  // Native cursor paging: GET path (?|&)limit=..&cursor=.. until next_cursor
  // is null/absent/empty; on_page gets each page's items array. A cursor that
  // repeats the previous one is a Remote error (it would loop forever).
  Status cursor_list(const std::string& path, int limit,
                     const std::function<void(const json& items)>& on_page);

  const ClientStats& stats() const { return stats_; }
  // (offset, size) of each resource of a page in its body.
  using ResourceSpans = std::vector<std::pair<std::size_t, std::size_t>>;
  const ClientOptions& options() const { return options_; }
  http::Transport& transport() { return *transport_; }

 private:
  Status scim_list_pages(const std::string& path, const std::string& filter, int page_size, bool locate,
                         const std::function<Status(std::string& body, const ResourceSpans& spans)>& on_page);
  struct Impl;
  std::unique_ptr<http::Transport> transport_;
  ClientOptions options_;
  ClientStats stats_;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes one path segment (RFC 3986 unreserved kept), so "../admin"
// or "a/b?c" can never change the request path.
std::string url_encode_segment(std::string_view s);
// Percent-encodes a query value.
std::string url_encode_query(std::string_view s);

// Maps an HTTP error response to an Error: kind from status, detail from the
// problem+json `detail`/`title` or SCIM `detail`/`scimType` (plus 422 field
// errors and a 409 `existing_id`, also kept typed in Error::existing_id),
// object as given, http_status set.
// Kinds: 401/403 Auth, 404/410 NotFound, 409/412 Conflict, 400/413/422
// Validation, everything else (429, 5xx, unexpected 4xx) Remote.
Error error_from_response(const http::Response& resp, const std::string& object);
// The same, with the message naming the request: "GET /api/v1/me failed with 401 Unauthorized".
Error error_from_response(const http::Request& req, const http::Response& resp);

// "<base_url> does not look like a daoctl platform API": `req` answered
// `resp` (a 404 or 405); `also` adds what the confirming request got.
Error not_a_platform_error(const http::Request& req, const http::Response& resp, const std::string& base_url,
                           const std::string& also);
// A 404 or 405 whose body is not JSON (HTML, text, empty): not the platform.
bool looks_like_other_server(const http::Response& resp);

// The upper bound of the backoff before retry number `retry` (1 = the first
// retry): min(max_delay, base_delay * 2^(retry-1)). The actual delay is drawn
// uniformly from [0, bound] ("full jitter").
std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry);

// Parses a Retry-After value: delta-seconds or an HTTP-date (any of the three
// RFC 9110 formats) relative to `now`. A date in the past gives 0; garbage
// gives nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Creates the libcurl multi transport.
std::unique_ptr<http::Transport> make_curl_transport(const http::TransportOptions& options);

}  // namespace daoctl::platform
