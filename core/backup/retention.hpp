// Retention of backups with restic's `forget` semantics, pure and I/O-free.
//
// The rules (restic docs, "Removing snapshots according to a policy"):
// - Snapshots are considered newest first (ties: the larger id first).
// - keep_last N keeps the N newest snapshots.
// - keep_hourly/daily/weekly/monthly/yearly N: for the last N hours/days/ISO
//   weeks/months/years *that have one or more snapshots*, keep the newest
//   snapshot of each. Periods without a snapshot do not use up the count.
// - N = -1 means "unlimited" (every period that has a snapshot), as in restic.
// - keep_within D keeps every snapshot taken strictly after (latest - D),
//   where latest is the newest *snapshot's* time, not the current time: an
//   old repository that stopped receiving backups is not emptied by it.
//   D is "1y2m3d4h" (years and months are calendar steps, like restic).
// - One snapshot can be kept by several rules; all of them are reported.
// - Periods are computed in the local time of the machine that prunes (like
//   restic, which uses the snapshot's own zone): the caller passes the UTC
//   offset in effect at each instant, so DST changes are honoured.
// - A policy with no rule at all keeps everything: `plan` refuses it
//   (restic refuses too) so a forgotten flag never deletes every backup.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::backup {

using SysSeconds = std::chrono::sys_seconds;

// keep_within: calendar years/months/days plus hours.
struct KeepWithin {
  int years = 0;
  int months = 0;
  int days = 0;
  int hours = 0;
  std::string text;  // as given, for reasons ("within 7d")
  bool empty() const { return years == 0 && months == 0 && days == 0 && hours == 0; }
};

// Parses "7d", "1y6m", "36h", "2w" is not restic syntax and is refused.
// Errors: Usage naming the text and the unit it did not understand.
Result<KeepWithin> parse_keep_within(std::string_view text);

struct RetentionPolicy {
  int keep_last = 0;
  int keep_hourly = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  int keep_monthly = 0;
  int keep_yearly = 0;
  KeepWithin keep_within;
  bool empty() const;
  // "keep-last 3, keep-daily 7" for logs.
  std::string describe() const;
};

struct Snapshot {
  std::string id;
  SysSeconds time;
};

struct RetentionDecision {
  Snapshot snapshot;
  bool keep = false;
  std::vector<std::string> reasons;  // "last snapshot", "daily snapshot", "within 7d"
};

// The UTC offset in effect at an instant (local = utc + offset).
using UtcOffsetAt = std::function<std::chrono::seconds(SysSeconds)>;
UtcOffsetAt fixed_utc_offset(std::chrono::seconds offset);

// Decides every snapshot, newest first. Errors: Usage for an empty policy or
// a negative count other than -1.
Result<std::vector<RetentionDecision>> plan_retention(std::vector<Snapshot> snapshots,
                                                      const RetentionPolicy& policy,
                                                      const UtcOffsetAt& offset_at);

// ISO 8601 week of a calendar day: {iso_year, week 1..53}.
struct IsoWeek {
  int year = 0;
  unsigned week = 0;
  bool operator==(const IsoWeek&) const = default;
};
IsoWeek iso_week(std::chrono::year_month_day day);

// RFC 3339 "2026-11-26T23:37:24Z" (or with a numeric offset) to seconds.
std::optional<SysSeconds> parse_rfc3339(std::string_view text);
std::string format_rfc3339(SysSeconds t);

}  // namespace daoctl::backup
