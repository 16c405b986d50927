#include "sim/faults.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <string>

namespace daoctl::sim {

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

FaultInjector::FaultInjector(const FaultOptions& options)
    : options_(options), tokens_(options.rate_limit), refilled_at_(std::chrono::steady_clock::now()) {}

double FaultInjector::next_uniform() {
  auto bits = splitmix64(options_.seed * 0x2545F4914F6CDD1Dull + counter_++);
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

FaultDecision FaultInjector::decide() {
  std::lock_guard lock(mutex_);
  double reset_draw = next_uniform();
  double fail_draw = next_uniform();
  double kind_draw = next_uniform();
  if (options_.reset_rate > 0 && reset_draw < options_.reset_rate) return {FaultAction::Reset, 0};
  if (options_.rate_limit > 0) {
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
    refilled_at_ = now;
    tokens_ = std::min(options_.rate_limit, tokens_ + elapsed * options_.rate_limit);
    if (tokens_ < 1.0) {
      // Seconds until one token is back, rounded up: what a polite client waits.
      int wait = static_cast<int>(std::ceil((1.0 - tokens_) / options_.rate_limit));
      return {FaultAction::RateLimited, std::max(wait, 1)};
    }
    tokens_ -= 1.0;
  }
  if (options_.fail_rate > 0 && fail_draw < options_.fail_rate)
    return {kind_draw < 0.5 ? FaultAction::Fail500 : FaultAction::Fail503, 1};
  return {};
}

bool FaultInjector::page_fault(bool& empty) {
  if (options_.empty_page <= 0 && options_.short_page <= 0) return false;
  std::lock_guard lock(mutex_);
  ++pages_;
  if (pages_ == options_.empty_page) {
    empty = true;
    return true;
  }
  if (pages_ == options_.short_page) {
    empty = false;
    return true;
  }
  return false;
}

long long FaultInjector::remaining_tokens() {
  std::lock_guard lock(mutex_);
  return static_cast<long long>(std::max(tokens_, 0.0));
}

bool drop_page_items(std::string& body, bool empty) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return false;
  for (const char* key : {"Resources", "items"}) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_array()) continue;
    if (empty) {
      *it = nlohmann::json::array();
    } else {
      auto keep = it->size() / 2;
      it->erase(it->begin() + static_cast<std::ptrdiff_t>(keep), it->end());
    }
    body = doc.dump();
    return true;
  }
  return false;
}

namespace {
bool same_endpoint(const sockaddr_storage& addr, const std::string& ip, int port) {
  char text[INET6_ADDRSTRLEN] = {};
  int actual_port = -1;
  if (addr.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    actual_port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    actual_port = ntohs(in6->sin6_port);
  } else {
    return false;
  }
  return actual_port == port && ip == text;
}
}  // namespace

bool reset_connection(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return false;
  bool done = false;
  while (auto* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage peer{}, local{};
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    if (!same_endpoint(peer, req.remote_addr, req.remote_port) ||
        !same_endpoint(local, req.local_addr, req.local_port))
      continue;
    linger hard{1, 0};
    setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    shutdown(static_cast<int>(fd), SHUT_RDWR);
    done = true;
    break;
  }
  closedir(dir);
  return done;
}

}  // namespace daoctl::sim
