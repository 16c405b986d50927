#include <fmt/format.h>
#include <httplib.h>

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "sim/faults.hpp"
#include "sim/http_reply.hpp"
#include "sim/routes.hpp"
#include "sim/sim.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/store.hpp"
#include "sim/text.hpp"

#ifndef DAOCTL_VERSION
#define DAOCTL_VERSION "0.0.0"
#endif

namespace daoctl::sim {

namespace {

// cpp-httplib 0.11 listens with a backlog of 5 (a compile-time constant of
// the Debian library), so a client opening 16 connections at once loses
// SYNs and waits a second for the retransmission. Linux lets listen() be
// called again on a listening socket to change its backlog: find ours by its
// port among this process's sockets and widen it.
void widen_listen_backlog(int port) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent* e = ::readdir(dir)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2) continue;
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_storage addr{};
    socklen_t alen = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    int bound = addr.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port)
                : addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                             : -1;
    if (bound == port) ::listen(fd, 1024);
  }
  ::closedir(dir);
}

}  // namespace

using nlohmann::json;

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<Store> store;
  std::unique_ptr<httplib::Server> http;
  std::unique_ptr<RouteTable> routes;
  std::unique_ptr<FaultInjector> faults;
  std::unique_ptr<ContractCheck> contract;
  std::thread serving;
  int port = 0;
  bool running = false;

  httplib::Server::HandlerResponse before_routing(const httplib::Request& req, httplib::Response& res);
  // Faults and auth; true when it answered the request itself.
  bool check_request(const httplib::Request& req, httplib::Response& res);
  void install();
};

namespace {
constexpr const char* kHealthPath = "/api/v1/health";

bool authorized(const httplib::Request& req, const std::string& token) {
  auto header = req.get_header_value("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() <= scheme.size()) return false;
  if (utf8_lower(header.substr(0, scheme.size())) != "bearer ") return false;
  return secret_equals(std::string_view(header).substr(scheme.size()), token);
}
}  // namespace

httplib::Server::HandlerResponse Server::Impl::before_routing(const httplib::Request& req,
                                                              httplib::Response& res) {
  using R = httplib::Server::HandlerResponse;
  if (req.path == kHealthPath) return R::Unhandled;
  // Requests with a body are checked by the route's gate once it is read.
  if (request_has_body(req)) return R::Unhandled;
  return check_request(req, res) ? R::Handled : R::Unhandled;
}

bool Server::Impl::check_request(const httplib::Request& req, httplib::Response& res) {
  // Latency is served here, before any handler takes the store's lock, so
  // concurrent clients overlap their waits.
  if (faults->options().latency_ms > 0) std::this_thread::sleep_for(faults->latency());
  auto fate = faults->decide();
  switch (fate.action) {
    case FaultAction::None:
      break;
    case FaultAction::Reset:
      if (reset_connection(req)) return true;
      // The socket was not found (should not happen): fail loudly instead.
      send_error(req, res, 500, "injected connection reset could not find the socket");
      return true;
    case FaultAction::RateLimited:
      res.set_header("Retry-After", std::to_string(fate.retry_after_seconds));
      if (faults->options().rate_limit_headers) {
        res.set_header("RateLimit-Remaining", "0");
        res.set_header("RateLimit-Reset", std::to_string(fate.retry_after_seconds));
      }
      send_error(req, res, 429,
                 fmt::format("rate limit of {} requests per second exceeded; retry after {} s",
                             faults->options().rate_limit, fate.retry_after_seconds));
      return true;
    case FaultAction::Fail500:
    case FaultAction::Fail503: {
      int status = fate.action == FaultAction::Fail500 ? 500 : 503;
      res.set_header("Retry-After", std::to_string(fate.retry_after_seconds));
      send_error(req, res, status,
                 fmt::format("injected failure (--fail-rate {}) for {} {}", faults->options().fail_rate,
                             req.method, req.path));
      return true;
    }
  }
  if (!authorized(req, options.admin_token)) {
    send_error(req, res, 401,
               req.has_header("Authorization")
                   ? "the bearer token is not valid for this platform"
                   : "authentication required: send Authorization: Bearer <token>");
    return true;
  }
  return false;
}

namespace {
// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT", always in the C locale.
std::string http_date_now() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
}  // namespace

void Server::Impl::install() {
  http->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // RFC 9110 section 6.6.1: an origin server with a clock sends Date (doctor
    // reads the clock skew from it).
    res.set_header("Date", http_date_now());
    return before_routing(req, res);
  });
  http->set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const auto& f = faults->options();
    if (f.rate_limit > 0 && f.rate_limit_headers) {
      // draft-ietf-httpapi-ratelimit-headers (the -06 fields): the quota per window.
      const auto limit = std::to_string(static_cast<long long>(f.rate_limit));
      res.set_header("RateLimit-Policy", limit + ";w=1");
      res.set_header("RateLimit-Limit", limit);
      if (!res.has_header("RateLimit-Remaining")) {
        res.set_header("RateLimit-Remaining", std::to_string(faults->remaining_tokens()));
        res.set_header("RateLimit-Reset", "1");
      }
    }
    bool empty = false;
    if (req.method == "GET" && res.status == 200 && res.body.size() > 2 && res.body.front() == '{' &&
        (res.body.find("\"Resources\"") != std::string::npos || res.body.find("\"items\"") != std::string::npos) &&
        faults->page_fault(empty)) {
      auto type = res.get_header_value("Content-Type");
      if (drop_page_items(res.body, empty)) {
        res.set_content(res.body, type.c_str());
        // The route announced the original length already.
        res.headers.erase("Content-Length");
        res.set_header("Content-Length", std::to_string(res.body.size()));
        fmt::print(stderr, "daoctl-sim: injected {} page: {} {}\n", empty ? "an empty" : "a short", req.method,
                   req.path);
      }
    }
  });
  http->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                  httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    if (!res.body.empty()) return R::Unhandled;
    if (res.status == 404) {
      send_error(req, res, 404, fmt::format("no such resource: {} {}", req.method, req.path));
      return R::Handled;
    }
    send_error(req, res, res.status, fmt::format("{} {} failed with status {}", req.method, req.path, res.status));
    return R::Handled;
  }));
  http->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    fmt::print(stderr, "daoctl-sim: error: {} {}: {}\n", req.method, req.path, what);
    send_error(req, res, 500, fmt::format("internal error while serving {} {}", req.method, req.path));
  });
  if (options.log_requests) {
    // Method, path and status only: headers (Authorization) are never logged.
    http->set_logger([](const httplib::Request& req, const httplib::Response& res) {
      fmt::print(stderr, "daoctl-sim: {} {} {} -> {} ({} bytes)\n", req.remote_addr, req.method, req.path,
                 res.status, res.body.size());
    });
  }
  http->Get(kHealthPath, [](const httplib::Request&, httplib::Response& res) {
    send_body(res, 200,
              json{{"status", "ok"}, {"version", DAOCTL_VERSION}, {"api_version", "1"}, {"time", rfc3339_now()}}
                  .dump(),
              kJson);
  });
  routes = std::make_unique<RouteTable>(*http, *store);
  contract = std::make_unique<ContractCheck>(options.check_responses || response_checks_from_environment());
  routes->set_contract_check(contract.get());
  routes->set_gate([this](const httplib::Request& req, httplib::Response& res) { return check_request(req, res); });
  add_scim_routes(*routes, *store);
  add_native_routes(*routes, *store);
  add_settings_routes(*routes, *store);
  add_stats_routes(*routes, *store);
  add_transfer_routes(*routes, *store);
  add_backup_routes(*routes, *store);
  add_content_routes(*routes, *store);
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Server::~Server() { stop(); }

Status Server::start() {
  auto& o = impl_->options;
  if (impl_->running) return {};
  if (o.admin_token.empty())
    return fail(ErrorKind::Config, "cannot start daoctl-sim", "admin token",
                "no admin token: set DAOCTL_SIM_TOKEN or pass --token-file");
  try {
    impl_->store = std::make_unique<Store>(o.data_dir);
  } catch (const std::exception& e) {
    return fail(ErrorKind::Io, "cannot open the data directory", o.data_dir.string(), e.what());
  }
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty())
      return fail(ErrorKind::Config, "cannot serve HTTPS", "--tls-cert/--tls-key",
                  "both --tls-cert and --tls-key are needed");
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), o.tls_key_file.c_str());
    if (!ssl->is_valid())
      return fail(ErrorKind::Config, "cannot serve HTTPS", o.tls_cert_file,
                  fmt::format("certificate {} or key {} cannot be loaded (PEM expected, key must match)",
                              o.tls_cert_file, o.tls_key_file));
    impl_->http = std::move(ssl);
  } else {
    impl_->http = std::make_unique<httplib::Server>();
  }
  auto& http = *impl_->http;
  std::size_t threads = static_cast<std::size_t>(std::max(o.threads, 1));
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_keep_alive_max_count(10000);
  // Bounds how long stop() waits for an idle keep-alive connection.
  http.set_keep_alive_timeout(2);
  http.set_payload_max_length(64u << 20);
  // Without TCP_NODELAY every response on a kept-alive connection waits
  // ~40 ms for the client's delayed ACK (Nagle), which dominates a sync.
  http.set_tcp_nodelay(true);
  impl_->faults = std::make_unique<FaultInjector>(o.faults);
  impl_->install();
  // A client that disappears mid-response must not kill the server.
  std::signal(SIGPIPE, SIG_IGN);
  errno = 0;
  int port = o.port == 0 ? http.bind_to_any_port(o.host) : (http.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port <= 0) {
    int err = errno;
    impl_->http.reset();
    impl_->store.reset();
    return fail(ErrorKind::Network, "cannot listen", fmt::format("{}:{}", o.host, o.port),
                err ? std::strerror(err) : "bind failed", "pick another --listen port or stop the other server");
  }
  widen_listen_backlog(port);
  impl_->port = port;
  impl_->running = true;
  impl_->serving = std::thread([this] { impl_->http->listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop runs; waiting here
  // makes start()+stop() safe however quickly they follow each other.
  for (int i = 0; i < 5000 && !impl_->http->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return {};
}

int Server::port() const { return impl_->port; }

std::string Server::base_url() const {
  bool tls = !impl_->options.tls_cert_file.empty();
  auto host = impl_->options.host.find(':') != std::string::npos ? "[" + impl_->options.host + "]"
                                                                  : impl_->options.host;
  return fmt::format("{}://{}:{}", tls ? "https" : "http", host, impl_->port);
}

void Server::stop() {
  if (!impl_ || !impl_->running) return;
  impl_->http->stop();
  if (impl_->serving.joinable()) impl_->serving.join();
  impl_->routes.reset();
  impl_->http.reset();
  impl_->store.reset();
  impl_->running = false;
}

Store& Server::store() { return *impl_->store; }

}  // namespace daoctl::sim
