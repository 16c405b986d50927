#include "core/ldap/account_state.hpp"

#include <fmt/format.h>

#include <charconv>

namespace daoctl::ldap {

namespace {

std::unexpected<Error> bad_value(std::string_view attribute, std::string_view value,
                                 std::string why) {
  return fail(ErrorKind::Parse, fmt::format("cannot read {}", attribute),
              fmt::format("{}: \"{}\"", attribute, value), std::move(why));
}

bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += count;
  out = v;
  return true;
}

Result<std::int64_t> parse_int64(std::string_view attribute, std::string_view text) {
  std::int64_t v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    return bad_value(attribute, text, "not a decimal integer");
  }
  return v;
}

}  // namespace

const char* to_string(DisabledReason reason) noexcept {
  switch (reason) {
    case DisabledReason::None:
      return "active";
    case DisabledReason::AdAccountDisabled:
      return "userAccountControl ACCOUNTDISABLE";
    case DisabledReason::AdAccountExpired:
      return "accountExpires in the past";
    case DisabledReason::PasswordPolicyLocked:
      return "pwdAccountLockedTime (password policy lockout)";
    case DisabledReason::PermanentlyLocked:
      return "pwdAccountLockedTime 000001010000Z (locked by an administrator)";
    case DisabledReason::NsAccountLocked:
      return "nsAccountLock true";
    case DisabledReason::ShadowExpired:
      return "shadowExpire in the past";
  }
  return "unknown";
}

Result<SysSeconds> parse_generalized_time(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&](std::string why) { return bad_value("GeneralizedTime", text, std::move(why)); };
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || !read_digits(text, pos, 2, month) ||
      !read_digits(text, pos, 2, day) || !read_digits(text, pos, 2, hour)) {
    return bad("expected YYYYMMDDHH");
  }
  if (read_digits(text, pos, 2, minute)) read_digits(text, pos, 2, second);
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad("empty fraction");
  }
  if (pos >= text.size()) return bad("missing time zone ('Z' or ±HHMM)");
  int offset_minutes = 0;
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh)) return bad("bad time zone offset");
    read_digits(text, pos, 2, om);
    if (oh > 23 || om > 59) return bad("bad time zone offset");
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return bad(fmt::format("unexpected '{}' at offset {}", text[pos], pos));
  }
  if (pos != text.size()) return bad(fmt::format("trailing characters at offset {}", pos));
  const year_month_day ymd{std::chrono::year{year},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  // Second 60 is allowed for leap seconds and folded into the next minute.
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad("date or time out of range");
  return sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} - minutes{offset_minutes};
}

SysSeconds filetime_to_sys_seconds(std::int64_t filetime) noexcept {
  using namespace std::chrono;
  constexpr std::int64_t kTicksPerSecond = 10'000'000;
  constexpr std::int64_t kSeconds1601To1970 = 11'644'473'600;
  std::int64_t secs = filetime / kTicksPerSecond;
  if (filetime % kTicksPerSecond < 0) --secs;
  return SysSeconds{seconds{secs - kSeconds1601To1970}};
}

Result<DisabledReason> ad_disabled_reason(const AdAccountAttributes& attrs, SysSeconds now) {
  if (attrs.user_account_control) {
    auto uac = parse_int64("userAccountControl", *attrs.user_account_control);
    if (!uac) return std::unexpected(std::move(uac.error()));
    constexpr std::int64_t kAccountDisable = 0x2;
    if ((*uac & kAccountDisable) != 0) return DisabledReason::AdAccountDisabled;
  }
  if (attrs.account_expires) {
    auto expires = parse_int64("accountExpires", *attrs.account_expires);
    if (!expires) return std::unexpected(std::move(expires.error()));
    if (*expires < 0)
      return bad_value("accountExpires", *attrs.account_expires, "negative FILETIME");
    if (*expires != 0 && *expires != kAccountNeverExpires &&
        filetime_to_sys_seconds(*expires) <= now) {
      return DisabledReason::AdAccountExpired;
    }
  }
  return DisabledReason::None;
}

Result<DisabledReason> openldap_disabled_reason(const OpenLdapAccountAttributes& attrs,
                                                SysSeconds now) {
  if (attrs.pwd_account_locked_time) {
    const std::string& v = *attrs.pwd_account_locked_time;
    if (v == "000001010000Z") return DisabledReason::PermanentlyLocked;
    auto t = parse_generalized_time(v);
    if (!t) return bad_value("pwdAccountLockedTime", v, t.error().detail);
    // The lockout may expire after pwdLockoutDuration, which lives in the policy
    // entry, not here; ppolicy removes the attribute when the lock ends, so its
    // presence is the lock.
    return DisabledReason::PasswordPolicyLocked;
  }
  if (attrs.ns_account_lock) {
    std::string v = *attrs.ns_account_lock;
    for (char& c : v) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    if (v == "true") return DisabledReason::NsAccountLocked;
    if (v != "false")
      return bad_value("nsAccountLock", *attrs.ns_account_lock, "expected true or false");
  }
  if (attrs.shadow_expire) {
    auto days = parse_int64("shadowExpire", *attrs.shadow_expire);
    if (!days) return std::unexpected(std::move(days.error()));
    const auto today = floor<std::chrono::days>(now).time_since_epoch().count();
    if (*days > 0 && today >= *days) return DisabledReason::ShadowExpired;
  }
  return DisabledReason::None;
}

}  // namespace daoctl::ldap
