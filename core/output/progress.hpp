// A one-line progress display: done/total, percentage, a bar, rate and ETA,
// redrawn in place with '\r'. Pure over std::ostream and an injected clock
// reading, so it is table-tested; commands/common/progress.hpp decides when
// it is enabled (stderr is a terminal, not --quiet, not --log-format json).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace daoctl::output {

enum class ProgressUnit { Items, Bytes };

// "0:07", "12:05", "3:02:10"; "--:--" for an unknown or absurd duration.
std::string format_eta(double seconds);
// "412/s", "1.2k/s", "85.3 MiB/s".
std::string format_rate(double per_second, ProgressUnit unit);
// "5000", "512.0 MiB".
std::string format_amount(std::int64_t n, ProgressUnit unit);

// The text of one progress line (no '\r', no padding):
//   "applying  1234/5000  24% [#######.......................]  412/s  ETA 0:09"
//   "exporting rows  12345  4120/s"                  (total unknown)
std::string progress_line(const std::string& label, std::int64_t done, std::optional<std::int64_t> total,
                          double elapsed_seconds, ProgressUnit unit);

// Writes `line` and a newline to `out` so that a progress line being drawn
// there is not torn: the progress line is cleared, `line` printed, and the
// progress line drawn again below it (as apt and cargo do). Without a
// progress line on `out`, just `line`. For notices that come while a bar is
// drawn (a retry: "no answer from … in 30 s, retry 2/5 in 4 s"), from any
// thread.
void write_above_progress(std::ostream& out, const std::string& line);

class Progress {
 public:
  using Clock = std::chrono::steady_clock;

  // A disabled Progress prints nothing at all.
  Progress(std::ostream& out, std::string label, std::optional<std::int64_t> total, bool enabled,
           ProgressUnit unit = ProgressUnit::Items, Clock::time_point start = Clock::now());
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  bool enabled() const { return enabled_; }
  void set_total(std::int64_t total) { total_ = total; }
  // Records `done` and redraws when `interval` passed since the last drawing,
  // and always on reaching the total.
  void update(std::int64_t done, Clock::time_point now = Clock::now());
  void add(std::int64_t n, Clock::time_point now = Clock::now()) { update(done_ + n, now); }
  // Draws the final state and ends the line (once; the destructor calls it).
  void finish(Clock::time_point now = Clock::now());

  std::chrono::milliseconds interval{200};

 private:
  void draw(Clock::time_point now);
  friend void write_above_progress(std::ostream& out, const std::string& line);

  std::ostream& out_;
  std::string label_;
  std::optional<std::int64_t> total_;
  bool enabled_;
  ProgressUnit unit_;
  Clock::time_point start_;
  std::optional<Clock::time_point> last_draw_;
  std::int64_t done_ = 0;
  std::int64_t drawn_done_ = -1;
  std::size_t last_width_ = 0;
  std::string last_line_;  // what is on the terminal now, for a redraw
  bool finished_ = false;
};

}  // namespace daoctl::output
