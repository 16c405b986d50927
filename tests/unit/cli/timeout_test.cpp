// --timeout bounds the whole command, --attempt-timeout one attempt; an
// interactive command has a shorter default limit than a job (issue 19).
#include <catch2/catch.hpp>

#include "app_harness.hpp"

using namespace daoctl;
using namespace std::chrono_literals;
using testing::AppHarness;
using testing::TempDir;

namespace {

commands::ClientSettings settings_of(const std::vector<std::string>& args, config::Env extra = {}) {
  AppHarness h;
  for (auto& [k, v] : extra) h.env[k] = v;
  h.run(args);
  INFO(h.io.err_text());
  REQUIRE(h.settings->size() >= 1);
  return h.settings->front();
}

std::chrono::seconds limit_of(const commands::ClientSettings& s) {
  REQUIRE(s.deadline.has_value());
  return s.total_timeout;
}

}  // namespace

TEST_CASE("an interactive command has a 60 s limit in all, each attempt 30 s") {
  const auto s = settings_of({"users", "list"});
  CHECK(limit_of(s) == 60s);
  CHECK(s.timeout == 30s);
  // Counted from the command's start, not from each request.
  CHECK(*s.deadline <= std::chrono::steady_clock::now() + 60s);
  CHECK(*s.deadline > std::chrono::steady_clock::now() + 50s);
}

TEST_CASE("timeouts: --timeout is the whole command's limit, --attempt-timeout one attempt's") {
  const auto longer = settings_of({"--timeout", "300", "users", "list"});
  CHECK(limit_of(longer) == 300s);
  CHECK(longer.timeout == 30s);
  const auto shorter = settings_of({"--timeout", "10", "users", "list"});
  CHECK(limit_of(shorter) == 10s);
  CHECK(shorter.timeout == 10s);  // an attempt never outlasts the command
  const auto attempt = settings_of({"--attempt-timeout", "5", "users", "list"});
  CHECK(attempt.timeout == 5s);
  CHECK(limit_of(attempt) == 60s);
}

TEST_CASE("a job command has no overall limit unless one is asked for") {
  TempDir dir("daoctl-timeout");
  const std::string out = (dir.path / "a.csv").string();
  const std::vector<std::string> job = {"stats", "export", "activity", "--from", "2026-11-01", "--to", "2026-11-02",
                                        "-O", out};
  const auto s = settings_of(job);
  CHECK_FALSE(s.deadline.has_value());
  CHECK(s.timeout == 30s);
  auto with_limit = job;
  with_limit.insert(with_limit.begin(), {"--timeout", "3600"});
  CHECK(limit_of(settings_of(with_limit)) == 3600s);
}

TEST_CASE("a context's timeout is the whole command's limit too") {
  TempDir dir("daoctl-timeout-ctx");
  const auto config = dir.write("config.yaml",
                                "current-context: slow\ncontexts:\n  - name: slow\n    url: http://platform.test\n"
                                "    timeout: 120\n");
  std::filesystem::permissions(config, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto s = settings_of({"--config", config, "users", "list"});
  CHECK(limit_of(s) == 120s);
}

TEST_CASE("retry notices: with -v, never with --quiet off a terminal") {
  CHECK(settings_of({"-v", "users", "list"}).retry_notices);
  CHECK_FALSE(settings_of({"users", "list"}).retry_notices);  // not a terminal
}

TEST_CASE("a long-running command (sync watch) has no overall deadline, even with --timeout") {
  // The watcher builds its client once; a deadline counted from its start
  // ended every request after the first minute (bench/watch.sh found it).
  commands::FakeIo io;
  config::Env env = {{"DAOCTL_URL", "http://platform.test"}, {"DAOCTL_TOKEN", "tok"}, {"XDG_CONFIG_HOME", "/nonexistent"}};
  commands::CommandContext interactive(io, env, nullptr);
  CHECK(interactive.client_settings().deadline.has_value());  // the 60 s default
  commands::CommandContext watch(io, env, nullptr);
  watch.long_running = true;
  CHECK_FALSE(watch.client_settings().deadline.has_value());
  watch.global.timeout_seconds = 10;
  const auto s = watch.client_settings();
  CHECK_FALSE(s.deadline.has_value());
  CHECK(s.timeout <= 30s);  // each attempt is still bounded
}
