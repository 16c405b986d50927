// A scripted http::Transport for the HR HTTP source: replies are queued per
// URL, time is virtual (a retry's not_before moves the clock), every request
// is recorded, and a request nobody scripted is answered 599 and recorded so
// the test can fail on it.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "connectors/platform/http.hpp"

namespace daoctl::hr::test {

class FakeHttpTransport : public http::Transport {
 public:
  struct Reply {
    long status = 200;
    std::string body;
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::optional<http::TransportError> error;         // set: no response at all
  };

  void script(const std::string& url, Reply reply) { replies_[url].push_back(std::move(reply)); }

  void submit(http::Request req, http::Clock::time_point not_before,
              http::Completion done) override {
    pending_.push_back({std::move(req), not_before, std::move(done)});
  }

  void run() override {
    while (!pending_.empty()) {
      auto it = std::min_element(pending_.begin(), pending_.end(),
                                 [](const Pending& a, const Pending& b) {
                                   return a.not_before < b.not_before;
                                 });
      Pending p = std::move(*it);
      pending_.erase(it);
      now_ = std::max(now_, p.not_before);
      requests.push_back(p.request);
      http::Outcome outcome;
      auto queue = replies_.find(p.request.url);
      if (queue == replies_.end() || queue->second.empty()) {
        unexpected.push_back(p.request.url);
        outcome.response = http::Response{599, {}, "unscripted request", {}};
      } else {
        Reply r = std::move(queue->second.front());
        queue->second.pop_front();
        if (r.error) {
          outcome.error = r.error;
        } else {
          outcome.response = http::Response{r.status, std::move(r.headers), std::move(r.body), {}};
        }
      }
      p.done(std::move(outcome));
    }
  }

  http::Clock::time_point now() const override { return now_; }

  // Seconds of virtual time since the start.
  long long elapsed_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now_ - start_).count();
  }

  // Scripted replies nobody asked for.
  size_t unused_replies() const {
    size_t n = 0;
    for (const auto& [url, q] : replies_) n += q.size();
    return n;
  }

  std::vector<http::Request> requests;
  std::vector<std::string> unexpected;

 private:
  struct Pending {
    http::Request request;
    http::Clock::time_point not_before;
    http::Completion done;
  };
  std::map<std::string, std::deque<Reply>> replies_;
  std::vector<Pending> pending_;
  http::Clock::time_point start_{std::chrono::hours(1000)};
  http::Clock::time_point now_{start_};
};

}  // namespace daoctl::hr::test
