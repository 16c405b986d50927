// Fault injection for daoctl-sim: latency, failures, rate limiting and
// connection resets, chosen deterministically from --fault-seed so a
// sequential client sees the same faults on every run.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace httplib {
struct Request;
}

namespace daoctl::sim {

struct FaultOptions {
  int latency_ms = 0;
  double fail_rate = 0.0;   // share of requests answered 500/503
  double rate_limit = 0.0;  // requests per second across all clients; 0: unlimited
  double reset_rate = 0.0;  // share of requests whose connection is closed unanswered
  std::uint64_t seed = 1;
  // The Nth page served (a GET answered 200 with a "Resources" or "items"
  // array, counted from 1 across every listing) loses its items once:
  // empty_page empties the array, short_page keeps its first half. The
  // paging metadata (totalResults, next_cursor) stays, as when a real
  // server's page renderer drops rows. 0: off.
  long long empty_page = 0;
  long long short_page = 0;
  // --rate-limit-headers: with --rate-limit, every answer states the limit as
  // draft-ietf-httpapi-ratelimit-headers (-06) fields: RateLimit-Policy
  // "N;w=1", RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset.
  bool rate_limit_headers = false;
};

enum class FaultAction { None, Reset, RateLimited, Fail500, Fail503 };

struct FaultDecision {
  FaultAction action = FaultAction::None;
  int retry_after_seconds = 0;  // for RateLimited, Fail500, Fail503
};

class FaultInjector {
 public:
  explicit FaultInjector(const FaultOptions& options);

  // The fate of the next request. Thread-safe; every call consumes the same
  // number of random draws so the sequence depends only on the seed and the
  // request order.
  FaultDecision decide();
  // Counts one page served; true (once) when it is the one --empty-page or
  // --short-page names, and then sets `empty` to which.
  bool page_fault(bool& empty);
  // Tokens left in the rate-limit bucket now (rounded down).
  long long remaining_tokens();
  std::chrono::milliseconds latency() const { return std::chrono::milliseconds(options_.latency_ms); }
  const FaultOptions& options() const { return options_; }

 private:
  double next_uniform();

  FaultOptions options_;
  std::mutex mutex_;
  std::uint64_t counter_ = 0;
  long long pages_ = 0;
  double tokens_;
  std::chrono::steady_clock::time_point refilled_at_;
};

// Drops the items of a served page (see FaultOptions::empty_page): empties
// (or halves) the "Resources" or "items" array of the JSON body, keeping every
// other member. False when the body is not such a page.
bool drop_page_items(std::string& body, bool empty);

// Closes the client connection of `req` so that no response reaches it:
// finds the socket by its address pair, sets SO_LINGER 0 (the final close
// sends RST) and shuts it down, so cpp-httplib's write of the response fails
// and it drops the connection. cpp-httplib 0.11 exposes no socket to
// handlers, hence the lookup through /proc/self/fd. False if not found.
bool reset_connection(const httplib::Request& req);

}  // namespace daoctl::sim
