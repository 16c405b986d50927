// FakeTransport: the one scripted http::Transport of the unit tests, with a
// virtual clock, for everything above the wire (retries, backoff, Retry-After,
// rate limit, paging, commands run end to end, the HR HTTP source).
//
// - Time is virtual: run() jumps the clock to the next event (a request's
//   not_before or a response's completion), so a 60 s backoff costs nothing.
// - Responses are scripted for a method + target (`on`) or in order of
//   arrival (`next`); each answers exactly one request. A target is a whole
//   URL, or a path (with its query) starting with '/' that matches on any
//   host. A stub may carry a latency, so responses can complete out of
//   submission order.
// - A route (`serve`) answers every request for a method + target with a
//   handler, like a server would, once that target's scripted responses are
//   used up; `respond_with` answers everything else.
// - Every request is recorded with the virtual time it was started.
// - Like gh's httpmock registry, the test fails when a request matches
//   nothing (unless `answer_unmatched` says what to answer: such requests are
//   then listed in unmatched()), and at destruction when a scripted response
//   was never used (unless `allow_unused()` was called: say why where you do).
// - Several clients can share one fake through SharedFakeTransport.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
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

inline http::Response json_response(long status, std::string body) {
  return response(status, std::move(body), {{"content-type", "application/json"}});
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
    if (std::uncaught_exceptions() > 0 || allow_unused_) return;
    for (const auto& [key, stubs] : by_url_) {
      for (size_t i = 0; i < stubs.size(); ++i) {
        FAIL_CHECK("scripted response for " << key << " was never requested");
      }
    }
    for (size_t i = 0; i < in_order_.size(); ++i) FAIL_CHECK("scripted response #" << i + 1 << " in sequence was never requested");
  }

  FakeTransport(const FakeTransport&) = delete;
  FakeTransport& operator=(const FakeTransport&) = delete;

  // Answers the next request for exactly METHOD URL (query included), or
  // METHOD /path?query on any host.
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

  // Answers every request for METHOD target that no `on` stub is left for;
  // a later `serve` for the same target replaces the handler.
  FakeTransport& serve(const std::string& method, const std::string& target, Responder handler) {
    routes_[method + " " + target] = std::move(handler);
    return *this;
  }

  // Answers every request not matched above; latency may depend on the request.
  void respond_with(Responder responder,
                    std::function<std::chrono::milliseconds(const http::Request&)> latency = {}) {
    fallback_ = std::move(responder);
    fallback_latency_ = std::move(latency);
  }

  // A request that matches nothing gets `outcome` and is listed in
  // unmatched(), instead of failing the test: for tests that assert on the
  // list, or that see how a command takes a server's "no such thing".
  void answer_unmatched(http::Outcome outcome) { unmatched_answer_ = std::move(outcome); }

  // Opt-out of the destructor's check that every scripted response was used.
  void allow_unused() { allow_unused_ = true; }

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
  // The recorded requests for METHOD target (a URL, or a path on any host).
  std::vector<const http::Request*> requests_to(const std::string& method, const std::string& target) const {
    std::vector<const http::Request*> out;
    for (const auto& r : recorded_)
      if (r.request.method == method && (r.request.url == target || path_of(r.request.url) == target))
        out.push_back(&r.request);
    return out;
  }
  // "METHOD URL" of the requests answered by answer_unmatched.
  const std::vector<std::string>& unmatched() const { return unmatched_; }
  // Scripted responses (`on` and `next`) not used yet.
  size_t unused() const {
    size_t n = in_order_.size();
    for (const auto& [key, stubs] : by_url_) n += stubs.size();
    return n;
  }
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

  // "/path?query" of an absolute URL ("/" when it has no path).
  static std::string path_of(const std::string& url) {
    const auto scheme_end = url.find("://");
    const auto path_start = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    return path_start == std::string::npos ? "/" : url.substr(path_start);
  }

  Stub take_stub(const http::Request& req) {
    const std::string keys[] = {req.method + " " + req.url, req.method + " " + path_of(req.url)};
    for (const auto& key : keys) {
      if (auto it = by_url_.find(key); it != by_url_.end()) {
        Stub s = std::move(it->second.front());
        it->second.pop_front();
        if (it->second.empty()) by_url_.erase(it);
        return s;
      }
    }
    for (const auto& key : keys) {
      if (auto it = routes_.find(key); it != routes_.end()) return Stub{it->second, 0ms};
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
    if (unmatched_answer_) {
      unmatched_.push_back(req.method + " " + req.url);
      return Stub{[o = *unmatched_answer_](const http::Request&) { return o; }, 0ms};
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
  std::map<std::string, Responder> routes_;
  Responder fallback_;
  std::function<std::chrono::milliseconds(const http::Request&)> fallback_latency_;
  std::vector<Recorded> recorded_;
  std::vector<std::string> completed_urls_;
  int max_seen_in_flight_ = 0;
  std::optional<http::Outcome> unmatched_answer_;
  std::vector<std::string> unmatched_;
  bool allow_unused_ = false;
};

// A Transport for one client on a fake that several clients share (a
// command may build more than one); the fake outlives them all.
class SharedFakeTransport final : public http::Transport {
 public:
  explicit SharedFakeTransport(std::shared_ptr<FakeTransport> fake) : fake_(std::move(fake)) {}
  void submit(http::Request req, Clock::time_point not_before, http::Completion done) override {
    fake_->submit(std::move(req), not_before, std::move(done));
  }
  void run() override { fake_->run(); }
  Clock::time_point now() const override { return fake_->now(); }

 private:
  std::shared_ptr<FakeTransport> fake_;
};

}  // namespace daoctl::test
