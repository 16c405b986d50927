#include "connectors/platform/stats_api.hpp"

#include <fmt/format.h>

#include "connectors/platform/client.hpp"
#include "core/stats/period.hpp"

namespace daoctl::platform {

std::string stats_report_path(const stats::ReportScope& scope, const std::string& audit_action) {
  using stats::format_rfc3339;
  switch (scope.kind) {
    case stats::ReportKind::Activity:
      return fmt::format("/api/v1/stats/activity?from={}&to={}&granularity={}&group_by={}",
                         format_rfc3339(scope.range.from), format_rfc3339(scope.range.to),
                         stats::to_string(scope.granularity), stats::to_string(scope.group_by));
    case stats::ReportKind::Events:
      return fmt::format("/api/v1/stats/events?from={}&to={}", format_rfc3339(scope.range.from),
                         format_rfc3339(scope.range.to));
    case stats::ReportKind::Audit:
      return fmt::format("/api/v1/audit-log?since={}{}", format_rfc3339(scope.range.from),
                         audit_action.empty() ? "" : "&action=" + url_encode_query(audit_action));
    case stats::ReportKind::Awards:
      return fmt::format("/api/v1/stats/awards?from={}&to={}&granularity={}", format_rfc3339(scope.range.from),
                         format_rfc3339(scope.range.to), stats::to_string(scope.granularity));
  }
  return {};
}

}  // namespace daoctl::platform
