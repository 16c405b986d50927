// The platform's statistics endpoints (/api/v1/stats/..., /api/v1/audit-log)
// and the listings a report page joins them with. Each is a cursor-paged
// listing (connectors/platform/page_stream.hpp streams it); this names the
// paths, so `stats export` and `stats report` only say which report.
#pragma once

#include <string>

#include "core/stats/report.hpp"

namespace daoctl::platform {

// The API path (with its query) of one report; the audit action filters
// /api/v1/audit-log when not empty.
std::string stats_report_path(const stats::ReportScope& scope, const std::string& audit_action);

// The listings `stats report` reads for names: every department (id, path,
// member_count) and every community (id, name, member_count).
inline constexpr const char* kDepartmentListPath = "/api/v1/departments";
inline constexpr const char* kCommunityListPath = "/api/v1/communities";

}  // namespace daoctl::platform
