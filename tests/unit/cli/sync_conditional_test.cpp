// The HTTP validators sync watch keeps between batches (commands/sync/
// conditional.hpp): used only for the same job file, the same day, and a job
// whose every source is http_json; saved 0600; removed by forget.
#include <catch2/catch.hpp>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "commands/sync/conditional.hpp"

using namespace daoctl;
using namespace daoctl::commands::sync_conditional;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "daoctl-validators-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

sync::JobSpec http_job(std::string today = "2026-12-07") {
  sync::JobSpec job;
  job.name = "hrjob";
  job.today = std::move(today);
  sync::SourceSpec a;
  a.name = "hr";
  a.type = "http_json";
  sync::SourceSpec b;
  b.name = "payroll";
  b.type = "http_json";
  job.sources = {a, b};
  return job;
}

Validators two_sources() {
  return {{"hr", {{"https://hr.example/staff?page=1", R"("a")", ""}, {"https://hr.example/staff?page=2", "", "Mon, 07 Dec 2026 04:00:00 GMT"}}},
          {"payroll", {{"https://pay.example/people", R"(W/"p")", ""}}}};
}

}  // namespace

TEST_CASE("saved validators come back for the same job file and day only", "[conditional]") {
  TempDir dir;
  const std::string state = dir.path.string();
  const std::string job_file = state + "/job.yaml";
  std::ofstream(job_file) << "version: 1\nname: hrjob\n";
  const std::string sha = job_fingerprint(job_file);
  REQUIRE(sha.size() == 64);
  const auto now = std::chrono::system_clock::now();

  REQUIRE(save(state, http_job(), sha, two_sources(), now));
  struct stat st{};
  REQUIRE(::stat(validators_path(state, "hrjob", "hr").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(load(state, http_job(), sha) == two_sources());

  SECTION("an edited job file") {
    std::ofstream(job_file) << "version: 1\nname: hrjob\n# edited\n";
    CHECK(load(state, http_job(), job_fingerprint(job_file)).empty());
  }
  SECTION("another day") { CHECK(load(state, http_job("2026-12-08"), sha).empty()); }
  SECTION("a source without saved validators: none are used") {
    Validators one = two_sources();
    one.erase("payroll");
    TempDir other;
    REQUIRE(save(other.path.string(), http_job(), sha, one, now));
    CHECK(load(other.path.string(), http_job(), sha).empty());
  }
  SECTION("a job with a source that is not http_json") {
    auto job = http_job();
    job.sources[1].type = "csv";
    CHECK(load(state, job, sha).empty());
  }
  SECTION("a damaged file") {
    std::ofstream(validators_path(state, "hrjob", "payroll")) << "{not json";
    CHECK(load(state, http_job(), sha).empty());
  }
  SECTION("forget removes them all, and forgetting nothing is fine") {
    REQUIRE(forget(state, http_job()));
    CHECK_FALSE(std::filesystem::exists(validators_path(state, "hrjob", "hr")));
    CHECK_FALSE(std::filesystem::exists(validators_path(state, "hrjob", "payroll")));
    CHECK(load(state, http_job(), sha).empty());
    CHECK(forget(state, http_job()));
  }
}

TEST_CASE("the unchanged line names every source", "[conditional]") {
  CHECK(unchanged_line(http_job()) == "hrjob: sources hr, payroll unchanged since the last applied run (HTTP 304)");
  auto one = http_job();
  one.sources.pop_back();
  CHECK(unchanged_line(one) == "hrjob: source hr unchanged since the last applied run (HTTP 304)");
}
