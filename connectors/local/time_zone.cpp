#include "connectors/local/time_zone.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>

namespace daoctl::local {

Result<std::string> date_in_zone(std::chrono::system_clock::time_point now, const std::string& zone) {
  if (!zone.empty()) {
    // tzset() accepts any string and silently falls back to UTC, so the zone
    // must exist in the system's database.
    bool safe = zone.find("..") == std::string::npos && zone.front() != '/';
    if (!safe || !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + zone))
      return fail(ErrorKind::Config, "unknown time zone", zone,
                  "not found in /usr/share/zoneinfo", "use an IANA name such as Europe/Moscow");
  }
  // libstdc++ 12 has no std::chrono::zoned_time: switch TZ under a lock.
  static std::mutex tz_mutex;
  std::lock_guard lock(tz_mutex);
  const char* old = std::getenv("TZ");
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  if (!zone.empty()) ::setenv("TZ", zone.c_str(), 1);
  ::tzset();
  std::time_t tt = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&tt, &tm);
  if (!zone.empty()) {
    if (saved) ::setenv("TZ", saved->c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
  }
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

}  // namespace daoctl::local
