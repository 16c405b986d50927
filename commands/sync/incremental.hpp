// sync apply --incremental: what a run keeps between runs to read only the
// directory's changes (ARCHITECTURE.md, "Incremental sync"), and the steps
// that turn a change set into the scope of a normal plan.
//
// State, per job and followed source, in the state directory:
//   <job>.<source>.cursor.json  the RFC 4533 cookie, when it was saved, and
//                               when a change was last applied
//   <job>.<source>.index.tsv    entryUUID -> externalId and DN of every
//                               employee synced: deletes arrive as entryUUIDs,
//                               and managers named by DN resolve through it
// Both are written atomically (temp + fsync + rename), the index first, and
// only after an apply that succeeded: a run killed before that re-reads the
// same changes and re-applies them, which converges (the plan of an applied
// change is empty).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "connectors/sources/job_sources.hpp"
#include "core/error.hpp"
#include "core/sync/job.hpp"
#include "core/sync/model.hpp"

namespace daoctl::commands::sync_incremental {

struct IndexEntry {
  std::string external_id;
  std::string dn;  // canonical
  bool operator==(const IndexEntry&) const = default;
};
using Index = std::unordered_map<std::string, IndexEntry>;  // by entryUUID
// A change set's edits to the index: the new entry, or nullopt when removed.
using IndexEdits = std::unordered_map<std::string, std::optional<IndexEntry>>;

struct Cursor {
  std::string cookie;
  std::string saved_at;        // RFC 3339
  std::string last_change_at;  // the last run that applied a change
  long employees = 0;          // entries in the index
  std::string full_at;         // the last full read (RFC 3339); "" if none recorded
};

struct Run {
  std::string job;
  std::string source;  // the followed source: the job's primary, type ldap
  std::string state_dir;
  Cursor cursor;                  // as loaded
  sources::LdapChanges changes;   // cookie in, new cookie out
  bool scoped = false;            // this run plans a change set
  bool fell_back = false;         // the cookie was stale: a full read
  std::string full_reason;        // why this run is a full one ("" when scoped)
  // sync watch --full-every: a full read when the last one is older (0:
  // never). A change log can miss a deletion (see begin()); only a full
  // read, which finds deletions by absence, catches that.
  double full_every_seconds = 0;
  std::chrono::system_clock::time_point now{};
  // The index. A change set keeps the file's text as read and only its
  // edits: each question (these entryUUIDs, these DNs, who is under these
  // parents) is one scan of the text, and the file is rewritten only when
  // an entry changed, so a run of 100 changes costs no map of everyone
  // (issue 20's cost goal). A full run builds it whole.
  std::string index_text;  // "uuid<TAB>externalId<TAB>dn" lines
  Index full_index;        // a full run's
  IndexEdits index_edits;  // a change set's
  long employees = 0;      // entries in the index once this run is applied
  // Filled on the reading thread.
  std::mutex mu;
  std::unordered_map<std::string, std::string> uuid_of_origin;
  std::vector<std::string> deleted_uuids;
  // The plan's scope: external ids changed or deleted.
  std::unordered_set<std::string> scope;
  long changed = 0;   // added or modified entries
  long deleted = 0;   // deleted entries that were employees
  // Subtrees (parent DNs) every employee of which this change set deletes,
  // with how many they had: the stream guard's vanished-OU rule.
  std::vector<std::pair<std::string, long>> vanished;
};

std::string cursor_path(const std::string& state_dir, const std::string& job, const std::string& source);
std::string index_path(const std::string& state_dir, const std::string& job, const std::string& source);

// Reads the cursor (and, with a cookie, the index) and wires the source
// read's callbacks. Throws CommandError (Config) for a job whose primary
// source is not an ldap source, or unreadable state files.
void begin(Run& run, const sync::JobSpec& job, const std::string& state_dir);

// The cookie was stale (or the run cannot be scoped): forget the change set
// and read everything again.
void fall_back(Run& run, std::string reason);

// After the desired users are built from a change set: the scope (their
// external ids and those of deleted entries), managers named by a DN
// outside the change set resolved through the index. Returns the
// platform lookups (attribute, value) the plan needs.
std::vector<std::pair<std::string, std::string>> scope_change_set(Run& run, std::vector<sync::DesiredUser>& users,
                                                                 const sync::JobSpec& job);

// After any run's desired users: the index as it will be once applied.
void update_index(Run& run, const std::vector<sync::DesiredUser>& users);

// After an apply that succeeded: index, then cursor, each atomically.
Status save(const Run& run, std::chrono::system_clock::time_point now, bool applied_changes);

// <job>.window.json: the deactivations incremental runs applied, with their
// times, for safety.window. `recent_deactivations` sums those within
// `window_seconds` of `now`; `record_deactivations` adds a run's (dropping
// entries older than the window) atomically.
long recent_deactivations(const std::string& state_dir, const std::string& job, std::int64_t window_seconds,
                          std::chrono::system_clock::time_point now);
Status record_deactivations(const std::string& state_dir, const std::string& job, std::int64_t window_seconds,
                            std::chrono::system_clock::time_point now, long count);

// One scan of an index file's text for the given entryUUIDs (file:line
// named when a line is malformed).
Index index_find(std::string_view text, const std::unordered_set<std::string>& uuids, const std::string& path);

// `sync status`: the cursor of a job's followed source, if any.
std::optional<Cursor> load_cursor(const std::string& state_dir, const std::string& job, const std::string& source);

}  // namespace daoctl::commands::sync_incremental
