#include "core/output/progress.hpp"

#include <mutex>

#include <fmt/format.h>

#include <cmath>

namespace daoctl::output {

std::string format_eta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 100.0 * 3600) return "--:--";
  auto s = static_cast<long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string format_rate(double per_second, ProgressUnit unit) {
  if (!std::isfinite(per_second) || per_second < 0) per_second = 0;
  if (unit == ProgressUnit::Bytes) {
    if (per_second >= 1024.0 * 1024 * 1024) return fmt::format("{:.1f} GiB/s", per_second / (1024.0 * 1024 * 1024));
    if (per_second >= 1024.0 * 1024) return fmt::format("{:.1f} MiB/s", per_second / (1024.0 * 1024));
    if (per_second >= 1024.0) return fmt::format("{:.1f} KiB/s", per_second / 1024.0);
    return fmt::format("{:.0f} B/s", per_second);
  }
  if (per_second >= 1e6) return fmt::format("{:.1f}M/s", per_second / 1e6);
  if (per_second >= 1e4) return fmt::format("{:.1f}k/s", per_second / 1e3);
  if (per_second >= 10) return fmt::format("{:.0f}/s", per_second);
  return fmt::format("{:.1f}/s", per_second);
}

std::string format_amount(std::int64_t n, ProgressUnit unit) {
  if (unit == ProgressUnit::Items) return std::to_string(n);
  double v = static_cast<double>(n);
  if (v >= 1024.0 * 1024 * 1024) return fmt::format("{:.2f} GiB", v / (1024.0 * 1024 * 1024));
  if (v >= 1024.0 * 1024) return fmt::format("{:.1f} MiB", v / (1024.0 * 1024));
  if (v >= 1024.0) return fmt::format("{:.1f} KiB", v / 1024.0);
  return fmt::format("{} B", n);
}

std::string progress_line(const std::string& label, std::int64_t done, std::optional<std::int64_t> total,
                          double elapsed_seconds, ProgressUnit unit) {
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0.0;
  if (!total || *total <= 0)
    return fmt::format("{}  {}  {}", label, format_amount(done, unit), format_rate(rate, unit));
  const std::int64_t t = *total;
  const std::int64_t shown = std::min(done, t);
  const double fraction = static_cast<double>(shown) / static_cast<double>(t);
  constexpr int width = 30;
  const int filled = static_cast<int>(fraction * width);
  std::string eta = done >= t ? "done" : rate > 0 ? "ETA " + format_eta(static_cast<double>(t - done) / rate)
                                                  : "ETA --:--";
  return fmt::format("{}  {}/{}  {:3.0f}% [{}{}]  {}  {}", label, format_amount(done, unit), format_amount(t, unit),
                     fraction * 100, std::string(static_cast<std::size_t>(filled), '#'),
                     std::string(static_cast<std::size_t>(width - filled), '.'), format_rate(rate, unit), eta);
}

namespace {
// The progress line on the terminal now (at most one), and the lock that
// keeps its drawing and the notices written above it from interleaving.
std::mutex active_mutex;
Progress* active = nullptr;
}  // namespace

Progress::Progress(std::ostream& out, std::string label, std::optional<std::int64_t> total, bool enabled,
                   ProgressUnit unit, Clock::time_point start)
    : out_(out), label_(std::move(label)), total_(total), enabled_(enabled), unit_(unit), start_(start) {}

Progress::~Progress() {
  try {
    finish();
  } catch (...) {
  }
  std::lock_guard lock(active_mutex);
  if (active == this) active = nullptr;
}

void Progress::update(std::int64_t done, Clock::time_point now) {
  done_ = done;
  if (!enabled_ || finished_) return;
  const bool complete = total_ && done_ >= *total_;
  if (!complete && last_draw_ && now - *last_draw_ < interval) return;
  draw(now);
}

void Progress::finish(Clock::time_point now) {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (!last_draw_ || drawn_done_ != done_) draw(now);
  std::lock_guard lock(active_mutex);
  if (active == this) active = nullptr;
  out_ << '\n' << std::flush;
}

void Progress::draw(Clock::time_point now) {
  last_draw_ = now;
  drawn_done_ = done_;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = progress_line(label_, done_, total_, elapsed, unit_);
  std::lock_guard lock(active_mutex);
  active = this;
  last_line_ = line;
  // Spaces, not an ANSI erase, clear what a longer earlier line left: works
  // on TERM=dumb too.
  const std::size_t width = line.size();
  if (width < last_width_) line.append(last_width_ - width, ' ');
  last_width_ = width;
  out_ << '\r' << line << std::flush;
}

void write_above_progress(std::ostream& out, const std::string& line) {
  std::lock_guard lock(active_mutex);
  if (active == nullptr || &active->out_ != &out || active->last_width_ == 0) {
    out << line << '\n' << std::flush;
    return;
  }
  std::string text = line;
  if (text.size() < active->last_width_) text.append(active->last_width_ - text.size(), ' ');
  out << '\r' << text << '\n' << active->last_line_ << std::flush;
  active->last_width_ = active->last_line_.size();
}

}  // namespace daoctl::output
