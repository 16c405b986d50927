// A Transport that answers from a table of stubs and records every request,
// so a command's run function can be tested without a network. A request with
// no stub answers 599 and is recorded in `unmatched`; tests assert it empty.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/platform/http.hpp"

namespace daoctl::testing {

class RecordedTransport final : public http::Transport {
 public:
  struct Shared {
    // "GET /scim/v2/Users/1" (path and query, no host) -> responses in order;
    // the last one repeats.
    std::map<std::string, std::deque<http::Response>> stubs;
    std::vector<http::Request> requests;
    std::vector<std::string> unmatched;
  };

  explicit RecordedTransport(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  void submit(http::Request req, http::Clock::time_point, http::Completion done) override {
    queue_.push_back({std::move(req), std::move(done)});
  }

  void run() override {
    while (!queue_.empty()) {
      auto [req, done] = std::move(queue_.front());
      queue_.pop_front();
      const auto scheme_end = req.url.find("://");
      const auto path_start = req.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
      const std::string key =
          req.method + " " + (path_start == std::string::npos ? "/" : req.url.substr(path_start));
      shared_->requests.push_back(req);
      http::Outcome outcome;
      auto it = shared_->stubs.find(key);
      if (it == shared_->stubs.end() || it->second.empty()) {
        shared_->unmatched.push_back(key);
        http::Response r;
        r.status = 599;
        outcome.response = r;
      } else {
        outcome.response = it->second.front();
        if (it->second.size() > 1) it->second.pop_front();
      }
      done(std::move(outcome));
    }
  }

  http::Clock::time_point now() const override { return http::Clock::now(); }

 private:
  std::shared_ptr<Shared> shared_;
  std::deque<std::pair<http::Request, http::Completion>> queue_;
};

inline http::Response json_response(long status, const std::string& body) {
  http::Response r;
  r.status = status;
  r.body = body;
  r.headers.emplace("content-type", "application/json");
  return r;
}

}  // namespace daoctl::testing
