// From source records to the users the platform should have: joins the
// sources on their keys, evaluates the mapping for every primary record,
// resolves managers to external ids and filters group memberships.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/hr/record.hpp"
#include "core/sync/job.hpp"
#include "core/sync/model.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::sync {

using SourceRecords = std::map<std::string, std::vector<hr::SourceRecord>, std::less<>>;

struct DesiredSet {
  std::vector<DesiredUser> users;
  // Records that could not be mapped (a bad date, no userName, an ambiguous
  // join) are left out and reported here; they never become deactivations
  // because their external id cannot be trusted.
  std::vector<PlanWarning> warnings;
  long skipped = 0;
};

// `records` holds every source of the job by name. Never fails: problems of
// single records become warnings.
DesiredSet build_desired(const JobSpec& job, const SourceRecords& records);

// Case-insensitive glob match (* and ?), as used by groups.include/exclude.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace daoctl::sync
