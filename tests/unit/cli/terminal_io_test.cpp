#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/terminal_io.hpp"

using namespace daoctl;
using nlohmann::json;

TEST_CASE("log format json: each stderr line becomes one object with level, time and message") {
  auto info = json::parse(cli::JsonLogBuf::convert("nightly: applied 3 change(s), 0 failed"));
  CHECK(info["level"] == "info");
  CHECK(info["message"] == "nightly: applied 3 change(s), 0 failed");
  CHECK(info["time"].get<std::string>().size() == 24);  // 2026-11-27T03:01:02.345Z
  auto warn = json::parse(cli::JsonLogBuf::convert("warning: source hr: 2 rows skipped"));
  CHECK(warn["level"] == "warn");
  CHECK(warn["message"] == "source hr: 2 rows skipped");
  auto error = json::parse(cli::JsonLogBuf::convert("daoctl: error: locked (sync job x)"));
  CHECK(error["level"] == "error");
  CHECK(error["message"] == "locked (sync job x)");
  // Structured lines pass through, given a time; a redrawn line keeps its last state.
  auto event = json::parse(cli::JsonLogBuf::convert(R"({"level":"error","kind":"auth","message":"m"})"));
  CHECK(event["kind"] == "auth");
  CHECK(event.contains("time"));
  CHECK(json::parse(cli::JsonLogBuf::convert("\rapplying 1/3\rapplying 3/3"))["message"] == "applying 3/3");
  CHECK(cli::JsonLogBuf::convert("").empty());
}

TEST_CASE("log format json: the stream buffer emits whole lines only") {
  std::ostringstream sink;
  {
    cli::JsonLogBuf buf(sink.rdbuf());
    std::ostream err(&buf);
    err << "first " << 1;
    CHECK(sink.str().empty());
    err << "\nwarning: second\n" << std::flush;
    err << "unterminated";
  }
  std::istringstream lines(sink.str());
  std::string line;
  std::vector<json> out;
  while (std::getline(lines, line)) out.push_back(json::parse(line));
  REQUIRE(out.size() == 3);
  CHECK(out[0]["message"] == "first 1");
  CHECK(out[1]["level"] == "warn");
  CHECK(out[2]["message"] == "unterminated");
}

TEST_CASE("pager: DAOCTL_PAGER over PAGER over less, cat or empty mean none") {
  CHECK(cli::pager_command({}) == "less");
  CHECK(cli::pager_command({{"PAGER", "most"}}) == "most");
  CHECK(cli::pager_command({{"PAGER", "most"}, {"DAOCTL_PAGER", "less -S"}}) == "less -S");
  CHECK(cli::pager_command({{"DAOCTL_PAGER", "cat"}}).empty());
  CHECK(cli::pager_command({{"PAGER", ""}}).empty());
}
