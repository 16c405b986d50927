// From source records to the users the platform should have: joins the
// sources on their keys, evaluates the mapping for every primary record,
// resolves managers to external ids and filters group memberships.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/hr/record.hpp"
#include "core/sync/job.hpp"
#include "core/sync/model.hpp"
#include "core/sync/photo_store.hpp"
#include "core/sync/plan.hpp"

namespace daoctl::sync {

using SourceRecords = std::map<std::string, std::vector<hr::SourceRecord>, std::less<>>;

// What one join matched: the plan reports it and safety.min_join_rate
// checks it. "Left" records are the records the join looked up (the primary
// source's, joined so far); "right" records are the joined source's.
struct JoinStats {
  std::string source;  // the joined source
  std::string join;    // the join line as written
  long left = 0;       // left records looked up
  long right = 0;      // right records with a key
  long right_keys = 0; // distinct keys among them
  long matched = 0;    // left records that found a right record
  std::vector<std::string> left_unmatched;   // "userName (origin)" or the origin
  std::vector<std::string> right_unmatched;  // origins of right records no left record found
  // matched / the smaller of left and right_keys: a join that matches most
  // of its smaller side works; a broken key format matches nearly none.
  // Empty when a side has no records.
  std::optional<double> rate() const;
  nlohmann::json to_json() const;
};

struct DesiredSet {
  std::vector<DesiredUser> users;
  // Records that could not be mapped (a bad date, no userName, an ambiguous
  // join) are left out and reported here; they never become deactivations
  // because their external id cannot be trusted.
  std::vector<PlanWarning> warnings;
  long skipped = 0;
  std::vector<JoinStats> joins;  // one per job.joins, in order
  // Problems that must stop the run (duplicates: error): each names the
  // records. check_desired turns them into a Safety error.
  std::vector<std::string> errors;
};

// A Safety error (exit 5, nothing changed) listing set.errors; ok when none.
Status check_desired(const DesiredSet& set, const JobSpec& job);

// `records` holds every source of the job by name. Never fails: problems of
// single records become warnings. With a `photos` store, every non-empty
// desired photo moves into it (DesiredUser::stored_photo).
DesiredSet build_desired(const JobSpec& job, const SourceRecords& records, PhotoStore* photos = nullptr);

// build_desired one primary record at a time, so a job can map records as a
// source delivers them instead of holding them all (a single-source job maps
// on the reader's thread while the platform is read). The records of joined
// sources are indexed first and must outlive the builder; primary records
// need not. Not thread-safe: one thread feeds it, then another may finish().
class DesiredBuilder {
 public:
  explicit DesiredBuilder(const JobSpec& job);
  ~DesiredBuilder();
  DesiredBuilder(DesiredBuilder&&) noexcept;
  DesiredBuilder& operator=(DesiredBuilder&&) noexcept;
  // Moves every non-empty desired photo into `store` as its user is mapped
  // (before the first add; the store must outlive the builder). When the
  // store fails, photos stay in memory and one warning says why.
  void keep_photos_in(PhotoStore* store);
  // Room for `n` desired users (e.g. the primary source's count on the last
  // run): one allocation instead of a vector doubling, whose last step held
  // the old and the new array at once (~70 MB at 100k employees).
  void reserve(std::size_t n);
  // Indexes the records of every joined source (before the first add).
  void index_joins(const SourceRecords& records);
  // Maps one record of the primary source (a desired user, or a warning).
  void add(const hr::SourceRecord& record);
  // Resolves managers; the builder is empty afterwards.
  DesiredSet finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Case-insensitive glob match (* and ?), as used by groups.include/exclude.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace daoctl::sync
