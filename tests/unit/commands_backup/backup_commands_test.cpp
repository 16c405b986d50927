// `backup download` and `backup create --wait` through the whole command path
// (cli::run -> commands/backup -> platform::BackupApi and local/ download)
// against a scripted backup server: routes on the shared FakeTransport that
// serve an archive with Range the way the platform does, and can stall
// mid-body, lie about the sha256, or answer with a wrongly typed field.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.hpp"
#include "commands/common/fake_io.hpp"
#include "connectors/platform/backup_api.hpp"
#include "connectors/platform/http.hpp"
#include "core/backup/manifest.hpp"
#include "tests/unit/common/fake_platform.hpp"

using namespace daoctl;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> header_of(const http::Request& req, const std::string& name) {
  for (const auto& h : req.headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

http::Outcome json_answer(long status, const json& body) {
  return test::answer(test::json_response(status, body.dump()));
}

// Serves `bytes` as the platform does: Range + If-Range honoured (206), the
// body through the request's sink. `stall_after` > 0 cuts the next N
// transfers after that many bytes with a stall (no response, a timeout).
struct Archive {
  std::string bytes;
  std::string listed_sha256;  // what the backup object says
  int stalls_left = 0;
  std::size_t stall_after = 0;
  bool ignore_range = false;  // a server (or proxy) that always sends everything with 200

  http::Outcome serve(const http::Request& req) {
    std::size_t from = 0;
    long status = 200;
    if (auto range = header_of(req, "Range"); range && !ignore_range) {
      REQUIRE(range->rfind("bytes=", 0) == 0);
      from = std::stoull(range->substr(6));
      REQUIRE(header_of(req, "If-Range") == "W/\"" + listed_sha256 + "\"");
      status = 206;
    }
    std::string body = bytes.substr(from);
    http::Outcome o;
    if (stalls_left > 0) {
      --stalls_left;
      std::size_t n = std::min(stall_after, body.size());
      REQUIRE(req.sink);
      req.sink(body.data(), n);
      o.error = http::TransportError{http::TransportError::Code::Timeout,
                                     "Operation too slow: stalled (no byte for 30 s)"};
      return o;
    }
    http::Response r;
    r.status = status;
    if (req.sink)
      req.sink(body.data(), body.size());
    else
      r.body = body;
    o.response = r;
    return o;
  }
};

json backup_object(const std::string& id, const Archive& a) {
  return {{"id", id},           {"created_at", "2026-12-01T02:00:00Z"},
          {"state", "ready"},   {"kind", "manual"},
          {"size", a.bytes.size()}, {"sha256", a.listed_sha256},
          {"include", {"db", "files"}}, {"note", nullptr}};
}

std::string random_bytes(std::size_t n) {
  std::string s(n, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return s;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "daoctl-backup-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()));
    path = tmpl;
    ::setenv("DAOCTL_STATE_DIR", (path / "state").c_str(), 1);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct Harness {
  commands::FakeIo io;
  // A backup server: routes for what a test serves, "Not Found" for the rest.
  std::shared_ptr<test::FakeTransport> server =
      test::fake_platform(test::response(404, R"({"title":"Not Found"})"));
  config::Env env = {{"DAOCTL_URL", "http://platform.test"},
                     {"DAOCTL_TOKEN", "tok-SECRET"},
                     {"XDG_CONFIG_HOME", "/nonexistent"}};

  int run(std::vector<std::string> args) {
    cli::AppDependencies deps;
    deps.io = &io;
    deps.env = env;
    deps.version = "9.9.9";
    deps.client_factory = test::fake_client_factory(server);
    return cli::run(args, std::move(deps));
  }

  void serve_backup(const std::string& id, Archive& a) {
    server->serve("GET", "/api/v1/backups/" + id, [&a, id](const http::Request&) {
      return json_answer(200, backup_object(id, a));
    });
    server->serve("GET", "/api/v1/backups/" + id + "/download", [&a](const http::Request& r) { return a.serve(r); });
  }
};

}  // namespace

TEST_CASE("backup download resumes a partial file with Range and If-Range") {
  TempDir tmp;
  Archive a{random_bytes(3 << 20), "", 0, 0};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  const auto out = tmp.path / "b.tar.zst";
  // A previous run got 1 MiB + 7 bytes of this very archive.
  const std::size_t have = (1 << 20) + 7;
  {
    std::ofstream(out.string() + ".part", std::ios::binary) << a.bytes.substr(0, have);
    std::ofstream(out.string() + ".part.sha256") << a.listed_sha256 << "\n";
  }
  Harness h;
  h.serve_backup("12", a);
  REQUIRE(h.run({"backup", "download", "12", "-O", out.string(), "-o", "json"}) == 0);
  auto downloads = h.server->requests_to("GET", "/api/v1/backups/12/download");
  REQUIRE(downloads.size() == 1);
  CHECK(header_of(*downloads[0], "Range") == "bytes=" + std::to_string(have) + "-");
  CHECK(read_all(out) == a.bytes);
  CHECK(read_all(out.string() + ".sha256") == a.listed_sha256 + "  b.tar.zst\n");
  CHECK_FALSE(fs::exists(out.string() + ".part"));
  CHECK_FALSE(fs::exists(out.string() + ".part.sha256"));
  auto result = json::parse(h.io.out_text());
  CHECK(result["resumed_from"] == have);
  CHECK(result["sha256"] == a.listed_sha256);
  CHECK_THAT(h.io.err_text(), Catch::Contains("resuming the download of backup 12 at byte 1048583 of 3145728"));
}

TEST_CASE("backup download: a partial file of another archive is not resumed") {
  TempDir tmp;
  Archive a{random_bytes(200'000), "", 0, 0};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  const auto out = tmp.path / "b.tar.zst";
  {
    std::ofstream(out.string() + ".part", std::ios::binary) << std::string(50'000, 'x');
    std::ofstream(out.string() + ".part.sha256") << std::string(64, 'a') << "\n";
  }
  Harness h;
  h.serve_backup("12", a);
  REQUIRE(h.run({"backup", "download", "12", "-O", out.string()}) == 0);
  auto downloads = h.server->requests_to("GET", "/api/v1/backups/12/download");
  REQUIRE(downloads.size() == 1);
  CHECK_FALSE(header_of(*downloads[0], "Range"));
  CHECK(read_all(out) == a.bytes);
}

TEST_CASE("backup download: a server that ignores Range restarts from byte 0, not appends") {
  TempDir tmp;
  Archive a{random_bytes(400'000), "", 0, 0};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  a.ignore_range = true;
  const auto out = tmp.path / "b.tar.zst";
  {
    std::ofstream(out.string() + ".part", std::ios::binary) << a.bytes.substr(0, 100'000);
    std::ofstream(out.string() + ".part.sha256") << a.listed_sha256 << "\n";
  }
  Harness h;
  h.serve_backup("12", a);
  REQUIRE(h.run({"backup", "download", "12", "-O", out.string()}) == 0);
  auto downloads = h.server->requests_to("GET", "/api/v1/backups/12/download");
  REQUIRE(downloads.size() == 2);
  CHECK(header_of(*downloads[0], "Range") == "bytes=100000-");
  CHECK_FALSE(header_of(*downloads[1], "Range"));
  CHECK(read_all(out) == a.bytes);
}

TEST_CASE("backup download: a partial file longer than the archive is dropped") {
  TempDir tmp;
  Archive a{random_bytes(10'000), "", 0, 0};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  const auto out = tmp.path / "b.tar.zst";
  {
    std::ofstream(out.string() + ".part", std::ios::binary) << a.bytes << "trailing garbage";
    std::ofstream(out.string() + ".part.sha256") << a.listed_sha256 << "\n";
  }
  Harness h;
  h.serve_backup("12", a);
  REQUIRE(h.run({"backup", "download", "12", "-O", out.string()}) == 0);
  auto downloads = h.server->requests_to("GET", "/api/v1/backups/12/download");
  REQUIRE(downloads.size() == 1);
  CHECK_FALSE(header_of(*downloads[0], "Range"));
  CHECK(read_all(out) == a.bytes);
}

TEST_CASE("backup download: a stalled transfer resumes where it stopped, twice") {
  TempDir tmp;
  Archive a{random_bytes(1 << 20), "", 2, 300'000};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  Harness h;
  h.serve_backup("12", a);
  REQUIRE(h.run({"backup", "download", "12", "--dir", tmp.path.string(), "-o", "json"}) == 0);
  auto downloads = h.server->requests_to("GET", "/api/v1/backups/12/download");
  REQUIRE(downloads.size() == 3);
  CHECK_FALSE(header_of(*downloads[0], "Range"));
  CHECK(header_of(*downloads[1], "Range") == "bytes=300000-");
  CHECK(header_of(*downloads[2], "Range") == "bytes=600000-");
  auto path = tmp.path / "daoctl-backup-12-20261201T020000Z.tar.zst";
  CHECK(json::parse(h.io.out_text())["path"] == path.string());
  CHECK(read_all(path) == a.bytes);
  CHECK_THAT(h.io.err_text(), Catch::Contains("download of backup 12 interrupted at byte 300000"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("stalled"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("interrupted at byte 600000"));
}

TEST_CASE("backup download: a peer that stalls without progress ends the download and keeps the partial file") {
  TempDir tmp;
  Archive a{random_bytes(100'000), "", 1000, 0};  // every attempt: no byte, then a stall
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  const auto out = tmp.path / "b.tar.zst";
  Harness h;
  h.serve_backup("12", a);
  CHECK(h.run({"backup", "download", "12", "-O", out.string()}) == 1);
  // Five fruitless attempts in a row, then the stall is the error.
  CHECK(h.server->requests_to("GET", "/api/v1/backups/12/download").size() == 5);
  CHECK_THAT(h.io.err_text(), Catch::Contains("daoctl: error:"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("stalled"));
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::exists(out.string() + ".part.sha256"));
}

TEST_CASE("backup download: bytes that do not match the listed sha256 exit 5 and leave nothing") {
  TempDir tmp;
  Archive a{random_bytes(500'000), "", 0, 0};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  a.bytes[250'000] ^= 0x01;  // one bit flipped on the way
  const auto out = tmp.path / "b.tar.zst";
  Harness h;
  h.serve_backup("12", a);
  CHECK(h.run({"backup", "download", "12", "-O", out.string()}) == 5);
  CHECK_THAT(h.io.err_text(), Catch::Contains("checksum mismatch: the download was deleted (backup 12)"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("the server lists 500000 bytes with sha256 " + a.listed_sha256));
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out.string() + ".part"));
  CHECK_FALSE(fs::exists(out.string() + ".sha256"));
}

TEST_CASE("backup download: a wrongly typed field in the server's answer is a remote error naming it") {
  struct Row {
    const char* field;
    json value;
    const char* says;
  };
  const std::vector<Row> rows = {
      {"size", "3145728", "field size of backup 12 is a string, expected an integer >= 0"},
      {"size", -1, "field size of backup 12 is a negative integer, expected an integer >= 0"},
      {"sha256", 42, "field sha256 of backup 12 is an integer, expected a string"},
      {"created_at", json::array(), "field created_at of backup 12 is an array, expected a string"},
      {"state", true, "field state of backup 12 is a boolean, expected a string"},
      {"id", 12, "field id of backup 12 is an integer, expected a string"},
  };
  for (const auto& row : rows) {
    INFO(row.field << " = " << row.value.dump());
    TempDir tmp;
    Archive a{random_bytes(1000), "", 0, 0};
    a.listed_sha256 = backup::sha256_hex(a.bytes);
    Harness h;
    h.server->serve("GET", "/api/v1/backups/12", [&](const http::Request&) {
      auto b = backup_object("12", a);
      b[row.field] = row.value;
      return json_answer(200, b);
    });
    CHECK(h.run({"backup", "download", "12", "--dir", tmp.path.string()}) == 1);
    CHECK_THAT(h.io.err_text(), Catch::Contains(row.says));
    CHECK_THAT(h.io.err_text(), !Catch::Contains("internal error"));
    CHECK_THAT(h.io.err_text(), !Catch::Contains("bug in daoctl"));
    CHECK(h.server->requests_to("GET", "/api/v1/backups/12/download").empty());
  }
}

TEST_CASE("backup create --wait: a job result without a backup id is a remote error, not a bug") {
  Harness h;
  h.server->serve("POST", "/api/v1/backups", [](const http::Request&) {
    return json_answer(202, {{"id", "3"}, {"kind", "backup"}, {"state", "succeeded"}, {"progress", 1},
                             {"error", nullptr}, {"result", {{"backup_id", 12}}}});
  });
  CHECK(h.run({"backup", "create", "--wait"}) == 1);
  CHECK_THAT(h.io.err_text(), Catch::Contains("field backup_id of the result of job 3 is an integer, expected a string"));
  CHECK_THAT(h.io.err_text(), !Catch::Contains("internal error"));
}

TEST_CASE("backup create --wait gives up after --wait-timeout naming the backup, the job and its last state") {
  Harness h;
  int polls = 0;
  h.server->serve("POST", "/api/v1/backups", [](const http::Request&) {
    return json_answer(202, {{"id", "3"}, {"kind", "backup"}, {"state", "queued"}, {"progress", 0},
                             {"error", nullptr}, {"result", nullptr}});
  });
  h.server->serve("GET", "/api/v1/jobs/3", [&](const http::Request&) {
    ++polls;
    return json_answer(200, {{"id", "3"}, {"kind", "backup"}, {"state", "running"}, {"progress", 0.4},
                             {"error", nullptr}, {"result", nullptr}});
  });
  h.server->serve("GET", "/api/v1/backups?state=creating&limit=1000", [](const http::Request&) {
    return json_answer(200, {{"items", {{{"id", "12"}, {"state", "creating"}, {"created_at", "2026-12-01T02:00:00Z"},
                                         {"kind", "manual"}, {"size", nullptr}, {"sha256", nullptr}}}},
                             {"next_cursor", nullptr}});
  });
  auto t0 = std::chrono::steady_clock::now();
  CHECK(h.run({"backup", "create", "--wait", "--wait-timeout", "2"}) == 1);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= std::chrono::seconds(2));
#ifdef __SANITIZE_ADDRESS__
  CHECK(took < std::chrono::seconds(15));  // scaled like the suite's other time limits
#else
  CHECK(took < std::chrono::seconds(5));
#endif
  // 100, 200, 400, 800 ms, then 1 s steps: about 5 polls in 2 s, one at the deadline.
  CHECK(polls >= 4);
  CHECK(polls <= 7);
  INFO(h.io.err_text());
  CHECK_THAT(h.io.err_text(), Catch::Contains("daoctl: error: backup did not finish within 2 s (backup 12, job 3): "
                                              "its last state was running at 40%"));
  CHECK_THAT(h.io.err_text(), Catch::Contains("--wait-timeout"));
  CHECK(h.server->unmatched().empty());
}

TEST_CASE("backup create --wait-timeout must be a positive number of seconds") {
  Harness h;
  CHECK(h.run({"backup", "create", "--wait", "--wait-timeout", "0"}) == 2);
  Harness without_wait;
  CHECK(without_wait.run({"backup", "create", "--wait-timeout", "60"}) == 2);
  CHECK_THAT(without_wait.io.err_text(), Catch::Contains("--wait"));
  CHECK(h.server->requests().empty());
  CHECK(without_wait.server->requests().empty());
}

TEST_CASE("job polling: doubling intervals, at most a tenth of the wait, never past the bound") {
  Harness h;
  std::vector<std::chrono::milliseconds> sleeps;
  auto t = std::chrono::steady_clock::time_point{};
  // Each poll takes a microsecond of the clock: the deadline then falls
  // between whole milliseconds, where a truncated wait would be 0 (a busy loop).
  h.server->serve("GET", "/api/v1/jobs/9", [&](const http::Request&) {
    t += std::chrono::microseconds(1);
    return json_answer(200, {{"id", "9"}, {"state", "running"}, {"progress", 0.5}});
  });
  platform::JobWait wait;
  wait.timeout = std::chrono::hours(6);
  wait.sleep = [&](std::chrono::milliseconds d) {
    sleeps.push_back(d);
    t += d;
  };
  wait.now = [&] { return t; };
  platform::ClientOptions options;
  options.base_url = "http://platform.test";
  platform::PlatformClient client(std::make_unique<test::SharedFakeTransport>(h.server), options);
  platform::BackupApi api(client);
  auto job = platform::parse_job(json{{"id", "9"}, {"state", "queued"}}, "job");
  REQUIRE(job);
  auto r = api.wait(*job, "restore", wait);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "restore did not finish within 21600 s");
  CHECK(r.error().object == "job 9");
  CHECK(t >= std::chrono::steady_clock::time_point{} + std::chrono::hours(6));
  CHECK(t < std::chrono::steady_clock::time_point{} + std::chrono::hours(6) + std::chrono::milliseconds(2));
  for (auto d : sleeps) CHECK(d > std::chrono::milliseconds(0));
  REQUIRE(sleeps.size() > 5);
  CHECK(sleeps[0] == std::chrono::milliseconds(100));
  CHECK(sleeps[1] == std::chrono::milliseconds(200));
  CHECK(sleeps[4] == std::chrono::milliseconds(1000));
  for (auto s : sleeps) CHECK(s <= std::chrono::seconds(10));
  // Six hours cost about 2,200 polls (one per 10 s once past 100 s), not 21,600.
  CHECK(sleeps.size() < 2300);
  CHECK(h.server->requests().size() == sleeps.size());
}

TEST_CASE("backup list: a wrongly typed field in one listed backup fails the listing naming that backup") {
  Harness h;
  h.server->serve("GET", "/api/v1/backups?limit=1000", [](const http::Request&) {
    return json_answer(200, {{"items",
                              {{{"id", "2"}, {"state", "ready"}, {"size", 10}, {"sha256", std::string(64, 'a')}},
                               {{"id", "1"}, {"state", "ready"}, {"size", {{"bytes", 10}}}, {"sha256", nullptr}}}},
                             {"next_cursor", nullptr}});
  });
  CHECK(h.run({"backup", "list", "-o", "json"}) == 1);
  CHECK_THAT(h.io.err_text(), Catch::Contains("field size of backup 1 is an object, expected an integer >= 0"));
  CHECK(h.io.out_text().empty());  // no shorter list on stdout
}

TEST_CASE("backup list: backups still being created (null size and sha256) are listed as sent") {
  Harness h;
  const json items = {{{"id", "3"}, {"state", "creating"}, {"created_at", "2026-12-01T02:00:00Z"},
                       {"kind", "manual"}, {"size", nullptr}, {"sha256", nullptr}, {"note", nullptr}}};
  h.server->serve("GET", "/api/v1/backups?state=creating&limit=1000", [&](const http::Request&) {
    return json_answer(200, {{"items", items}, {"next_cursor", nullptr}});
  });
  REQUIRE(h.run({"backup", "list", "--state", "creating", "-o", "json"}) == 0);
  CHECK(json::parse(h.io.out_text()) == items);
}

TEST_CASE("backup restore --wait-timeout bounds the wait for the restore job") {
  Harness h;
  Archive a{random_bytes(1000), "", 0, 0};
  a.listed_sha256 = backup::sha256_hex(a.bytes);
  h.serve_backup("12", a);
  h.server->serve("GET", "/scim/v2/Users?count=0", [](const http::Request&) {
    return json_answer(200, {{"totalResults", 1500}, {"Resources", json::array()}});
  });
  h.server->serve("POST", "/api/v1/backups/12/restore", [](const http::Request& r) {
    CHECK(json::parse(r.body) == json{{"confirm", "12"}});
    return json_answer(202, {{"id", "8"}, {"kind", "restore"}, {"state", "running"}, {"progress", 0.25}});
  });
  h.server->serve("GET", "/api/v1/jobs/8", [](const http::Request&) {
    return json_answer(200, {{"id", "8"}, {"kind", "restore"}, {"state", "running"}, {"progress", 0.5}});
  });
  CHECK(h.run({"backup", "restore", "12", "--confirm", "12", "--wait-timeout", "1"}) == 1);
  CHECK_THAT(h.io.err_text(), Catch::Contains("(its current 1500 users, departments, groups, content and files)"));
  CHECK_THAT(h.io.err_text(),
             Catch::Contains("daoctl: error: restore did not finish within 1 s (job 8): its last state was running at 50%"));
  // Only a backup job asks which backup is being made.
  CHECK(h.server->requests_to("GET", "/api/v1/backups?state=creating&limit=1000").empty());
  CHECK(h.server->unmatched().empty());
}
