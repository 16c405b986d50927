// FakeTransport: a scripted http::Transport with a virtual clock, for tests of
// everything above the wire (retries, backoff, Retry-After, rate limit, paging).
//
// - Time is virtual: run() jumps the clock to the next event (a request's
//   not_before or a response's completion), so a 60 s backoff costs nothing.
// - Responses are scripted either for a method + URL (`on`) or in order of
//   arrival (`next`), or computed by a responder function. Each scripted
//   response answers exactly one request. A stub may carry a latency, so
//   responses can complete out of submission order.
// - Every request is recorded with the virtual time it was started.
// - Like gh's httpmock registry, the test fails when a request matches no
//   stub, and (at destruction) when a scripted response was never used.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "connectors/platform/http.hpp"

namespace daoctl::test {

using http::Clock;
using namespace std::chrono_literals;

inline http::Response response(long status, std::string body = {},
                               std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [name, value] : headers) {
    std::string key = name;
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(key), std::move(value));
  }
  return r;
}

inline http::Outcome answer(http::Response r) {
  http::Outcome o;
  o.response = std::move(r);
  return o;
}

inline http::Outcome transport_error(http::TransportError::Code code, std::string message) {
  http::Outcome o;
  o.error = http::TransportError{code, std::move(message)};
  return o;
}

class FakeTransport final : public http::Transport {
 public:
  struct Recorded {
    http::Request request;
    Clock::time_point started;
  };
  using Responder = std::function<http::Outcome(const http::Request&)>;

  explicit FakeTransport(int max_in_flight = 8) : max_in_flight_(max_in_flight) {}

  ~FakeTransport() override {
    if (std::uncaught_exceptions() > 0) return;
    for (const auto& [key, stubs] : by_url_) {
      for (size_t i = 0; i < stubs.size(); ++i) {
        FAIL_CHECK("scripted response for " << key << " was never requested");
      }
    }
    for (size_t i = 0; i < in_order_.size(); ++i) FAIL_CHECK("scripted response #" << i + 1 << " in sequence was never requested");
  }

  FakeTransport(const FakeTransport&) = delete;
  FakeTransport& operator=(const FakeTransport&) = delete;

  // Answers the next request for exactly METHOD URL (query included).
  FakeTransport& on(const std::string& method, const std::string& url, http::Outcome outcome,
                    std::chrono::milliseconds latency = 0ms) {
    by_url_[method + " " + url].push_back(Stub{[o = std::move(outcome)](const http::Request&) { return o; }, latency});
    return *this;
  }
  FakeTransport& on(const std::string& method, const std::string& url, http::Response r,
                    std::chrono::milliseconds latency = 0ms) {
    return on(method, url, answer(std::move(r)), latency);
  }

  // Answers the next request not matched by `on`, whatever it is.
  FakeTransport& next(http::Outcome outcome, std::chrono::milliseconds latency = 0ms) {
    in_order_.push_back(Stub{[o = std::move(outcome)](const http::Request&) { return o; }, latency});
    return *this;
  }
  FakeTransport& next(http::Response r, std::chrono::milliseconds latency = 0ms) {
    return next(answer(std::move(r)), latency);
  }

  // Answers every request not matched above; latency may depend on the request.
  void respond_with(Responder responder,
                    std::function<std::chrono::milliseconds(const http::Request&)> latency = {}) {
    fallback_ = std::move(responder);
    fallback_latency_ = std::move(latency);
  }

  void submit(http::Request req, Clock::time_point not_before, http::Completion done) override {
    waiting_.emplace(std::pair{not_before, seq_++}, Pending{std::move(req), std::move(done)});
  }

  void run() override {
    try {
      drive();
    } catch (...) {
      waiting_.clear();
      in_flight_.clear();
      throw;
    }
  }

  Clock::time_point now() const override { return now_; }

  const std::vector<Recorded>& requests() const { return recorded_; }
  Clock::time_point start_time() const { return epoch_; }
  // Virtual time since the fake was created.
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now_ - epoch_);
  }
  int max_seen_in_flight() const { return max_seen_in_flight_; }
  // URLs in the order their responses were delivered.
  const std::vector<std::string>& completion_order() const { return completed_urls_; }

 private:
  struct Stub {
    Responder respond;
    std::chrono::milliseconds latency;
  };
  struct Pending {
    http::Request request;
    http::Completion done;
  };
  struct Flying {
    std::string url;
    http::Outcome outcome;
    http::Completion done;
  };

  void drive() {
    for (;;) {
      while (!waiting_.empty() && static_cast<int>(in_flight_.size()) < max_in_flight_ &&
             waiting_.begin()->first.first <= now_) {
        Pending p = std::move(waiting_.begin()->second);
        waiting_.erase(waiting_.begin());
        start(std::move(p));
      }
      if (in_flight_.empty() && waiting_.empty()) return;
      Clock::time_point next_event = Clock::time_point::max();
      if (!in_flight_.empty()) next_event = in_flight_.begin()->first.first;
      if (!waiting_.empty() && static_cast<int>(in_flight_.size()) < max_in_flight_) {
        next_event = std::min(next_event, waiting_.begin()->first.first);
      }
      now_ = std::max(now_, next_event);
      while (!in_flight_.empty() && in_flight_.begin()->first.first <= now_) {
        Flying f = std::move(in_flight_.begin()->second);
        in_flight_.erase(in_flight_.begin());
        completed_urls_.push_back(f.url);
        f.done(std::move(f.outcome));
      }
    }
  }

  void start(Pending p) {
    recorded_.push_back(Recorded{p.request, now_});
    Stub stub = take_stub(p.request);
    http::Outcome outcome = stub.respond(p.request);
    in_flight_.emplace(std::pair{now_ + stub.latency, seq_++}, Flying{p.request.url, std::move(outcome), std::move(p.done)});
    max_seen_in_flight_ = std::max(max_seen_in_flight_, static_cast<int>(in_flight_.size()));
  }

  Stub take_stub(const http::Request& req) {
    if (auto it = by_url_.find(req.method + " " + req.url); it != by_url_.end() && !it->second.empty()) {
      Stub s = std::move(it->second.front());
      it->second.pop_front();
      if (it->second.empty()) by_url_.erase(it);
      return s;
    }
    if (!in_order_.empty()) {
      Stub s = std::move(in_order_.front());
      in_order_.pop_front();
      return s;
    }
    if (fallback_) {
      auto latency = fallback_latency_ ? fallback_latency_(req) : 0ms;
      return Stub{fallback_, latency};
    }
    FAIL_CHECK("no scripted response for " << req.method << " " << req.url);
    return Stub{[](const http::Request&) {
                  return transport_error(http::TransportError::Code::Other, "no scripted response");
                },
                0ms};
  }

  int max_in_flight_;
  Clock::time_point epoch_ = Clock::time_point{} + std::chrono::hours(1);
  Clock::time_point now_ = epoch_;
  uint64_t seq_ = 0;
  std::map<std::pair<Clock::time_point, uint64_t>, Pending> waiting_;
  std::map<std::pair<Clock::time_point, uint64_t>, Flying> in_flight_;
  std::map<std::string, std::deque<Stub>> by_url_;
  std::deque<Stub> in_order_;
  Responder fallback_;
  std::function<std::chrono::milliseconds(const http::Request&)> fallback_latency_;
  std::vector<Recorded> recorded_;
  std::vector<std::string> completed_urls_;
  int max_seen_in_flight_ = 0;
};

}  // namespace daoctl::test
