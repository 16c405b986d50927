#include <catch2/catch.hpp>
#include <sstream>

#include "core/output/progress.hpp"

using namespace daoctl::output;
using Clock = Progress::Clock;
using namespace std::chrono_literals;

TEST_CASE("progress: ETA, rate and amount formatting") {
  CHECK(format_eta(0) == "0:00");
  CHECK(format_eta(9.4) == "0:09");
  CHECK(format_eta(725) == "12:05");
  CHECK(format_eta(3 * 3600 + 130) == "3:02:10");
  CHECK(format_eta(-1) == "--:--");
  CHECK(format_eta(1e12) == "--:--");
  CHECK(format_rate(412, ProgressUnit::Items) == "412/s");
  CHECK(format_rate(2.5, ProgressUnit::Items) == "2.5/s");
  CHECK(format_rate(41200, ProgressUnit::Items) == "41.2k/s");
  CHECK(format_rate(85.3 * 1024 * 1024, ProgressUnit::Bytes) == "85.3 MiB/s");
  CHECK(format_rate(512, ProgressUnit::Bytes) == "512 B/s");
  CHECK(format_amount(5000, ProgressUnit::Items) == "5000");
  CHECK(format_amount(512 * 1024 * 1024, ProgressUnit::Bytes) == "512.0 MiB");
}

TEST_CASE("progress: a line with total shows done/total, percent, bar, rate and ETA") {
  CHECK(progress_line("applying", 1000, 5000, 2.0, ProgressUnit::Items) ==
        "applying  1000/5000   20% [######........................]  500/s  ETA 0:08");
  CHECK(progress_line("applying", 5000, 5000, 10.0, ProgressUnit::Items) ==
        "applying  5000/5000  100% [##############################]  500/s  done");
  // Nothing done yet: no rate, no ETA guess.
  CHECK(progress_line("applying", 0, 10, 0.0, ProgressUnit::Items) ==
        "applying  0/10    0% [..............................]  0.0/s  ETA --:--");
  // Unknown total: count and rate only.
  CHECK(progress_line("exporting activity", 12345, std::nullopt, 3.0, ProgressUnit::Items) ==
        "exporting activity  12345  4115/s");
}

TEST_CASE("progress: redrawn in place with a carriage return, throttled, padded over a longer line, ended once") {
  std::ostringstream out;
  const auto t0 = Clock::time_point{} + 1h;
  {
    Progress p(out, "applying", 100, true, ProgressUnit::Items, t0);
    p.update(1, t0 + 10ms);    // first drawing
    p.update(2, t0 + 50ms);    // within 200 ms: not drawn
    p.update(50, t0 + 1s);     // drawn
    p.update(100, t0 + 1010ms);  // the total is always drawn
    p.finish(t0 + 2s);
    p.finish(t0 + 3s);  // once
  }
  const std::string text = out.str();
  // 1, 50, 100; finish does not redraw an unchanged line.
  CHECK(std::count(text.begin(), text.end(), '\r') == 3);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);
  CHECK(text.find("2/100") == std::string::npos);
  CHECK(text.find("50/100") != std::string::npos);
  CHECK(text.back() == '\n');
}

TEST_CASE("progress: a notice while the bar is drawn goes above it, and the bar is drawn again below") {
  std::ostringstream out;
  const auto t0 = Clock::time_point{} + 1h;
  {
    Progress p(out, "applying", 100, true, ProgressUnit::Items, t0);
    p.update(40, t0 + 10ms);
    write_above_progress(out, "daoctl: no answer from h in 30 s, retry 2/5 in 4 s");
    p.update(41, t0 + 1s);
    p.finish(t0 + 2s);
  }
  const std::string text = out.str();
  // The notice is a line of its own, starting at column 0 (after a \r that
  // leaves the bar's line) and padded over the bar; the bar comes back below.
  const auto notice = text.find("\rdaoctl: no answer from h in 30 s, retry 2/5 in 4 s");
  REQUIRE(notice != std::string::npos);
  const auto end_of_notice = text.find('\n', notice);
  REQUIRE(end_of_notice != std::string::npos);
  const std::string notice_line = text.substr(notice + 1, end_of_notice - notice - 1);
  CHECK(notice_line.find("40/100") == std::string::npos);  // not torn into the bar
  const std::string after = text.substr(end_of_notice + 1);
  CHECK(after.starts_with("applying"));  // drawn again at once, below
  CHECK(after.find("41/100") != std::string::npos);
  // After the bar is finished a notice is a plain line.
  std::ostringstream later;
  write_above_progress(later, "daoctl: plain");
  CHECK(later.str() == "daoctl: plain\n");
}

TEST_CASE("progress: a disabled Progress prints nothing") {
  std::ostringstream out;
  {
    Progress p(out, "applying", 10, false);
    for (int i = 0; i <= 10; ++i) p.update(i);
    p.finish();
  }
  CHECK(out.str().empty());
}
