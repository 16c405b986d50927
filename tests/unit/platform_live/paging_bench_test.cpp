// Micro-benchmark (hidden; run with: unit_platform_live "[.bench]"): 100 pages
// of 1000 small JSON objects from an in-process server, read by the client
// (cursor paging: sequential; SCIM paging: concurrent) and by the curl
// command line (one process for all URLs, and one process per URL). The
// client also parses every page; curl only writes bytes to /dev/null. Both
// ask for gzip, but pages are served as application/scim+json, which httplib
// does not compress: its gzip costs ~100 ms per 48 KB page here and would
// measure the server, not the client.
#include <httplib.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "connectors/platform/client.hpp"

namespace daoctl::test {
namespace {

using namespace std::chrono_literals;
using platform::json;

constexpr int kPages = 100;
constexpr int kPerPage = 1000;

std::string items_page(int page, bool scim) {
  json items = json::array();
  for (int i = 0; i < kPerPage; ++i) {
    const int id = page * kPerPage + i + 1;
    items.push_back({{"id", std::to_string(id)}, {"userName", "user" + std::to_string(id)}, {"active", true}});
  }
  if (scim) return json{{"totalResults", kPages * kPerPage}, {"startIndex", page * kPerPage + 1}, {"Resources", items}}.dump();
  return json{{"items", items}, {"next_cursor", page + 1 < kPages ? json(std::to_string(page + 1)) : json(nullptr)}}.dump();
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST_CASE("benchmark: 100 pages of 1000 objects, client vs curl", "[.bench]") {
  std::vector<std::string> native, scim;
  for (int p = 0; p < kPages; ++p) {
    native.push_back(items_page(p, false));
    scim.push_back(items_page(p, true));
  }
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server.set_keep_alive_max_count(100000);
  // Without TCP_NODELAY httplib's header and body writes meet delayed ACKs:
  // ~40 ms per response on keep-alive connections, which would measure Nagle.
  server.set_tcp_nodelay(true);
  server.Get("/api/v1/items", [&](const httplib::Request& req, httplib::Response& res) {
    const int page = req.has_param("cursor") ? std::stoi(req.get_param_value("cursor")) : 0;
    res.set_content(native.at(static_cast<size_t>(page)), "application/scim+json");
  });
  server.Get("/scim/v2/Users", [&](const httplib::Request& req, httplib::Response& res) {
    const int start = std::stoi(req.get_param_value("startIndex"));
    res.set_content(scim.at(static_cast<size_t>((start - 1) / kPerPage)), "application/scim+json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(1ms);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);

  platform::ClientOptions options;
  options.base_url = base;
  options.token = "bench";
  platform::PlatformClient client(platform::make_curl_transport({}), options);

  size_t read = 0;
  auto start = std::chrono::steady_clock::now();
  REQUIRE(client.cursor_list("/api/v1/items", kPerPage, [&](const json& items) { read += items.size(); }));
  const double cursor_s = seconds_since(start);
  CHECK(read == kPages * kPerPage);

  read = 0;
  start = std::chrono::steady_clock::now();
  REQUIRE(client.scim_list("/scim/v2/Users", "", kPerPage, [&](const json& r) { read += r.size(); }));
  const double scim_s = seconds_since(start);
  CHECK(read == kPages * kPerPage);

  std::string urls;
  for (int p = 0; p < kPages; ++p) urls += " '" + base + "/api/v1/items?limit=1000&cursor=" + std::to_string(p) + "'";
  start = std::chrono::steady_clock::now();
  REQUIRE(std::system(("curl -sf --compressed" + urls + " > /dev/null").c_str()) == 0);
  const double curl_one_s = seconds_since(start);

  start = std::chrono::steady_clock::now();
  for (int p = 0; p < kPages; ++p) {
    const std::string cmd = "curl -sf --compressed '" + base + "/api/v1/items?limit=1000&cursor=" + std::to_string(p) + "' > /dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  const double curl_each_s = seconds_since(start);

  std::printf("100 pages x 1000 objects (%zu bytes/page):\n", native[0].size());
  std::printf("  client cursor_list (sequential, parsed)   %.3f s\n", cursor_s);
  std::printf("  client scim_list (8 in flight, parsed)    %.3f s\n", scim_s);
  std::printf("  curl, one process for 100 URLs            %.3f s  (client/curl %.2f)\n", curl_one_s, cursor_s / curl_one_s);
  std::printf("  curl, one process per URL                 %.3f s  (client/curl %.2f)\n", curl_each_s, cursor_s / curl_each_s);
  server.stop();
  thread.join();
}

}  // namespace
}  // namespace daoctl::test
