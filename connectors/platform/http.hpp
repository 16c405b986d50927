// The HTTP layer under the platform client: plain data types and the Transport
// interface. The real Transport is libcurl multi (curl_transport.cpp); unit
// tests use FakeTransport (tests/unit/common/fake_transport.hpp, the one HTTP
// fake of every unit area) with a fake clock, so retry/backoff/paging logic is
// tested without a network.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace daoctl::http {

using Clock = std::chrono::steady_clock;

// Header names are compared case-insensitively; Response stores them lower-case.
struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";  // GET POST PUT PATCH DELETE HEAD
  std::string url;             // absolute URL (base + path + query, already encoded)
  std::vector<Header> headers;
  std::string body;
  // What the request is about, for error messages: "user jdoe", "GET /api/v1/me".
  std::string object;
  // Safe to send twice: GET/HEAD/PUT/DELETE always; POST/PATCH only when an
  // Idempotency-Key header is present (the client sets this flag).
  bool idempotent = false;
  // Per-request timeout; 0 = the transport's default.
  std::chrono::milliseconds timeout{0};
  // The longest time the transfer may go without a byte in either direction
  // before it fails with TransportError::Code::Timeout ("stalled"); 0 = the
  // transport's default. Long transfers (backup downloads and uploads) set a
  // generous `timeout` and rely on this to end a silent peer.
  std::chrono::milliseconds stall_timeout{0};
  // Optional streaming sink for large bodies (downloads): when set, the body
  // of a 2xx response goes here instead of Response::body (an error status
  // keeps its body in Response::body, so the error can be parsed). Return
  // false to abort the transfer (TransportError::Code::Aborted). A request
  // with a sink is not retried after bytes may have reached the sink.
  std::function<bool(const char* data, size_t len)> sink;
};

// Sets header `name` (compared without case) to `value`, replacing the first
// one of that name or adding it.
void set_header(Request& req, const std::string& name, const std::string& value);

struct Response {
  long status = 0;
  std::multimap<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::chrono::milliseconds elapsed{0};

  // First value of a header (name in any case), if present.
  std::optional<std::string> header(std::string_view name) const;
};

// The standard reason phrase of an HTTP status ("Not Found"), or "" for an
// unknown code. Used instead of the server's phrase, which HTTP/2 drops and a
// proxy may rewrite, so messages are the same whatever answered.
std::string_view reason_phrase(long status) noexcept;

// A header value fit for a trace line: credentials (Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, API-key headers) are replaced by
// "***", keeping an Authorization scheme ("Bearer ***").
std::string redact_header_value(std::string_view name, std::string_view value);

// A transfer that produced no HTTP response.
struct TransportError {
  enum class Code { Connect, Timeout, Tls, Reset, Aborted, Other };
  Code code = Code::Other;
  std::string message;  // curl's error text, already free of secrets
};

struct Outcome {
  std::optional<Response> response;      // set when the server answered
  std::optional<TransportError> error;   // set when it did not
};

using Completion = std::function<void(Outcome)>;

struct TransportOptions {
  int max_in_flight = 8;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  // No byte for this long ends a transfer (see Request::stall_timeout);
  // 0 = no stall limit (request_timeout still applies).
  std::chrono::milliseconds stall_timeout{60'000};
  std::string ca_file;   // empty = system trust store
  bool insecure = false; // skip TLS verification (cli prints a loud warning)
  std::string user_agent = "daoctl";
  // Called with one line per request/response for `-v`; already redacted.
  std::function<void(const std::string&)> trace;
};

// Runs HTTP transfers. Single-threaded: completions are called from inside
// run(), on the caller's thread, and may submit more requests. If a
// completion throws, run() drops every other queued and in-flight transfer
// (their completions are never called) and rethrows, so no completion can
// outlive the state it captured.
class Transport {
 public:
  virtual ~Transport() = default;
  // Queues a request to start no earlier than `not_before`. `done` is called
  // exactly once, from within run().
  virtual void submit(Request req, Clock::time_point not_before, Completion done) = 0;
  // Drives every submitted transfer (including ones submitted by completions)
  // until none is left, keeping at most max_in_flight on the wire.
  virtual void run() = 0;
  // The transport's notion of now (the fake's is virtual time).
  virtual Clock::time_point now() const = 0;
};

}  // namespace daoctl::http
