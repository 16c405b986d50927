// Every paged read checks that its pages add up (issue 17): the table of
// every paged endpoint daoctl reads, each driven through the helper its
// readers use against a server that loses the items of one page, and the
// same table as docs/PAGING.md (checked for drift).
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "client_harness.hpp"
#include "connectors/platform/paging.hpp"

namespace daoctl::test {
namespace {

long long query_number(const std::string& url, const std::string& name) {
  auto pos = url.find(name + "=");
  if (pos == std::string::npos) return -1;
  return std::stoll(url.substr(pos + name.size() + 1));
}

std::string query_text(const std::string& url, const std::string& name) {
  auto pos = url.find(name + "=");
  if (pos == std::string::npos) return {};
  auto start = pos + name.size() + 1;
  return url.substr(start, url.find('&', start) - start);
}

// How a fault changes one page's items: keep them all, none, or the first half.
enum class Damage { None, Empty, Half };

std::size_t kept(std::size_t n, Damage d) { return d == Damage::None ? n : d == Damage::Empty ? 0 : n / 2; }

// A SCIM collection of ids 1..total, pages clamped to max_count; the page
// starting at damaged_start loses items (totalResults stays).
FakeTransport::Responder scim_server(long long total, long long damaged_start, Damage damage,
                                     long long max_count = 1000) {
  return [=](const http::Request& req) {
    const long long start = std::max(1LL, query_number(req.url, "startIndex"));
    const long long count = std::min(query_number(req.url, "count"), max_count);
    json resources = json::array();
    for (long long id = start; id < start + count && id <= total; ++id) resources.push_back({{"id", std::to_string(id)}});
    if (start == damaged_start) resources.erase(resources.begin() + static_cast<long>(kept(resources.size(), damage)), resources.end());
    json page = {{"totalResults", total}, {"startIndex", start}, {"itemsPerPage", resources.size()}, {"Resources", resources}};
    return answer(response(200, page.dump(), {{"Content-Type", "application/scim+json"}}));
  };
}

// A native keyset collection of ids 1..total (limit clamped to max_limit,
// fetched with limit+1 like daoctl-sim); page number damaged_page loses
// items but keeps its next_cursor.
FakeTransport::Responder cursor_server(long long total, long long damaged_page, Damage damage,
                                       long long max_limit = 1000) {
  return [=](const http::Request& req) {
    const long long limit = std::min(query_number(req.url, "limit"), max_limit);
    const std::string cursor = query_text(req.url, "cursor");
    const long long after = cursor.empty() ? 0 : std::stoll(cursor.substr(5));  // "after<id>"
    json items = json::array();
    for (long long id = after + 1; id <= after + limit && id <= total; ++id) items.push_back({{"id", std::to_string(id)}});
    json next = after + limit < total ? json("after" + std::to_string(after + limit)) : json(nullptr);
    if (after / std::max(1LL, limit) + 1 == damaged_page)
      items.erase(items.begin() + static_cast<long>(kept(items.size(), damage)), items.end());
    return answer(response(200, json{{"items", items}, {"next_cursor", next}}.dump()));
  };
}

enum class Helper { ScimList, ScimListRaw, ScimListResources, CursorList };

struct PagedEndpoint {
  std::string path;     // as in docs/PAGING.md
  Helper helper;        // what its readers call
  std::string readers;  // the commands that read it (documentation)
};

// Every paged endpoint daoctl reads. stats export reads /api/v1/stats/* with
// commands/stats/page_stream (fetch-ahead), which checks each page with the
// same platform::CursorPaging as cursor_list; e2e: paging_faults drives it.
const std::vector<PagedEndpoint>& paged_endpoints() {
  static const std::vector<PagedEndpoint> table = {
      {"/scim/v2/Users", Helper::ScimListResources, "users list -o json"},
      {"/scim/v2/Users", Helper::ScimListRaw, "users list -o table/yaml/csv, sync plan/apply (platform state)"},
      {"/scim/v2/Users", Helper::ScimList, "users get/update by name, import authors, env, api --paginate"},
      {"/scim/v2/Groups", Helper::ScimList, "groups list, groups get by name, sync plan/apply"},
      {"/api/v1/departments", Helper::CursorList, "departments list, sync plan/apply, env"},
      {"/api/v1/posts", Helper::CursorList, "import plan/apply (existing external ids)"},
      {"/api/v1/events", Helper::CursorList, "import plan/apply"},
      {"/api/v1/communities", Helper::CursorList, "import plan/apply, env"},
      {"/api/v1/badges", Helper::CursorList, "env"},
      {"/api/v1/backups", Helper::CursorList, "backup list/prune/run (retention)"},
      {"/api/v1/stats/activity", Helper::CursorList, "stats export (page_stream, CursorPaging)"},
      {"/api/v1/stats/events", Helper::CursorList, "stats export (page_stream, CursorPaging)"},
      {"/api/v1/stats/awards", Helper::CursorList, "stats export awards, stats report (page_stream, CursorPaging)"},
  };
  return table;
}

const char* helper_name(Helper h) {
  switch (h) {
    case Helper::ScimList: return "scim_list";
    case Helper::ScimListRaw: return "scim_list_raw";
    case Helper::ScimListResources: return "scim_list_resources";
    case Helper::CursorList: return "cursor_list";
  }
  return "?";
}

// Reads the whole listing through the helper; returns its status and the
// number of items handed to the caller.
std::pair<Status, long long> read_all(ClientHarness& h, const PagedEndpoint& e, int page_size) {
  long long items = 0;
  Status st;
  switch (e.helper) {
    case Helper::ScimList:
      st = h.client.scim_list(e.path, "", page_size, [&](const json& r) { items += static_cast<long long>(r.size()); });
      break;
    case Helper::ScimListRaw:
      st = h.client.scim_list_raw(e.path, "", page_size, [&](std::string& body) -> Status {
        items += static_cast<long long>(json::parse(body)["Resources"].size());
        return {};
      });
      break;
    case Helper::ScimListResources:
      st = h.client.scim_list_resources(e.path, "", page_size,
                                        [&](std::string_view, std::span<const std::string_view> resources) -> Status {
                                          items += static_cast<long long>(resources.size());
                                          return {};
                                        });
      break;
    case Helper::CursorList:
      st = h.client.cursor_list(e.path, page_size, [&](const json& r) { items += static_cast<long long>(r.size()); });
      break;
  }
  return {st, items};
}

TEST_CASE("every paged endpoint reads all its pages, and fails on an empty or short page", "[platform][paging]") {
  for (const auto& e : paged_endpoints()) {
    const bool scim = e.helper != Helper::CursorList;
    for (Damage damage : {Damage::None, Damage::Empty, Damage::Half}) {
      CAPTURE(e.path, helper_name(e.helper), static_cast<int>(damage));
      ClientHarness h;
      // 2,500 items in pages of 1000: the second page is damaged.
      h.fake->respond_with(scim ? scim_server(2500, 1001, damage) : cursor_server(2500, 2, damage));
      auto [st, items] = read_all(h, e, 1000);
      if (damage == Damage::None) {
        REQUIRE(st.has_value());
        CHECK(items == 2500);
        continue;
      }
      REQUIRE_FALSE(st.has_value());
      CHECK(st.error().kind == ErrorKind::Remote);
      CHECK(st.error().object == "page 2 of " + e.path);
      CHECK(st.error().message == "short page in the listing of " + e.path);
      const std::string got = damage == Damage::Empty ? "returned 0 " : "returned 500 ";
      CHECK_THAT(st.error().detail, Catch::Contains(got));
      if (scim) {
        CHECK_THAT(st.error().detail, Catch::Contains("page 2 (startIndex 1001)"));
        CHECK_THAT(st.error().detail, Catch::Contains("totalResults 2500"));
      } else {
        CHECK_THAT(st.error().detail, Catch::Contains("page 2 (cursor \"after1000\")"));
        CHECK_THAT(st.error().detail, Catch::Contains("1000 items read before it"));
      }
      CHECK(items <= 1000);  // nothing after the damaged page was handed out
    }
  }
}

TEST_CASE("docs/PAGING.md lists every paged endpoint of the test table", "[platform][paging]") {
  std::ifstream in(std::string(DAOCTL_SOURCE_DIR) + "/docs/PAGING.md");
  REQUIRE(in.good());
  std::set<std::string> documented;
  std::string line;
  while (std::getline(in, line)) {
    // Table rows: | `/path` | helper | ...
    if (line.rfind("| `/", 0) != 0) continue;
    auto end = line.find('`', 3);
    documented.insert(line.substr(3, end - 3));
  }
  std::set<std::string> tested;
  for (const auto& e : paged_endpoints()) tested.insert(e.path);
  CHECK(documented == tested);
}

TEST_CASE("scim paging: a changing totalResults is an error, not a skipped or repeated user", "[platform][paging]") {
  ClientHarness h;
  auto full = scim_server(2500, 0, Damage::None);
  h.fake->respond_with([&](const http::Request& req) {
    if (query_number(req.url, "startIndex") == 2001) {
      json page = json::parse(full(req).response->body);
      page["totalResults"] = 2501;  // a user was created meanwhile
      return answer(response(200, page.dump()));
    }
    return full(req);
  });
  auto st = h.client.scim_list("/scim/v2/Users", "", 1000, [](const json&) {});
  REQUIRE_FALSE(st.has_value());
  CHECK(st.error().message == "the listing of /scim/v2/Users changed while it was read");
  CHECK(st.error().detail == "page 3 (startIndex 2001) says totalResults 2501, page 1 said 2500");
}

TEST_CASE("scim paging: an oversized page and an empty first page are errors", "[platform][paging]") {
  SECTION("page 2 holds more than asked") {
    ClientHarness h;
    auto full = scim_server(1500, 0, Damage::None);
    h.fake->respond_with([&](const http::Request& req) {
      if (query_number(req.url, "startIndex") == 1001) {
        json page = json::parse(full(req).response->body);
        page["Resources"].push_back({{"id", "1"}});  // 501 where 500 are left
        return answer(response(200, page.dump()));
      }
      return full(req);
    });
    auto st = h.client.scim_list("/scim/v2/Users", "", 1000, [](const json&) {});
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().message == "oversized page in the listing of /scim/v2/Users");
  }
  SECTION("page 1 empty although totalResults is 3") {
    ClientHarness h;
    h.fake->next(response(200, R"({"totalResults":3,"Resources":[]})"));
    int pages = 0;
    auto st = h.client.scim_list("/scim/v2/Groups", "", 100, [&](const json&) { ++pages; });
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().detail == "page 1 (startIndex 1) returned 0 resources where totalResults is 3");
    CHECK(pages == 0);
  }
  SECTION("a server that clamps count still reads in full") {
    ClientHarness h;
    h.fake->respond_with(scim_server(2500, 0, Damage::None, 300));
    long long n = 0;
    REQUIRE(h.client.scim_list("/scim/v2/Users", "", 1000, [&](const json& r) { n += static_cast<long long>(r.size()); }));
    CHECK(n == 2500);
    CHECK(h.fake->requests().size() == 9);
  }
}

TEST_CASE("cursor paging learns a clamped page size and checks it", "[platform][paging]") {
  SECTION("the server gives 300 for limit=1000: complete") {
    ClientHarness h;
    h.fake->respond_with(cursor_server(1000, 0, Damage::None, 300));
    long long n = 0;
    REQUIRE(h.client.cursor_list("/api/v1/departments", 1000, [&](const json& r) { n += static_cast<long long>(r.size()); }));
    CHECK(n == 1000);
  }
  SECTION("an empty page that names a next cursor") {
    platform::CursorPaging p("/api/v1/jobs", 100);
    REQUIRE(p.check(1, "", 100, std::string("c1")));
    auto st = p.check(2, "c1", 0, std::string("c2"));
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().detail ==
          "page 2 (cursor \"c1\") returned 0 items but names a next cursor; every page but the last is full "
          "(100 items read before it)");
  }
  SECTION("a last page larger than the pages before it") {
    platform::CursorPaging p("/api/v1/jobs", 100);
    REQUIRE(p.check(1, "", 50, std::string("c1")));
    auto st = p.check(2, "c1", 80, std::nullopt);
    REQUIRE_FALSE(st.has_value());
    CHECK_THAT(st.error().detail, Catch::Contains("more than the page size 50"));
  }
  SECTION("more items than the limit") {
    platform::CursorPaging p("/api/v1/jobs", 10);
    auto st = p.check(1, "", 11, std::nullopt);
    REQUIRE_FALSE(st.has_value());
    CHECK(st.error().message == "oversized page in the listing of /api/v1/jobs");
  }
  SECTION("an empty collection and a short last page are fine") {
    platform::CursorPaging p("/api/v1/jobs", 10);
    REQUIRE(p.check(1, "", 0, std::nullopt));
    platform::CursorPaging q("/api/v1/jobs", 10);
    REQUIRE(q.check(1, "", 10, std::string("c")));
    REQUIRE(q.check(2, "c", 3, std::nullopt));
    CHECK(q.items_read() == 13);
  }
}

}  // namespace
}  // namespace daoctl::test
