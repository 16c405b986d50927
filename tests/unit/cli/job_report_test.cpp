#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "commands/common/fake_io.hpp"
#include "commands/common/job_report.hpp"
#include "connectors/local/files.hpp"

using namespace daoctl;
using namespace daoctl::commands;
using nlohmann::json;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/daoctl-job-report-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) { return local::read_file(path).value(); }

std::chrono::system_clock::time_point at(long seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

TEST_CASE("job report: status names follow the exit codes") {
  CHECK(job_status_for(0) == "ok");
  CHECK(job_status_for(3) == "partial");
  CHECK(job_status_for(5) == "safety_stop");
  CHECK(job_status_for(4) == "auth_failed");
  CHECK(job_status_for(1) == "failed");
}

TEST_CASE("job report: the summary has the shared shape plus the command's own fields") {
  JobReport r("import apply", "import");
  r.count("created", 7);
  r.error("post p1 (posts.jsonl:3)", "author unknown");
  r.extra["source"] = "export.zip";
  r.extra["status"] = "must not replace the common field";
  Error failure{ErrorKind::Partial, "1 item failed", "job x", "", "see the report", 0, {}};
  json s = job_summary(r, at(1'800'000'000), at(1'800'000'012), 12.3456, 3, &failure);
  CHECK(s["command"] == "daoctl import apply");
  CHECK(s["started"] == "2027-01-15T08:00:00Z");
  CHECK(s["finished"] == "2027-01-15T08:00:12Z");
  CHECK(s["duration_seconds"] == Approx(12.346));
  CHECK(s["status"] == "partial");
  CHECK(s["exit_code"] == 3);
  CHECK(s["counts"] == json{{"created", 7}});
  REQUIRE(s["errors"].size() == 2);
  CHECK(s["errors"][0]["object"] == "post p1 (posts.jsonl:3)");
  CHECK(s["errors"][1]["kind"] == "partial");
  CHECK(s["errors"][1]["hint"] == "see the report");
  CHECK(s["source"] == "export.zip");
}

TEST_CASE("job report: metrics are gauges with labels, counts by kind, escaped label values") {
  JobReport r("sync apply", "sync");
  r.labels["job"] = "night\"ly";
  r.count("failed", 2);
  r.count("succeeded", 40);
  const std::string m = job_metrics(r, 0, 1'800'000'012, 1.5, 1'800'000'012);
  CHECK_THAT(m, Catch::Contains("# TYPE daoctl_sync_last_run_success gauge\n"
                                "daoctl_sync_last_run_success{job=\"night\\\"ly\"} 1\n"));
  CHECK_THAT(m, Catch::Contains("daoctl_sync_last_success_timestamp_seconds{job=\"night\\\"ly\"} 1800000012\n"));
  CHECK_THAT(m, Catch::Contains("daoctl_sync_duration_seconds{job=\"night\\\"ly\"} 1.500\n"));
  CHECK_THAT(m, Catch::Contains("daoctl_sync_items{job=\"night\\\"ly\",kind=\"failed\"} 2\n"));
  CHECK_THAT(m, Catch::Contains("daoctl_sync_items{job=\"night\\\"ly\",kind=\"succeeded\"} 40\n"));
  // Without a known last success the gauge is left out rather than faked.
  CHECK_THAT(job_metrics(r, 1, 1, 1, std::nullopt), !Catch::Contains("last_success_timestamp"));
  CHECK(metric_value(m, "daoctl_sync_last_success_timestamp_seconds", r.labels) == Approx(1'800'000'012));
  CHECK_FALSE(metric_value(m, "daoctl_sync_last_success_timestamp_seconds", {}));
}

TEST_CASE("run_reported: files on success, on failure the error, exit code and the previous last success") {
  TempDir dir;
  FakeIo io;
  CommandContext ctx(io, {}, {});
  ctx.exit_code_of = exit_code_for;  // as cli::run sets it
  long clock = 1'800'000'000;
  ctx.now = [&] { return at(clock); };
  JobReportFiles files{dir.file("s.json"), dir.file("m.prom")};
  {
    JobReport r("backup prune", "backup_prune");
    int code = run_reported(ctx, files, r, [&](JobReport& rep) {
      CHECK(ctx.job_report == &rep);
      rep.count("removed", 3);
      return 0;
    });
    CHECK(code == 0);
    CHECK(ctx.job_report == nullptr);
  }
  json s = json::parse(slurp(files.summary_file));
  CHECK(s["status"] == "ok");
  CHECK(s["counts"]["removed"] == 3);
  CHECK_THAT(slurp(files.metrics_file), Catch::Contains("daoctl_backup_prune_last_success_timestamp_seconds 1800000000\n"));

  clock += 86400;
  {
    JobReport r("backup prune", "backup_prune");
    CHECK_THROWS_AS(run_reported(ctx, files, r,
                                 [&](JobReport&) -> int {
                                   throw CommandError(ErrorKind::Safety, "checksum mismatch", "backup 12");
                                 }),
                    CommandError);
  }
  s = json::parse(slurp(files.summary_file));
  CHECK(s["status"] == "safety_stop");
  CHECK(s["exit_code"] == 5);
  CHECK(s["errors"][0]["message"] == "checksum mismatch (backup 12)");
  const std::string m = slurp(files.metrics_file);
  CHECK_THAT(m, Catch::Contains("daoctl_backup_prune_last_run_success 0\n"));
  CHECK_THAT(m, Catch::Contains("daoctl_backup_prune_last_success_timestamp_seconds 1800000000\n"));
  CHECK_THAT(m, Catch::Contains("daoctl_backup_prune_last_run_timestamp_seconds 1800086400\n"));
}

TEST_CASE("run_reported: a locked run leaves the holder's files alone") {
  TempDir dir;
  FakeIo io;
  CommandContext ctx(io, {}, {});
  ctx.exit_code_of = exit_code_for;  // as cli::run sets it
  JobReportFiles files{dir.file("s.json"), dir.file("m.prom")};
  JobReport r("sync apply", "sync");
  CHECK_THROWS_AS(run_reported(ctx, files, r,
                               [](JobReport&) -> int { throw CommandError(ErrorKind::Locked, "locked"); }),
                  CommandError);
  CHECK_FALSE(std::filesystem::exists(files.summary_file));
  CHECK_FALSE(std::filesystem::exists(files.metrics_file));
}

TEST_CASE("run_reported: --log-format json logs one finished event with fields") {
  FakeIo io;
  CommandContext ctx(io, {}, {});
  ctx.exit_code_of = exit_code_for;  // as cli::run sets it
  ctx.global.log_format = "json";
  JobReport r("stats export", "stats_export");
  CHECK(run_reported(ctx, {}, r, [](JobReport& rep) {
          rep.count("rows_activity", 12);
          return 0;
        }) == 0);
  json line = json::parse(io.err_text());
  CHECK(line["level"] == "info");
  CHECK(line["message"] == "daoctl stats export finished");
  CHECK(line["fields"]["status"] == "ok");
  CHECK(line["fields"]["counts"]["rows_activity"] == 12);
  CHECK(line.contains("time"));
}
