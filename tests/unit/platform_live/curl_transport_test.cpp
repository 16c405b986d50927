// The libcurl transport against a real HTTP server (cpp-httplib, in-process,
// on a loopback port chosen by the kernel): keep-alive, concurrency,
// timeouts, connect errors, streaming, headers and trace redaction.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "connectors/platform/client.hpp"

namespace daoctl::test {
namespace {

using namespace std::chrono_literals;
using platform::json;
using Code = http::TransportError::Code;

constexpr const char* kToken = "live-s3cret-token";

// An httplib server on 127.0.0.1:<ephemeral>, stopped and joined on scope exit.
class LiveServer {
 public:
  LiveServer() {
    // Keep-alive connections each hold a worker, so give room for max_in_flight and more.
    server_.new_task_queue = [] { return new httplib::ThreadPool(24); };
    server_.set_keep_alive_max_count(100000);
    server_.set_read_timeout(5, 0);
  }
  ~LiveServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  LiveServer(const LiveServer&) = delete;
  LiveServer& operator=(const LiveServer&) = delete;

  httplib::Server& routes() { return server_; }

  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Remote ports seen by handlers that called note_connection: one per TCP connection.
  void note_connection(const httplib::Request& req) {
    std::lock_guard lock(mutex_);
    client_ports_.insert(req.remote_port);
  }
  size_t connections() const {
    std::lock_guard lock(mutex_);
    return client_ports_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::set<int> client_ports_;
};

platform::ClientOptions client_options(const std::string& base) {
  platform::ClientOptions o;
  o.base_url = base;
  o.token = kToken;
  o.jitter_seed = 1;
  o.retry.base_delay = 10ms;
  return o;
}

TEST_CASE("fifty sequential requests reuse one keep-alive connection", "[platform_live]") {
  LiveServer server;
  server.routes().Get("/api/v1/health", [&](const httplib::Request& req, httplib::Response& res) {
    server.note_connection(req);
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  server.start();
  platform::PlatformClient client(platform::make_curl_transport({}), client_options(server.base()));
  for (int i = 0; i < 50; ++i) {
    auto body = client.get_json("/api/v1/health", "health");
    REQUIRE(body.has_value());
    CHECK((*body)["status"] == "ok");
  }
  CHECK(server.connections() == 1);
  CHECK(client.stats().requests == 50);
}

TEST_CASE("eight transfers in flight: 16 requests of 100 ms take about 200 ms", "[platform_live]") {
  LiveServer server;
  std::atomic<int> concurrent{0};
  std::atomic<int> peak{0};
  server.routes().Get(R"(/slow/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    server.note_connection(req);
    int now_running = ++concurrent;
    int seen = peak.load();
    while (now_running > seen && !peak.compare_exchange_weak(seen, now_running)) {
    }
    std::this_thread::sleep_for(100ms);
    --concurrent;
    res.set_content(R"({"n":)" + std::string(req.matches[1]) + "}", "application/json");
  });
  server.start();
  http::TransportOptions transport;
  transport.max_in_flight = 8;
  platform::PlatformClient client(platform::make_curl_transport(transport), client_options(server.base()));

  // cpp-httplib 0.11 listens with a backlog of 5, so of 8 simultaneous new
  // connections some SYNs are dropped and retried a second later. Open the
  // 8 connections first; the measured batch then runs on kept-alive ones.
  std::vector<platform::Call> warm_up;
  for (int i = 0; i < 8; ++i) warm_up.push_back({client.make_request("GET", "/slow/0", ""), [](Result<http::Response>) {}});
  client.send_all(std::move(warm_up));
  peak = 0;

  std::vector<platform::Call> calls;
  int ok = 0;
  for (int i = 0; i < 16; ++i) {
    calls.push_back({client.make_request("GET", "/slow/" + std::to_string(i), ""),
                     [&](Result<http::Response> r) { ok += r && r->status == 200 ? 1 : 0; }});
  }
  const auto started = std::chrono::steady_clock::now();
  client.send_all(std::move(calls));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(ok == 16);
  CHECK(took >= 200ms);
  CHECK(took < 800ms);  // sequential would be 1.6 s
  CHECK(peak.load() == 8);
  CHECK(server.connections() <= 8);
}

TEST_CASE("a request over its timeout is a Timeout, and a Network error from the client", "[platform_live]") {
  LiveServer server;
  server.routes().Get("/api/v1/stuck", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(600ms);
    res.set_content("{}", "application/json");
  });
  server.start();

  auto transport = platform::make_curl_transport({});
  http::Request req;
  req.url = server.base() + "/api/v1/stuck";
  req.timeout = 100ms;
  std::optional<http::Outcome> outcome;
  transport->submit(req, transport->now(), [&](http::Outcome o) { outcome = std::move(o); });
  transport->run();
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->error.has_value());
  CHECK(outcome->error->code == Code::Timeout);

  http::TransportOptions short_timeout;
  short_timeout.request_timeout = 100ms;
  auto options = client_options(server.base());
  options.retry.max_attempts = 2;
  platform::PlatformClient client(platform::make_curl_transport(short_timeout), options);
  auto result = client.send(client.make_request("GET", "/api/v1/stuck", "the stuck endpoint"));
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().kind == ErrorKind::Network);
  CHECK(result.error().message == "GET /api/v1/stuck failed after 2 attempts");
  CHECK_THAT(result.error().detail, Catch::Contains("Timeout"));
}

TEST_CASE("a transfer that goes silent ends at the stall limit, whatever its total timeout", "[platform_live]") {
  LiveServer server;
  std::atomic<bool> release{false};
  const std::string half(64 * 1024, 'x');
  // Announces 128 KiB, sends 64 KiB, then nothing (connection open) until released.
  server.routes().Get("/download", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(2 * half.size(), "application/octet-stream",
                             [&](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset == 0) return sink.write(half.data(), half.size());
                               for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(10ms);
                               return false;
                             });
  });
  server.start();

  http::TransportOptions options;
  options.stall_timeout = 0ms;  // the request's own limit decides
  auto transport = platform::make_curl_transport(options);
  http::Request req;
  req.url = server.base() + "/download";
  req.timeout = std::chrono::hours(12);
  req.stall_timeout = 1s;
  size_t received = 0;
  req.sink = [&](const char*, size_t len) {
    received += len;
    return true;
  };
  std::optional<http::Outcome> outcome;
  const auto started = std::chrono::steady_clock::now();
  transport->submit(req, transport->now(), [&](http::Outcome o) { outcome = std::move(o); });
  transport->run();
  const auto took = std::chrono::steady_clock::now() - started;
  release = true;
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->error.has_value());
  CHECK(outcome->error->code == Code::Timeout);
  CHECK_THAT(outcome->error->message, Catch::Contains("the transfer stalled: no byte for 1 s"));
  CHECK(received == half.size());
  CHECK(took >= 900ms);
  CHECK(took < 4s);
}

TEST_CASE("a refused connection is a Connect error", "[platform_live]") {
  // A port the kernel just handed out and that was closed again: nothing
  // listens there, so the connect is refused at once.
  int port = 0;
  {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
    ::close(fd);
  }
  auto transport = platform::make_curl_transport({});
  http::Request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/api/v1/health";
  std::optional<http::Outcome> outcome;
  transport->submit(req, transport->now(), [&](http::Outcome o) { outcome = std::move(o); });
  transport->run();
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->error.has_value());
  CHECK(outcome->error->code == Code::Connect);
}

TEST_CASE("bodies, methods and headers go out and come back intact", "[platform_live]") {
  LiveServer server;
  auto echo = [](const httplib::Request& req, httplib::Response& res) {
    json seen = {{"method", req.method},
                 {"body", req.body},
                 {"content_type", req.get_header_value("Content-Type")},
                 {"accept_encoding", req.get_header_value("Accept-Encoding")},
                 {"user_agent", req.get_header_value("User-Agent")},
                 {"authorization", req.get_header_value("Authorization")},
                 {"idempotency_key", req.get_header_value("Idempotency-Key")}};
    res.set_header("X-Request-Id", "r-17");
    res.set_content(seen.dump(), "application/json");
  };
  server.routes().Patch("/api/v1/departments/3", echo);
  server.routes().Put("/api/v1/settings/branding", echo);
  server.routes().Delete("/api/v1/users/5/sessions", echo);
  server.start();
  http::TransportOptions transport;
  transport.user_agent = "daoctl/9.9.9";
  platform::PlatformClient client(platform::make_curl_transport(transport), client_options(server.base()));

  auto patch = client.send(client.make_request("PATCH", "/api/v1/departments/3", "department 3",
                                               json{{"name", "Отдел ИТ"}}));
  REQUIRE(patch.has_value());
  CHECK(patch->header("X-REQUEST-ID") == "r-17");
  CHECK(patch->headers.count("x-request-id") == 1);
  const json seen = json::parse(patch->body);
  CHECK(seen["method"] == "PATCH");
  CHECK(seen["body"] == R"({"name":"Отдел ИТ"})");
  CHECK(seen["content_type"] == "application/json");
  // The live server is on loopback, where the transport does not ask for gzip.
  CHECK(seen["accept_encoding"].get<std::string>().empty());
  CHECK(seen["user_agent"] == "daoctl/9.9.9");
  CHECK(seen["authorization"] == std::string("Bearer ") + kToken);
  CHECK(seen["idempotency_key"].get<std::string>().size() == 36);

  auto put = client.send_json("PUT", "/api/v1/settings/branding", "branding", json{{"css", ""}});
  REQUIRE(put.has_value());
  CHECK((*put)["method"] == "PUT");
  CHECK((*put)["body"] == R"({"css":""})");

  auto del = client.send_json("DELETE", "/api/v1/users/5/sessions", "sessions of user 5");
  REQUIRE(del.has_value());
  CHECK((*del)["method"] == "DELETE");
  CHECK((*del)["body"] == "");
}

TEST_CASE("a sink receives a 2xx body, an error body stays in the response", "[platform_live]") {
  LiveServer server;
  const std::string big(3 << 20, 'b');
  server.routes().Get("/api/v1/backups/1/download", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(big, "application/octet-stream");
  });
  server.routes().Get("/api/v1/backups/2/download", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"title":"Not Found","status":404,"detail":"backup 2 does not exist"})",
                    "application/problem+json");
  });
  server.start();
  platform::PlatformClient client(platform::make_curl_transport({}), client_options(server.base()));

  size_t received = 0;
  auto req = client.make_request("GET", "/api/v1/backups/1/download", "backup 1");
  req.sink = [&](const char*, size_t len) {
    received += len;
    return true;
  };
  auto ok = client.send(req);
  REQUIRE(ok.has_value());
  CHECK(received == big.size());
  CHECK(ok->body.empty());

  auto missing_req = client.make_request("GET", "/api/v1/backups/2/download", "backup 2");
  missing_req.sink = [](const char*, size_t) { return true; };
  auto missing = client.send(missing_req);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().detail == "backup 2 does not exist");

  auto aborted_req = client.make_request("GET", "/api/v1/backups/1/download", "backup 1");
  aborted_req.sink = [](const char*, size_t) { return false; };
  auto aborted = client.send(aborted_req);
  REQUIRE_FALSE(aborted.has_value());
  CHECK(aborted.error().kind == ErrorKind::Io);
  CHECK(client.stats().requests == 3);  // an aborted download is not retried
}

TEST_CASE("a request waits for its not_before", "[platform_live]") {
  LiveServer server;
  server.routes().Get("/api/v1/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{}", "application/json");
  });
  server.start();
  auto transport = platform::make_curl_transport({});
  http::Request req;
  req.url = server.base() + "/api/v1/health";
  const auto submitted = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point answered;
  transport->submit(req, submitted + 300ms, [&](http::Outcome o) {
    CHECK(o.response.has_value());
    answered = std::chrono::steady_clock::now();
  });
  transport->run();
  CHECK(answered - submitted >= 300ms);
  CHECK(answered - submitted < 1s);
}

TEST_CASE("the trace shows requests and responses with the token redacted", "[platform_live]") {
  LiveServer server;
  server.routes().Get("/scim/v2/Users/42", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Set-Cookie", "sid=very-secret");
    res.set_content(R"({"id":"42"})", "application/scim+json");
  });
  server.start();
  std::vector<std::string> lines;
  http::TransportOptions transport;
  transport.trace = [&](const std::string& line) { lines.push_back(line); };
  platform::PlatformClient client(platform::make_curl_transport(transport), client_options(server.base()));
  REQUIRE(client.get_json("/scim/v2/Users/42", "user 42"));

  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front() == "> GET " + server.base() + "/scim/v2/Users/42 (user 42)");
  CHECK(std::find(lines.begin(), lines.end(), "> Authorization: Bearer ***") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(), "< set-cookie: ***") != lines.end());
  const std::regex status_line(R"(< 200 OK \d+ ms 11 bytes)");
  CHECK(std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return std::regex_match(l, status_line); }));
  for (const auto& line : lines) {
    CAPTURE(line);
    CHECK(line.find(kToken) == std::string::npos);
    CHECK(line.find("very-secret") == std::string::npos);
  }
}

TEST_CASE("a throwing completion leaves the transport usable", "[platform_live]") {
  LiveServer server;
  server.routes().Get("/api/v1/health", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(20ms);
    res.set_content("{}", "application/json");
  });
  server.start();
  auto transport = platform::make_curl_transport({});
  http::Request req;
  req.url = server.base() + "/api/v1/health";
  int called = 0;
  for (int i = 0; i < 4; ++i) {
    transport->submit(req, transport->now(), [&](http::Outcome) {
      ++called;
      throw std::runtime_error("stop");
    });
  }
  CHECK_THROWS_AS(transport->run(), std::runtime_error);
  CHECK(called == 1);
  std::optional<http::Outcome> after;
  transport->submit(req, transport->now(), [&](http::Outcome o) { after = std::move(o); });
  transport->run();
  REQUIRE(after.has_value());
  CHECK(after->response.has_value());
}

}  // namespace
}  // namespace daoctl::test
