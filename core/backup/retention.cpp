#include "core/backup/retention.hpp"

#include "core/text/date.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace daoctl::backup {

Result<KeepWithin> parse_keep_within(std::string_view text) {
  KeepWithin w;
  w.text = std::string(text);
  if (text.empty())
    return fail(ErrorKind::Usage, "invalid --keep-within duration", "\"\"",
                "the duration is empty", "use units y, m, d, h, e.g. 7d or 1y6m");
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i == text.size())
      return fail(ErrorKind::Usage, "invalid --keep-within duration", fmt::format("\"{}\"", text),
                  fmt::format("expected a number followed by a unit at position {}", start + 1),
                  "use units y, m, d, h, e.g. 7d or 1y6m");
    int value = 0;
    auto [end, ec] = std::from_chars(text.data() + start, text.data() + i, value);
    if (ec != std::errc() || end != text.data() + i)
      return fail(ErrorKind::Usage, "invalid --keep-within duration", fmt::format("\"{}\"", text),
                  "the number is too large");
    switch (text[i]) {
      case 'y': w.years += value; break;
      case 'm': w.months += value; break;
      case 'd': w.days += value; break;
      case 'h': w.hours += value; break;
      default:
        return fail(ErrorKind::Usage, "invalid --keep-within duration", fmt::format("\"{}\"", text),
                    fmt::format("unknown unit '{}' (restic durations use y, m, d, h)", text[i]),
                    "e.g. 7d, 36h or 1y6m");
    }
    ++i;
  }
  return w;
}

bool RetentionPolicy::empty() const {
  return keep_last == 0 && keep_hourly == 0 && keep_daily == 0 && keep_weekly == 0 &&
         keep_monthly == 0 && keep_yearly == 0 && keep_within.empty();
}

std::string RetentionPolicy::describe() const {
  std::vector<std::string> parts;
  auto add = [&](const char* name, int n) {
    if (n != 0) parts.push_back(fmt::format("{} {}", name, n < 0 ? std::string("unlimited") : std::to_string(n)));
  };
  add("keep-last", keep_last);
  add("keep-hourly", keep_hourly);
  add("keep-daily", keep_daily);
  add("keep-weekly", keep_weekly);
  add("keep-monthly", keep_monthly);
  add("keep-yearly", keep_yearly);
  if (!keep_within.empty()) parts.push_back("keep-within " + keep_within.text);
  return parts.empty() ? std::string("no rule") : fmt::format("{}", fmt::join(parts, ", "));
}

UtcOffsetAt fixed_utc_offset(std::chrono::seconds offset) {
  return [offset](SysSeconds) { return offset; };
}

IsoWeek iso_week(std::chrono::year_month_day day) {
  using namespace std::chrono;
  // The ISO week belongs to the year of its Thursday.
  sys_days d{day};
  weekday wd{d};
  int iso_weekday = static_cast<int>(wd.iso_encoding());  // Mon=1..Sun=7
  sys_days thursday = d + days{4 - iso_weekday};
  year_month_day thu{thursday};
  sys_days jan1{thu.year() / January / 1};
  auto week = static_cast<unsigned>((thursday - jan1).count() / 7 + 1);
  return {static_cast<int>(thu.year()), week};
}

namespace {

struct Rule {
  int count;
  std::string reason;
  std::function<std::int64_t(std::size_t index, SysSeconds local)> bucket;
  std::optional<std::int64_t> last;
};

}  // namespace

Result<std::vector<RetentionDecision>> plan_retention(std::vector<Snapshot> snapshots,
                                                      const RetentionPolicy& policy,
                                                      const UtcOffsetAt& offset_at) {
  using namespace std::chrono;
  if (policy.empty())
    return fail(ErrorKind::Usage, "no retention rule given", "prune",
                "without a --keep-* rule every backup would be removed",
                "pass at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly, --keep-within");
  for (int n : {policy.keep_last, policy.keep_hourly, policy.keep_daily, policy.keep_weekly,
                policy.keep_monthly, policy.keep_yearly})
    if (n < -1)
      return fail(ErrorKind::Usage, "invalid retention count", std::to_string(n),
                  "counts are 0 or more, or -1 for unlimited");
  std::stable_sort(snapshots.begin(), snapshots.end(), [](const Snapshot& a, const Snapshot& b) {
    if (a.time != b.time) return a.time > b.time;
    // Same second: ids that are numbers compare as numbers.
    if (a.id.size() != b.id.size()) return a.id.size() > b.id.size();
    return a.id > b.id;
  });

  auto days_of = [](SysSeconds local) { return floor<days>(local); };
  std::vector<Rule> rules;
  rules.push_back({policy.keep_last, "last snapshot",
                   [](std::size_t i, SysSeconds) { return static_cast<std::int64_t>(i); }, {}});
  rules.push_back({policy.keep_hourly, "hourly snapshot",
                   [](std::size_t, SysSeconds l) { return floor<hours>(l).time_since_epoch().count(); }, {}});
  rules.push_back({policy.keep_daily, "daily snapshot",
                   [&](std::size_t, SysSeconds l) { return static_cast<std::int64_t>(days_of(l).time_since_epoch().count()); }, {}});
  rules.push_back({policy.keep_weekly, "weekly snapshot",
                   [&](std::size_t, SysSeconds l) {
                     auto w = iso_week(year_month_day{days_of(l)});
                     return static_cast<std::int64_t>(w.year) * 100 + w.week;
                   },
                   {}});
  rules.push_back({policy.keep_monthly, "monthly snapshot",
                   [&](std::size_t, SysSeconds l) {
                     year_month_day ymd{days_of(l)};
                     return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 +
                            static_cast<unsigned>(ymd.month());
                   },
                   {}});
  rules.push_back({policy.keep_yearly, "yearly snapshot",
                   [&](std::size_t, SysSeconds l) {
                     return static_cast<std::int64_t>(static_cast<int>(year_month_day{days_of(l)}.year()));
                   },
                   {}});

  std::optional<SysSeconds> within_after;
  if (!policy.keep_within.empty() && !snapshots.empty()) {
    // Calendar arithmetic on the newest snapshot's UTC date, like Go's AddDate:
    // an overflowing day (31 March - 1 month) normalises into the next month.
    const auto& w = policy.keep_within;
    SysSeconds latest = snapshots.front().time;
    auto day = floor<days>(latest);
    auto time_of_day = latest - day;
    year_month_day ymd{day};
    auto ym = year_month{ymd.year(), ymd.month()} - years{w.years} - months{w.months};
    sys_days shifted = sys_days{ym / 1} + days{static_cast<unsigned>(ymd.day()) - 1} - days{w.days};
    within_after = shifted + time_of_day - hours{w.hours};
  }

  std::vector<RetentionDecision> decisions;
  decisions.reserve(snapshots.size());
  for (std::size_t i = 0; i < snapshots.size(); ++i) {
    RetentionDecision d{snapshots[i], false, {}};
    SysSeconds local = snapshots[i].time + offset_at(snapshots[i].time);
    for (auto& rule : rules) {
      if (rule.count == 0) continue;
      auto value = rule.bucket(i, local);
      if (rule.last && *rule.last == value) continue;
      rule.last = value;
      if (rule.count > 0) --rule.count;
      d.keep = true;
      d.reasons.push_back(rule.reason);
    }
    if (within_after && snapshots[i].time > *within_after) {
      d.keep = true;
      d.reasons.push_back("within " + policy.keep_within.text);
    }
    decisions.push_back(std::move(d));
  }
  return decisions;
}

std::optional<SysSeconds> parse_rfc3339(std::string_view text) { return text::parse_rfc3339(text); }

std::string format_rfc3339(SysSeconds t) { return text::format_rfc3339(t); }

}  // namespace daoctl::backup
