// Flags > the job file > defaults for the client's apply settings (issue 18:
// the job's apply.concurrency used to beat the global --concurrency while the
// global --rate-limit beat the job's apply.rate_limit).
#include <catch2/catch.hpp>

#include "app_harness.hpp"

using namespace daoctl;
using testing::AppHarness;
using testing::TempDir;

namespace {

// A valid job with its own apply settings; reading the platform fails (no
// stub), after the client was built with the resolved settings.
std::string job_file(const TempDir& dir, const std::string& apply_block) {
  dir.write("hr.csv", "id,login\n1,ivanov\n");
  return dir.write("job.yaml",
                   "version: 1\n"
                   "name: precedence\n"
                   "sources:\n"
                   "  hr:\n"
                   "    type: csv\n"
                   "    path: hr.csv\n"
                   "    key: id\n"
                   "mapping:\n"
                   "  externalId: \"hr-{hr.id}\"\n"
                   "  userName: \"{hr.login}\"\n"
                   "  email: \"{hr.login}@corp.example\"\n" +
                       apply_block);
}

commands::ClientSettings settings_of(const std::vector<std::string>& args) {
  AppHarness h;
  h.run(args);
  INFO(h.io.err_text());
  REQUIRE(h.settings->size() == 1);
  return h.settings->front();
}

}  // namespace

TEST_CASE("global --concurrency and --rate-limit win over the job's apply block") {
  TempDir dir("daoctl-precedence");
  const auto job = job_file(dir, "apply:\n  concurrency: 16\n  rate_limit: 50/s\n");
  const std::string state = (dir.path / "state").string();

  SECTION("the job's values when no flag is given") {
    const auto s = settings_of({"sync", "plan", "-f", job, "--state-dir", state});
    CHECK(s.concurrency == 16);
    CHECK(s.rate_limit == Approx(50));
  }
  SECTION("both global flags win, before or after the subcommand") {
    const auto s = settings_of({"--concurrency", "3", "--rate-limit", "7", "sync", "plan", "-f", job,
                                "--state-dir", state});
    CHECK(s.concurrency == 3);
    CHECK(s.rate_limit == Approx(7));
  }
  SECTION("--rate-limit 0 means no limit, even when the job sets one") {
    const auto s = settings_of({"--rate-limit", "0", "sync", "plan", "-f", job, "--state-dir", state});
    CHECK(s.rate_limit == 0);
    CHECK(s.concurrency == 16);
  }
  SECTION("sync apply's own --concurrency wins too") {
    const auto s = settings_of({"sync", "apply", "-f", job, "--state-dir", state, "--concurrency", "2"});
    CHECK(s.concurrency == 2);
    CHECK(s.rate_limit == Approx(50));
  }
}

TEST_CASE("without flags or a job's apply block the defaults hold") {
  TempDir dir("daoctl-precedence");
  const auto job = job_file(dir, "");
  const auto s = settings_of({"sync", "plan", "-f", job, "--state-dir", (dir.path / "state").string()});
  CHECK(s.concurrency == commands::kDefaultConcurrency);
  CHECK(s.rate_limit == 0);
  AppHarness h;
  h.stub("GET /scim/v2/Users/1", 200, R"({"id":"1","userName":"a","active":true})");
  h.run({"--concurrency", "5", "users", "get", "1"});
  REQUIRE(h.settings->size() == 1);
  CHECK(h.settings->front().concurrency == 5);
}
